// A `seep worker` process fed random calls by a caller that has the token (fast-check):
// random and truncated deploys, malformed frames, then anything at all (frames mutated
// anywhere, random and truncated control requests, redeploys, deploys). Each malformed
// call is refused with its own status; the process never dies, and serves its run
// throughout: it takes a good deploy after the bad ones, its run goes on producing output
// after the malformed frames, and after the rest it still answers and stops cleanly.
// Bounded by counts of calls; every wait is for an answer or an event.

import {
  ChannelCredentials,
  type Client,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenMetadata } from "../../cloud/auth.js";
import {
  ControlRequest,
  ControlService,
  DeployRequest as DeployCodec,
  type DeployRequest,
  RedeployRequest,
} from "../../cloud/gen/seep/v1/seep.js";
import { BatchBuilder, encodeBatch, FT_STRATEGIES } from "../../engine/index.js";
import {
  blankControl,
  call,
  controlClient,
  frameBytes,
  type Outcome,
  OutputWatch,
  type SpawnedWorker,
  sendFrames,
  spawnWorker,
  startAll,
  wordcountDeploy,
} from "./workerCalls.js";

const TOKEN = "fuzz-token";
const auth = tokenMetadata(TOKEN);

/** A Control client that sends requests as raw bytes (random, truncated). */
const RawControl = makeGenericClientConstructor(
  {
    deploy: { ...ControlService.deploy, requestSerialize: (b: Buffer) => b },
    send: { ...ControlService.send, requestSerialize: (b: Buffer) => b },
    redeploy: { ...ControlService.redeploy, requestSerialize: (b: Buffer) => b },
  },
  "seep.v1.Control",
);
type RawMethod = "deploy" | "send" | "redeploy";

function raw(client: Client, method: RawMethod, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) =>
    (client as unknown as Record<RawMethod, (...a: unknown[]) => void>)[method](
      bytes,
      auth,
      { deadline: Date.now() + 60_000 },
      (err: ServiceError | null) =>
        resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: "" }),
    ),
  );
}

/** Deploy fields whose every value drawn here is wrong (so no draw can be a valid deploy). */
function badDeployFields(address: string): fc.Arbitrary<Partial<DeployRequest>> {
  const notAnObject = fc.oneof(
    // "" means no params (the defaults), a valid deploy.
    fc.string({ minLength: 1 }).filter((s) => {
      try {
        const v = JSON.parse(s);
        return typeof v !== "object" || v === null || Array.isArray(v);
      } catch {
        return true;
      }
    }),
    fc
      .dictionary(
        fc.string().map((k) => `x_${k}`),
        fc.jsonValue(),
        { minKeys: 1 },
      )
      .map((d) => JSON.stringify(d)),
  );
  const notFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
  const field = fc.oneof(
    fc
      .string()
      .filter((s) => !["wordcount", "packets", "lrb"].includes(s))
      .map((workload) => ({ workload })),
    notAnObject.map((paramsJson) => ({ paramsJson })),
    fc
      .array(
        fc.record({
          id: fc.nat(),
          operator: fc.nat(),
          index: fc.nat(),
          firstKeyGroup: fc.nat(),
          lastKeyGroup: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
          vm: fc.nat(),
        }),
        { maxLength: 12 },
      )
      .filter((xs) => !xs.some((x) => x.id <= 5))
      .map((instances) => ({ instances })),
    fc.array(fc.integer({ min: 6, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 4 }).map((extra) => ({
      hosted: [0, ...extra],
    })),
    fc
      .oneof(fc.constant(0), fc.integer({ min: 10_000_001, max: 2 ** 32 - 1 }))
      .map((batchSize) => ({ batchSize })),
    fc
      .oneof(notFinite, fc.double({ max: 0 }), fc.double({ min: 86_400_001, noNaN: true }))
      .map((sourcePollMs) => ({
        sourcePollMs,
      })),
    fc
      .oneof(notFinite, fc.double({ max: -Number.MIN_VALUE, noNaN: true }))
      .map((replaySpeed) => ({ replaySpeed })),
    notFinite.map((startEpochMs) => ({ startEpochMs })),
    fc
      .string({ minLength: 1 })
      .filter((s) => !(FT_STRATEGIES as readonly string[]).includes(s))
      .map((faultTolerance) => ({ faultTolerance })),
    fc
      .string()
      .filter((s) => !/:\d+$/.test(s)) // no port: never host:port
      .map((a) => ({ addresses: { 0: a, 1: address } })),
  );
  return fc.array(field, { minLength: 1, maxLength: 3 }).map((fs) => Object.assign({}, ...fs));
}

describe("seep worker fed random calls with the token", () => {
  let worker: SpawnedWorker;
  let control: ReturnType<typeof controlClient>;
  let rawControl: Client;
  let watch: OutputWatch;
  let good: DeployRequest;

  beforeAll(async () => {
    worker = await spawnWorker(TOKEN);
    control = controlClient(worker.address);
    rawControl = new RawControl(worker.address, ChannelCredentials.createInsecure());
    watch = new OutputWatch(control, TOKEN);
    good = wordcountDeploy(worker.address);
  });

  afterAll(() => {
    watch?.close();
    control?.close();
    rawControl?.close();
    if (worker !== undefined && worker.child.exitCode === null) worker.child.kill("SIGKILL");
  });

  /** Fails the test at once if the worker has died. */
  const alive = () => expect(worker.child.exitCode, `the worker died: ${worker.stderr()}`).toBeNull();

  it("refuses random, truncated and wrong deploys with INVALID_ARGUMENT, then takes a good one and runs it", async () => {
    const goodBytes = Buffer.from(DeployCodec.encode(good).finish());
    // Truncated before batch_size (field 8): whatever the cut, a deploy without it is wrong.
    const batchSizeAt = Buffer.from(
      DeployCodec.encode({
        ...good,
        batchSize: 0,
        sourcePollMs: 0,
        startEpochMs: 0,
        replaySpeed: 0,
        faultTolerance: "",
      }).finish(),
    ).length;
    const deployBytes = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
      fc.integer({ min: 0, max: batchSizeAt - 1 }).map((n) => goodBytes.subarray(0, n)),
      badDeployFields(worker.address).map((f) => Buffer.from(DeployCodec.encode({ ...good, ...f }).finish())),
    );
    await fc.assert(
      fc.asyncProperty(deployBytes, async (bytes) => {
        const outcome = await raw(rawControl, "deploy", bytes);
        alive();
        expect(outcome.code, outcome.details).toBe(status.INVALID_ARGUMENT);
      }),
      { numRuns: 400 },
    );
    expect((await call(control, control.deploy, good, auth)).code).toBe(status.OK);
    await startAll(control, TOKEN, good.instances.length);
    await watch.more(3);
  });

  it("refuses malformed frames with INVALID_ARGUMENT, one stream each, and its run goes on", async () => {
    // lines#0 -> split#1, #2 (edge 0): frames for split#1 from lines#0, broken in every way.
    const b = new BatchBuilder(0);
    for (let i = 0; i < 20; i++) b.push(i, i, i + 1, `line ${i} of words`);
    const batch = Buffer.from(encodeBatch(b.build(20)));
    const goodFrame = frameBytes({ edge: 0, sender: 0, receiver: 1, batch });
    const withU32 = (at: number, v: number) => {
      const x = Buffer.from(batch);
      x.writeUInt32LE(v, at);
      return frameBytes({ edge: 0, sender: 0, receiver: 1, batch: x });
    };
    const frames = fc.oneof(
      // random bytes as a whole frame, or as a batch that does not start with the magic
      fc.uint8Array({ minLength: 1, maxLength: 600 }).map((x) => Buffer.from(x)),
      fc
        .uint8Array({ maxLength: 600 })
        .filter((x) => x.length < 4 || Buffer.from(x).readUInt32LE(0) !== 0x31424553)
        .map((x) => frameBytes({ edge: 0, sender: 0, receiver: 1, batch: Buffer.from(x) })),
      // the frame, or its batch, cut short
      fc.integer({ min: 0, max: goodFrame.length - 1 }).map((n) => goodFrame.subarray(0, n)),
      fc
        .integer({ min: 0, max: batch.length - 1 })
        .map((n) => frameBytes({ edge: 0, sender: 0, receiver: 1, batch: batch.subarray(0, n) })),
      // a header claiming more tuples or fields than there are, or a cut that is not there
      fc.integer({ min: 21, max: 2 ** 32 - 1 }).map((n) => withU32(4, n)),
      fc.integer({ min: 1, max: 2 ** 32 - 1 }).map((f) => withU32(8, f)),
      fc.constant(withU32(12, 3)),
      // values that are not a JSON array of 20
      fc.string({ minLength: 1, maxLength: 40 }).map((text) => {
        const numeric = 32 + 24 * 20;
        const json = Buffer.from(text.startsWith("[") ? `${text}\u0000` : text);
        const x = Buffer.concat([batch.subarray(0, numeric), Buffer.alloc(4), json]);
        x.writeUInt32LE(json.length, numeric);
        return frameBytes({ edge: 0, sender: 0, receiver: 1, batch: x });
      }),
      // an edge the receiver does not have
      fc
        .integer({ min: 1, max: 2 ** 32 - 1 })
        .map((edge) => frameBytes({ edge, sender: 0, receiver: 1, batch })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 1, maxLength: 3 }), async (fs) => {
        const outcome = await sendFrames(worker.address, auth, fs);
        alive();
        expect(outcome.code, outcome.details).toBe(status.INVALID_ARGUMENT);
      }),
      { numRuns: 400 },
    );
    await watch.more(3);
    expect(watch.failures).toEqual([]);
  });

  it("survives anything else a caller with the token sends, answers, and stops cleanly", async () => {
    const types = [
      "start",
      "pause",
      "resume",
      "stop",
      "rewind",
      "retire",
      "shadow",
      "restoreBackup",
      "reportCut",
      "reopenChannel",
      "replaceSender",
      "suppressOutput",
      "snapshot",
      "marker",
      "checkpoint",
      "mark",
      "catchUp",
      "backup",
      "restore",
      "rebuild",
      "ack",
      "replayKept",
      "replay",
      "checkpointWhenReceived",
      "addSender",
      "shed",
      "reroute",
    ];
    const text = fc.oneof(fc.string(), fc.json(), fc.constant(""), fc.constant("[[0,0,1,5]]"));
    const controlRequest = fc.record({
      instance: fc.integer({ min: 0, max: 8 }),
      type: fc.oneof(fc.constantFrom(...types), fc.string()),
      checkpointId: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      edge: fc.integer({ min: 0, max: 4 }),
      receiver: fc.integer({ min: 0, max: 8 }),
      seq: fc.double(),
      checkpoint: fc.uint8Array({ maxLength: 200 }).map((x) => Buffer.from(x)),
      routingJson: text,
      incarnation: fc.integer({ min: 0, max: 3 }),
      checkpointHead: text,
      beforeTimeMs: fc.double(),
      extraJson: text,
    });
    const controlBytes = fc.oneof(
      controlRequest.map((r) => Buffer.from(ControlRequest.encode({ ...blankControl(), ...r }).finish())),
      controlRequest.chain((r) => {
        const bytes = Buffer.from(ControlRequest.encode({ ...blankControl(), ...r }).finish());
        return fc.integer({ min: 0, max: bytes.length }).map((n) => bytes.subarray(0, n));
      }),
      fc.uint8Array({ maxLength: 300 }).map((x) => Buffer.from(x)),
    );
    const spec = fc.record({
      id: fc.integer({ min: 0, max: 12 }),
      operator: fc.integer({ min: 0, max: 5 }),
      index: fc.integer({ min: 0, max: 3 }),
      firstKeyGroup: fc.integer({ min: 0, max: 200 }),
      lastKeyGroup: fc.integer({ min: -1, max: 200 }),
      vm: fc.integer({ min: 0, max: 3 }),
    });
    // Only loopback addresses: this worker's, and a port nothing listens on.
    const address = fc.constantFrom(worker.address, "127.0.0.1:1", "nowhere", "");
    const redeployBytes = fc
      .record({
        instances: fc.array(spec, { maxLength: 4 }),
        addresses: fc.dictionary(fc.integer({ min: 0, max: 12 }).map(String), address),
        incarnations: fc.dictionary(
          fc.integer({ min: 0, max: 12 }).map(String),
          fc.integer({ min: 0, max: 5 }),
        ),
        fresh: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }),
      })
      .chain((r) => {
        const bytes = Buffer.from(RedeployRequest.encode(r as never).finish());
        return fc.oneof(
          fc.constant(bytes),
          fc.integer({ min: 0, max: bytes.length }).map((n) => bytes.subarray(0, n)),
        );
      });
    const b = new BatchBuilder(0);
    for (let i = 0; i < 10; i++) b.push(i, 100_000 + i, 1_000_000 + i, `word ${i}`);
    const batch = Buffer.from(encodeBatch(b.build(100_010, 999_999)));
    const mutatedFrame = fc
      .record({
        edge: fc.integer({ min: 0, max: 3 }),
        sender: fc.integer({ min: 0, max: 8 }),
        receiver: fc.integer({ min: 0, max: 8 }),
        flips: fc.array(fc.record({ at: fc.nat(batch.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 4,
        }),
      })
      .map(({ edge, sender, receiver, flips }) => {
        const x = Buffer.from(batch);
        for (const f of flips) x[f.at] = f.byte;
        return frameBytes({ edge, sender, receiver, batch: x });
      });
    const anyCall = fc.oneof(
      { weight: 5, arbitrary: controlBytes.map((bytes) => ({ kind: "send" as const, bytes })) },
      { weight: 2, arbitrary: mutatedFrame.map((bytes) => ({ kind: "frame" as const, bytes })) },
      { weight: 1, arbitrary: redeployBytes.map((bytes) => ({ kind: "redeploy" as const, bytes })) },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ maxLength: 300 })
          .map((x) => ({ kind: "deploy" as const, bytes: Buffer.from(x) })),
      },
    );
    const answered = new Set<number>([status.OK, status.INVALID_ARGUMENT, status.FAILED_PRECONDITION]);
    await fc.assert(
      fc.asyncProperty(anyCall, async (c) => {
        const outcome =
          c.kind === "frame"
            ? await sendFrames(worker.address, auth, [c.bytes])
            : await raw(rawControl, c.kind, c.bytes);
        alive();
        expect(answered, `${c.kind}: ${outcome.code} ${outcome.details}`).toContain(outcome.code);
      }),
      { numRuns: 1500 },
    );
    expect((await call(control, control.heartbeat, {}, auth)).code).toBe(status.OK);
    expect((await call(control, control.deploy, good, auth)).details).toMatch(/already runs a deployment/);
    // The worker exits as it answers: the answer may be cut off (CANCELLED), the exit code tells.
    expect([status.OK, status.CANCELLED, status.UNAVAILABLE]).toContain(
      (await call(control, control.stop, {}, auth)).code,
    );
    expect(await worker.exited, worker.stderr()).toBe(0);
    // What it wrote: one line per failed task or refused stream, never a stack trace.
    for (const line of worker
      .stderr()
      .split("\n")
      .filter((l) => l !== ""))
      expect(line).toMatch(
        /^seep: worker 127\.0\.0\.1:\d+: (instance -?\d+ failed |refused a data stream: )/,
      );
  });
});
