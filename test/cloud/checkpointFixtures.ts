// Checkpoints of a keyed count for the tests of checkpoints that go worker to worker: taken
// by the in-process runtime mid-stream, with as many keys as asked (about), and encoded as a
// worker encodes them; a worker server whose shelf holds them, a checkpoint as the
// coordinator gets it by reference, and real runs whose every checkpoint is shelved.

import { afterAll, beforeAll } from "vitest";
import {
  CHECKPOINT_INLINE_ENV,
  type CheckpointShelf,
  shelveCheckpointed,
} from "../../cloud/checkpointShelf.js";
import { fromReplyMessage, toReplyMessage } from "../../cloud/controlWire.js";
import { Worker } from "../../cloud/worker.js";
import {
  type Checkpoint,
  encodeCheckpoint,
  InProcessRuntime,
  type KeyGroupRange,
  physicalPlan,
  type StateCodec,
} from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { keyedCountPlan, makeEvents, type SinkRecord } from "../engine/fixtures.js";

/** A count instance's checkpoint holding about `keys` keys, its codec, bytes and key groups. */
export function countCheckpointBytes(keys: number): {
  cp: Checkpoint;
  codec: StateCodec<unknown>;
  bytes: Uint8Array;
  range: KeyGroupRange;
} {
  const out: SinkRecord[] = [];
  const plan = physicalPlan(keyedCountPlan(makeEvents(3 * keys, keys), out));
  const rt = new InProcessRuntime(plan, { batchSize: 4096 });
  rt.start();
  for (let k = 0; k < 10_000 && rt.step(); k++);
  const cp = rt.instance(1).checkpoint(7);
  const codec = plan.logical.operators[1].stateCodec as StateCodec<unknown>;
  return { cp, codec, bytes: encodeCheckpoint(cp, codec), range: cp.range };
}

/** A worker server on 127.0.0.1 whose shelf a test fills, stopped by `closers`; its address. */
export async function shelfWorker(
  token: string,
  closers: (() => void)[],
): Promise<{ worker: Worker; address: string }> {
  const worker = new Worker({
    listen: "127.0.0.1:0",
    token,
    resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    report: () => {},
  });
  closers.push(() => worker.stop());
  return { worker, address: `127.0.0.1:${await worker.start()}` };
}

/** `cp` left on `shelf` (of the worker at `address`) and named in its checkpointed reply, as the coordinator takes it in. */
export function remoteOn(
  shelf: CheckpointShelf,
  address: string,
  cp: Checkpoint,
  codec: StateCodec<unknown>,
): Checkpoint {
  const msg = toReplyMessage({ type: "checkpointed", instance: cp.instance, checkpoint: cp }, codec);
  const reply = fromReplyMessage(shelveCheckpointed(shelf, msg, cp, address, 0), () => codec);
  if (reply.type !== "checkpointed") throw new Error(`a ${reply.type} reply, not checkpointed`);
  return reply.checkpoint;
}

/** Call in a describe: every checkpoint of its runs goes on its worker's shelf, however small (the workers inherit this). */
export function everyCheckpointShelved(): void {
  const inlineBefore = process.env[CHECKPOINT_INLINE_ENV];
  beforeAll(() => {
    process.env[CHECKPOINT_INLINE_ENV] = "0";
  });
  afterAll(() => {
    if (inlineBefore === undefined) delete process.env[CHECKPOINT_INLINE_ENV];
    else process.env[CHECKPOINT_INLINE_ENV] = inlineBefore;
  });
}
