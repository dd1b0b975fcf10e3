// A live worker (in process, on 127.0.0.1) as a coordinator that fails over sees it: calls
// under an older epoch refused in one line, and a watch stream opened under one ended; under
// HA, events numbered and kept until acknowledged, a watch stream broken mid-run resumed
// after the last seq received with nothing lost nor doubled (against a run whose stream never
// broke), one stream replacing another; without HA, events neither numbered nor kept, and
// the wire as before; numbered control messages applied once whatever their order; and a
// Survey of what the worker hosts and where it stands. Every wait is for a condition,
// bounded, failing with what it waited for.

import { BinaryReader } from "@bufbuild/protobuf/wire";
import { type Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { epochMetadata, tokenMetadata } from "../../cloud/auth.js";
import {
  type ControlAck,
  type ControlClient,
  type ControlRequest,
  type DeployRequest,
  Stats,
  type SurveyReply,
  WatchRequest,
  WorkerEvent,
} from "../../cloud/gen/seep/v1/seep.js";
import { Worker } from "../../cloud/worker.js";
import { decodeBatch } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { ask, blankControl, call, controlClient, wordcountDeploy } from "./workerCalls.js";

const TOKEN = "failover-token";
const auth = tokenMetadata(TOKEN);
const at = (epoch: number) => epochMetadata(TOKEN, epoch);

/** About 3 s of stream, a window every 200 ms: lines#0 -> split#1, #2 -> count#3, #4 -> sink#5. */
const SHORT_WORDCOUNT = { lines: 3000, lineIntervalMs: 1, windowSizeMs: 200, windowSlideMs: 200 };
const INSTANCES = 6;
/** Bound of every wait here: generous, for a busy machine. */
const WAIT_MS = 120_000;

const started: { worker: Worker; client: ControlClient }[] = [];
afterEach(() => {
  for (const { worker, client } of started.splice(0)) {
    client.close();
    worker.stop();
  }
});

async function startWorker(): Promise<{ client: ControlClient; address: string; renewals: () => number }> {
  let renewals = 0;
  const worker = new Worker({
    listen: "127.0.0.1:0",
    token: TOKEN,
    resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    report: () => {},
    onCoordinatorCall: () => renewals++,
  });
  const port = await worker.start();
  const address = `127.0.0.1:${port}`;
  const client = controlClient(address);
  started.push({ worker, client });
  return { client, address, renewals: () => renewals };
}

/** Resolves once `condition` holds, polling; rejects after WAIT_MS saying what it waited for. */
async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const endMs = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > endMs) throw new Error(`waited ${WAIT_MS} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A watch stream read raw: each event's bytes as sent, and decoded; how it ended, if it has. */
class EventWatch {
  readonly raw: Buffer[] = [];
  readonly events: WorkerEvent[] = [];
  ended: { code: number; details: string } | null = null;
  private closed = false;
  private readonly stream;

  constructor(client: ControlClient, md: Metadata, request: Partial<WatchRequest> = {}) {
    this.stream = client.makeServerStreamRequest(
      "/seep.v1.Control/Watch",
      (r: WatchRequest) => Buffer.from(WatchRequest.encode(r).finish()),
      (b: Buffer) => b,
      WatchRequest.fromPartial(request),
      md,
    );
    this.stream.on("data", (b: Buffer) => {
      if (this.closed) return;
      this.raw.push(b);
      this.events.push(WorkerEvent.decode(b));
    });
    this.stream.on("error", (e: ServiceError) => {
      this.ended ??= { code: e.code, details: e.details };
    });
  }

  /** Seqs of the events received. */
  get seqs(): number[] {
    return this.events.map((e) => e.seq);
  }

  /** Sink outputs received. */
  get outputs(): number {
    return this.events.filter((e) => e.output !== undefined).length;
  }

  /** Instances that said they ended. */
  get endedInstances(): Set<number> {
    return new Set(this.events.filter((e) => e.reply?.type === "ended").map((e) => e.reply!.instance));
  }

  /** Resolves once the stream has ended. */
  untilEnded(): Promise<{ code: number; details: string }> {
    return until("the watch stream to end", () => this.ended !== null).then(() => this.ended!);
  }

  /** Cancel it; nothing it receives from now on is kept. */
  close(): void {
    this.closed = true;
    this.stream.cancel();
  }
}

/** Start every instance of the word count, as the coordinator does (stamped with `md`). */
async function startAll(client: ControlClient, md: Metadata): Promise<void> {
  for (let instance = 0; instance < INSTANCES; instance++)
    await ask(client, client.send, { ...blankControl(), instance, type: "start" }, md);
}

/** The sink outputs of `events` as a sorted list of tuples (sink, key, event time, value). */
function outputTuples(events: readonly WorkerEvent[]): string[] {
  const tuples: string[] = [];
  for (const e of events) {
    if (e.output === undefined) continue;
    const b = decodeBatch(e.output.batch);
    for (let i = 0; i < b.length; i++)
      tuples.push(
        JSON.stringify([e.output.sink, b.keys[i], b.eventTimesMs[i], b.values === null ? null : b.values[i]]),
      );
  }
  return tuples.sort();
}

/** The numbers of the top-level fields of an encoded message. */
function fieldNumbers(bytes: Buffer): Set<number> {
  const r = new BinaryReader(bytes);
  const fields = new Set<number>();
  while (r.pos < r.len) {
    const [no, type] = r.tag();
    fields.add(no);
    r.skip(type);
  }
  return fields;
}

const heartbeat = (client: ControlClient, md: Metadata, eventsTaken?: number) =>
  ask(client, client.heartbeat, eventsTaken === undefined ? {} : { eventsTaken }, md) as Promise<Stats>;
const survey = (client: ControlClient, md: Metadata) =>
  ask(client, client.survey, {}, md) as Promise<SurveyReply>;

/** Deploy the short word count on the worker at `address`, with HA or not. */
function deployment(address: string, ha: boolean): DeployRequest {
  return { ...wordcountDeploy(address, SHORT_WORDCOUNT), ...(ha ? { ha: true } : {}) };
}

/** A run of the short word count to its end without HA, its one watch stream never broken. */
async function unbrokenRun(): Promise<EventWatch> {
  const { client, address } = await startWorker();
  const watch = new EventWatch(client, auth);
  await ask(client, client.deploy, deployment(address, false), auth);
  await startAll(client, auth);
  await until("every instance to end", () => watch.endedInstances.size === INSTANCES);
  return watch;
}

describe("a worker's epoch fence", () => {
  it("refuses a coordinator's call under an older epoch in one line, and ends a watch stream opened under one once a newer is seen", async () => {
    const { client, address, renewals } = await startWorker();
    await heartbeat(client, at(4));
    const refused = { code: status.FAILED_PRECONDITION, details: "fenced: epoch 3 is older than 4" };
    expect(await call(client, client.heartbeat, {}, at(3))).toEqual(refused);
    expect(await call(client, client.heartbeat, {}, auth)).toEqual({
      code: status.FAILED_PRECONDITION,
      details: "fenced: epoch 0 is older than 4",
    });
    expect((await call(client, client.heartbeat, {}, at(4))).code).toBe(status.OK);
    const watch = new EventWatch(client, at(4));
    await ask(client, client.deploy, deployment(address, true), at(4));
    // A peer's control message carries no epoch: not fenced. A stale coordinator's is.
    expect(
      (await call(client, client.send, { ...blankControl(), instance: 0, type: "start" }, auth)).code,
    ).toBe(status.OK);
    const start1 = { ...blankControl(), instance: 1, type: "start" };
    expect(await call(client, client.send, start1, at(3))).toEqual(refused);
    expect(await call(client, client.deploy, deployment(address, true), at(3))).toEqual(refused);
    expect(
      await call(
        client,
        client.redeploy,
        { instances: [], addresses: {}, incarnations: {}, fresh: [] },
        at(3),
      ),
    ).toEqual(refused);
    expect(await call(client, client.keepAlive, {}, at(3))).toEqual(refused);
    expect(await call(client, client.survey, {}, at(3))).toEqual(refused);
    const renewed = renewals();
    expect(await call(client, client.stop, {}, at(3))).toEqual(refused);
    expect(renewals()).toBe(renewed); // a fenced call does not renew the lease
    expect(watch.ended).toBeNull();
    // A new leader speaks (renewing the lease): the old one's stream ends, and it cannot open another.
    expect((await survey(client, at(5))).epoch).toBe(5);
    expect(renewals()).toBe(renewed + 1);
    expect(await watch.untilEnded()).toEqual({
      code: status.FAILED_PRECONDITION,
      details: "fenced: epoch 4 is older than 5",
    });
    expect(await new EventWatch(client, at(4)).untilEnded()).toEqual({
      code: status.FAILED_PRECONDITION,
      details: "fenced: epoch 4 is older than 5",
    });
    // The worker still serves the new leader.
    expect((await call(client, client.send, start1, at(5))).code).toBe(status.OK);
  });

  it("refuses a malformed epoch with INVALID_ARGUMENT naming it", async () => {
    const { client } = await startWorker();
    const md = tokenMetadata(TOKEN);
    md.set("seep-epoch", "soon");
    expect(await call(client, client.heartbeat, {}, md)).toEqual({
      code: status.INVALID_ARGUMENT,
      details: "seep-epoch must be one whole number, got 'soon'",
    });
  });
});

describe("a worker's events under HA", () => {
  it("are numbered from 1; a watch stream broken mid-run resumes after the last seq received with every later event once and in order, the same outputs as a run never broken", async () => {
    const reference = await unbrokenRun();
    const { client, address } = await startWorker();
    const md = at(1);
    const first = new EventWatch(client, md);
    await ask(client, client.deploy, deployment(address, true), md);
    await startAll(client, md);
    await until("3 sink outputs", () => first.outputs >= 3);
    first.close();
    const lastSeq = first.seqs.at(-1)!;
    // The worker goes on without a watch stream: its events are kept.
    await until("10 events more while no watch stream is open", async () => {
      return (await survey(client, md)).lastEventSeq >= lastSeq + 10;
    });
    const second = new EventWatch(client, md, { afterSeq: lastSeq });
    await until("every instance to end", () => second.endedInstances.size === INSTANCES);
    const events = [...first.events, ...second.events];
    const n = events.length;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(outputTuples(events)).toEqual(outputTuples(reference.events));
    expect(outputTuples(events).length).toBeGreaterThan(0);

    // Nothing was acknowledged: the outbox holds every event, and the stats say so.
    const sizes = second.raw.map((b) => b.length);
    const stats = await heartbeat(client, md, n - 3);
    expect(stats.outboxEvents).toBe(3);
    expect(stats.outboxBytes).toBe(sizes.slice(-3).reduce((a, b) => a + b, 0));
    const taken = await heartbeat(client, md, n);
    expect([taken.outboxEvents, taken.outboxBytes]).toEqual([0, 0]);
    const s = await survey(client, md);
    expect({ ...s, instances: [] }).toEqual({
      runId: "test",
      epoch: 1,
      ha: true,
      instances: [],
      lastEventSeq: n,
      eventsTaken: n,
      controls: [],
    });
    expect(s.instances).toEqual(
      Array.from({ length: INSTANCES }, (_, instance) => ({
        instance,
        incarnation: 0,
        state: "finished",
        ended: true,
      })),
    );
    // Taken events are gone: a stream cannot resume before them.
    expect(await new EventWatch(client, md, { afterSeq: n - 1 }).untilEnded()).toEqual({
      code: status.INVALID_ARGUMENT,
      details: `after_seq ${n - 1} is below the events taken already (up to ${n}): they are no longer kept`,
    });
  });

  it("have a new watch stream replace the one open, which ends", async () => {
    const { client, address } = await startWorker();
    const md = at(2);
    const first = new EventWatch(client, md);
    await ask(client, client.deploy, deployment(address, true), md);
    await startAll(client, md);
    await until("a sink output on the first stream", () => first.outputs >= 1);
    const second = new EventWatch(client, md, { afterSeq: first.seqs.at(-1)! });
    expect(await first.untilEnded()).toEqual({
      code: status.ABORTED,
      details: "replaced by a newer watch stream",
    });
    await until("a sink output on the second stream", () => second.outputs >= 1);
    expect(second.ended).toBeNull();
    expect(second.seqs[0]).toBe(first.seqs.at(-1)! + 1);
  });
});

describe("a worker's events without HA", () => {
  it("are neither numbered nor kept: the wire as before (no seq field), the outbox empty", async () => {
    const watch = await unbrokenRun();
    expect(watch.events.length).toBeGreaterThan(INSTANCES);
    for (const b of watch.raw) expect([...fieldNumbers(b)].every((f) => f <= 3)).toBe(true);
    expect(watch.seqs.every((s) => s === 0)).toBe(true);
    const client = started.at(-1)!.client;
    const stats = await heartbeat(client, auth);
    expect([stats.outboxEvents, stats.outboxBytes]).toEqual([0, 0]);
    expect(fieldNumbers(Buffer.from(Stats.encode(stats).finish())).has(10)).toBe(false);
    const s = await survey(client, auth);
    expect([s.ha, s.lastEventSeq, s.epoch]).toEqual([false, 0, 0]);
  });
});

describe("numbered control messages", () => {
  /** A checkpoint of count#3, numbered `seq` (its reply names its id first in its head). */
  const checkpoint = (checkpointId: number, seq: number): ControlRequest => ({
    ...blankControl(),
    instance: 3,
    type: "checkpoint",
    checkpointId,
    controlSeq: seq,
  });

  it("are applied once each, whatever the order they arrive in: a repeat is acked as a duplicate and has no effect", async () => {
    const { client, address } = await startWorker();
    const md = at(1);
    const watch = new EventWatch(client, md);
    // The long word count: its instances run all along.
    await ask(client, client.deploy, { ...wordcountDeploy(address), ha: true }, md);
    await startAll(client, md);
    const send = (r: ControlRequest) => ask(client, client.send, r, md) as Promise<ControlAck>;
    expect(await send(checkpoint(1, 1))).toEqual({ duplicate: false });
    expect(await send(checkpoint(1, 1))).toEqual({ duplicate: true });
    // 3 before 2, then each again.
    expect(await send(checkpoint(2, 3))).toEqual({ duplicate: false });
    expect((await survey(client, md)).controls).toEqual([
      { instance: 3, lowWater: 1, above: [{ first: 3, last: 3 }] },
    ]);
    expect(await send(checkpoint(3, 2))).toEqual({ duplicate: false });
    expect(await send(checkpoint(2, 3))).toEqual({ duplicate: true });
    expect(await send(checkpoint(3, 2))).toEqual({ duplicate: true });
    expect(await send(checkpoint(4, 4))).toEqual({ duplicate: false });
    // Replies come in the order the messages were applied: once the last one's is in, all are.
    const checkpointed = () =>
      watch.events
        .filter((e) => e.reply?.type === "checkpointed" && e.reply.instance === 3)
        .map((e) => (JSON.parse(e.reply!.checkpointHead) as number[])[0]);
    await until("checkpoint 4's reply", () => checkpointed().includes(4));
    expect(checkpointed()).toEqual([1, 2, 3, 4]);
    expect((await survey(client, md)).controls).toEqual([{ instance: 3, lowWater: 4, above: [] }]);
    // Unnumbered messages are applied as ever, each time.
    expect(await send(checkpoint(5, 0))).toEqual({ duplicate: false });
    expect(await send(checkpoint(6, 0))).toEqual({ duplicate: false });
    await until("checkpoint 6's reply", () => checkpointed().includes(6));
    expect(checkpointed()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("Survey", () => {
  it("reports what a worker hosts, with incarnations and states, and where its events stand", async () => {
    const { client, address } = await startWorker();
    const md = at(3);
    expect(await survey(client, md)).toEqual({
      runId: "",
      epoch: 3,
      ha: false,
      instances: [],
      lastEventSeq: 0,
      eventsTaken: 0,
      controls: [],
    });
    const watch = new EventWatch(client, md);
    await ask(client, client.deploy, { ...deployment(address, true), incarnations: { 3: 2 } }, md);
    const deployed = await survey(client, md);
    expect(deployed.runId).toBe("test");
    expect(deployed.ha).toBe(true);
    expect(deployed.instances).toEqual(
      Array.from({ length: INSTANCES }, (_, instance) => ({
        instance,
        incarnation: instance === 3 ? 2 : 0,
        state: "created",
        ended: false,
      })),
    );
    await startAll(client, md);
    await until("a sink output", () => watch.outputs >= 1);
    await heartbeat(client, md, 1);
    const running = await survey(client, md);
    expect(running.instances.map((i) => i.state)).toEqual(Array(INSTANCES).fill("running"));
    expect(running.lastEventSeq).toBeGreaterThanOrEqual(watch.seqs.at(-1)!);
    expect(running.eventsTaken).toBe(1);
  });
});
