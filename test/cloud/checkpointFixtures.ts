// Checkpoints of a keyed count for the tests of checkpoints that go worker to worker: taken
// by the in-process runtime mid-stream, with as many keys as asked (about), and encoded as a
// worker encodes them.

import {
  type Checkpoint,
  encodeCheckpoint,
  InProcessRuntime,
  type KeyGroupRange,
  physicalPlan,
  type StateCodec,
} from "../../engine/index.js";
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
