// A worker as the network sees it: it refuses calls without the token, by default listens
// on loopback only, and survives malformed calls from a caller with the token: each is
// refused with INVALID_ARGUMENT naming what is wrong, a message past its bound with
// RESOURCE_EXHAUSTED, and the run it serves goes on. Every server here binds 127.0.0.1 and
// is shut down.

import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { Metadata, status } from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tokenMetadata } from "../../cloud/auth.js";
import type { ControlClient, DeployRequest } from "../../cloud/gen/seep/v1/seep.js";
import { Worker } from "../../cloud/worker.js";
import { BatchBuilder, encodeBatch } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import {
  blankControl,
  call,
  controlClient,
  frameBytes,
  OutputWatch,
  sendFrames,
  startAll,
  wordcountDeploy,
} from "./workerCalls.js";

const TOKEN = "secret-token";
const auth = tokenMetadata(TOKEN);
const workers: Worker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.stop();
});

async function startWorker(
  options: { token?: string; messageBytesMax?: number } = {},
): Promise<{ worker: Worker; client: ControlClient; address: string; failures: string[] }> {
  const failures: string[] = [];
  const worker = new Worker({
    listen: "127.0.0.1:0",
    token: options.token ?? TOKEN,
    messageBytesMax: options.messageBytesMax,
    resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    report: (line) => failures.push(line),
  });
  workers.push(worker);
  const port = await worker.start();
  const address = `127.0.0.1:${port}`;
  return { worker, client: controlClient(address), address, failures };
}

describe("Worker", () => {
  it("refuses every call without the token, or with a wrong one, and answers one with it", async () => {
    const { client, address } = await startWorker();
    for (const md of [new Metadata(), tokenMetadata("wrong")]) {
      expect((await call(client, client.heartbeat, {}, md)).code).toBe(status.UNAUTHENTICATED);
      expect((await call(client, client.deploy, wordcountDeploy(address), md)).code).toBe(
        status.UNAUTHENTICATED,
      );
      expect((await call(client, client.send, blankControl(), md)).code).toBe(status.UNAUTHENTICATED);
      expect((await call(client, client.stop, {}, md)).code).toBe(status.UNAUTHENTICATED);
      expect((await sendFrames(address, md, [])).code).toBe(status.UNAUTHENTICATED);
    }
    expect((await call(client, client.heartbeat, {}, auth)).code).toBe(status.OK);
    client.close();
  });

  it("refuses a watch stream without the token", async () => {
    const { client } = await startWorker();
    const code = await new Promise<number>((resolve) => {
      const watch = client.watch({}, new Metadata());
      watch.on("error", (e: { code: number }) => resolve(e.code));
      watch.on("data", () => resolve(-1));
    });
    expect(code).toBe(status.UNAUTHENTICATED);
    client.close();
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;

  it.skipIf(external === undefined)(
    "bound by default, is not reachable on a non-loopback address",
    async () => {
      const { worker, client } = await startWorker();
      client.close();
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: external, port: worker.port, timeout: 2000 });
        socket.once("connect", () => {
          socket.destroy();
          resolve("connected");
        });
        socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
        socket.once("timeout", () => {
          socket.destroy();
          resolve("timeout");
        });
      });
      expect(outcome).not.toBe("connected");
    },
  );

  it("refuses a message larger than its bound with RESOURCE_EXHAUSTED, and goes on serving", async () => {
    const { client, address } = await startWorker({ messageBytesMax: 1024 * 1024 });
    const big = {
      ...wordcountDeploy(address),
      paramsJson: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }),
    };
    const deploy = await call(client, client.deploy, big, auth);
    expect(deploy.code).toBe(status.RESOURCE_EXHAUSTED);
    const frame = frameBytes({ edge: 0, sender: 0, receiver: 1, batch: Buffer.alloc(2 * 1024 * 1024) });
    expect((await sendFrames(address, auth, [frame])).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await call(client, client.deploy, wordcountDeploy(address), auth)).code).toBe(status.OK);
    client.close();
  });
});

describe("Worker with a small message bound", () => {
  it("reports an output or a checkpoint its coordinator would refuse as a failed task, and keeps its watch stream", async () => {
    const { client, address, failures } = await startWorker({ messageBytesMax: 1024 });
    const deploy = wordcountDeploy(address);
    const watch = new OutputWatch(client, TOKEN);
    let broken = false;
    watch.onError(() => {
      broken = true;
    });
    expect((await call(client, client.deploy, deploy, auth)).code).toBe(status.OK);
    await startAll(client, TOKEN, deploy.instances.length);
    // A window's counts (some 800 bytes) are over half of 1 KiB: reported, not sent.
    await watch.failed(/a sink's output batch of \d+ bytes is over the run's message bound of 1024/);
    // count#3 holds a window's words by now: its checkpoint is more than half of 1 KiB too.
    const checkpoint = { ...blankControl(), instance: 3, type: "checkpoint", checkpointId: 1 };
    expect((await call(client, client.send, checkpoint, auth)).code).toBe(status.OK);
    await watch.failed(/checkpointed/);
    expect(failures.find((f) => f.includes('"checkpointed"'))).toMatch(
      /^instance 3 failed to send its coordinator a message: a "checkpointed" reply's checkpoint of \d+ bytes is over the run's message bound of 1024/,
    );
    expect(broken).toBe(false);
    watch.close();
    client.close();
  });
});

/** A batch of lines as the word count's source sends them to its split. */
function linesBatch(): Uint8Array {
  const b = new BatchBuilder(0);
  b.push(1, 10, 1, "the quick brown fox");
  b.push(2, 11, 2, "jumps over");
  return encodeBatch(b.build(11));
}

/** A batch of a line with two numeric fields, which the source's edge does not carry. */
function twoFields(): Uint8Array {
  const b = new BatchBuilder(2);
  b.push(1, 10, 1, "a line", [1, 2]);
  return encodeBatch(b.build(10));
}

/** `bytes` with the u32 at `at` set to `value`. */
function withU32(bytes: Uint8Array, at: number, value: number): Buffer {
  const b = Buffer.from(bytes);
  b.writeUInt32LE(value, at);
  return b;
}

/** A batch of `n` tuples without fields whose values column holds `json`. */
function withValues(n: number, json: string): Buffer {
  const text = Buffer.from(json, "utf8");
  const b = Buffer.alloc(32 + 24 * n + 4 + text.length);
  b.writeUInt32LE(0x31424553, 0);
  b.writeUInt32LE(n, 4);
  b.writeUInt32LE(1, 12);
  b.writeUInt32LE(text.length, 32 + 24 * n);
  text.copy(b, 32 + 24 * n + 4);
  return b;
}

describe("Worker against malformed calls from a caller with the token", () => {
  let client: ControlClient;
  let address: string;
  let watch: OutputWatch;
  let failures: string[];
  let deployed: DeployRequest;
  let live: Worker;

  beforeAll(async () => {
    const w = await startWorker();
    workers.splice(workers.indexOf(w.worker), 1); // kept for the whole describe
    live = w.worker;
    ({ client, address, failures } = w);
    deployed = wordcountDeploy(address);
    watch = new OutputWatch(client, TOKEN);
    expect((await call(client, client.deploy, deployed, auth)).code).toBe(status.OK);
    await startAll(client, TOKEN, deployed.instances.length);
    await watch.more(1);
  });

  afterAll(() => {
    watch.close();
    client.close();
    live.stop();
  });

  // The word count on one worker: lines#0 -> split#1, #2 (edge 0) -> count#3, #4 (edge 1) -> sink#5.
  const frame = (batch: Uint8Array, edge = 0, receiver = 1) =>
    frameBytes({ edge, sender: 0, receiver, batch: Buffer.from(batch) });

  const probes: [string, Buffer, RegExp][] = [
    ["bad magic", frame(withU32(linesBatch(), 0, 0x12345678)), /bad magic/],
    ["an empty batch", frame(new Uint8Array(0)), /needs 32 bytes, got 0/],
    [
      "random bytes",
      frame(Buffer.from("a7f3c9d01b2e4f5a6c7d8e9fa0b1c2d3e4f5a6b7c8d9e0f1".repeat(2), "hex")),
      /bad magic/,
    ],
    [
      "a tuple count past the end",
      frame(withU32(linesBatch(), 4, 1_000_000)),
      /truncated batch: .* 1000000 tuples/,
    ],
    ["values that are not JSON", frame(withValues(1, "[not json")), /on edge 0: .*JSON/],
    [
      "values of another length than the batch",
      frame(withValues(2, '["a"]')),
      /values do not match its length/,
    ],
    ["a cut flagged but missing", frame(withU32(linesBatch(), 12, 3)), /truncated batch cut/],
    ["an edge the receiver does not have", frame(linesBatch(), 5), /edge 5 is not one of its input edges/],
    ["numeric fields the edge does not carry", frame(twoFields()), /2 numeric fields, the edge carries 0/],
    [
      "bytes that are not a DataFrame",
      Buffer.from([0x22, 0xff, 0xff, 0xff, 0x0f, 1]),
      /DataPlane\/Stream: the request is not a valid message/,
    ],
  ];

  it.each(probes)(
    "ends a data stream carrying %s with INVALID_ARGUMENT naming it",
    async (_what, bytes, why) => {
      const outcome = await sendFrames(address, auth, [bytes]);
      expect(outcome.code).toBe(status.INVALID_ARGUMENT);
      expect(outcome.details).toMatch(why);
    },
  );

  it("takes a well-formed frame on the same kind of stream", async () => {
    expect((await sendFrames(address, auth, [frame(linesBatch())])).code).toBe(status.OK);
  });

  const control = (fields: Partial<ReturnType<typeof blankControl>>) => ({
    ...blankControl(),
    instance: 1,
    ...fields,
  });
  const controls: [string, ReturnType<typeof blankControl>, number, RegExp][] = [
    [
      "an unknown type",
      control({ type: "explode" }),
      status.INVALID_ARGUMENT,
      /unknown control message type "explode"/,
    ],
    [
      "extra_json that is not JSON",
      control({ type: "retire", extraJson: "[[" }),
      status.INVALID_ARGUMENT,
      /extra_json is not JSON/,
    ],
    [
      "rows that are not positions",
      control({ type: "retire", extraJson: "[[1]]" }),
      status.INVALID_ARGUMENT,
      /malformed row/,
    ],
    [
      "an edge the instance does not send on",
      control({ type: "ack", edge: 9 }),
      status.INVALID_ARGUMENT,
      /edge 9 is not one of its output edges/,
    ],
    [
      "an edge the instance does not receive on",
      control({ type: "addSender", edge: 1 }),
      status.INVALID_ARGUMENT,
      /edge 1 is not one of its input edges/,
    ],
    [
      "a shed rate outside [0, 1]",
      control({ type: "shed", seq: 7 }),
      status.INVALID_ARGUMENT,
      /rate 7 is not in \[0, 1\]/,
    ],
    [
      "a restore without a checkpoint",
      control({ type: "restore" }),
      status.INVALID_ARGUMENT,
      /carries no checkpoint/,
    ],
    [
      "a checkpoint head that is not JSON",
      control({ type: "backup", checkpoint: Buffer.from([1, 2, 3]), checkpointHead: "{" }),
      status.INVALID_ARGUMENT,
      /./,
    ],
    [
      "routing that is not JSON",
      control({ type: "reroute", routingJson: "nope" }),
      status.INVALID_ARGUMENT,
      /routing_json is not JSON/,
    ],
    [
      "an instance not hosted here",
      control({ type: "start", instance: 77 }),
      status.FAILED_PRECONDITION,
      /not hosted here/,
    ],
  ];

  it.each(controls)(
    "answers a control request with %s with its status, naming it",
    async (_what, req, code, why) => {
      const outcome = await call(client, client.send, req, auth);
      expect(outcome.code).toBe(code);
      expect(outcome.details).toMatch(why);
    },
  );

  it("reports a control message the instance's state refuses, instead of dying", async () => {
    const before = failures.length;
    expect((await call(client, client.send, control({ type: "start" }), auth)).code).toBe(status.OK);
    await watch.more(1); // the report goes out before the next output, as the task runs first
    expect(failures.slice(before)).toEqual([
      expect.stringMatching(/instance 1 failed control "start": .*cannot handle "start"/),
    ]);
    expect(watch.failures.at(-1)).toMatch(/instance 1 failed control "start"/);
  });

  it("refuses a second deploy and malformed redeploys, and goes on running the first", async () => {
    expect((await call(client, client.deploy, deployed, auth)).details).toMatch(/already runs a deployment/);
    const spec = deployed.instances[1];
    const redeploys: [Partial<Parameters<ControlClient["redeploy"]>[0]>, RegExp][] = [
      [{ instances: [{ ...spec, operator: 40 }] }, /operator 40, not one of the plan's 4/],
      [{ instances: [spec], fresh: [9] }, /fresh instance 9 is not among the instances/],
      [{ instances: [spec], addresses: { 1: "no port" } }, /"no port" is not host:port/],
    ];
    for (const [fields, why] of redeploys) {
      const outcome = await call(
        client,
        client.redeploy,
        { instances: [], addresses: {}, incarnations: {}, fresh: [], ...fields },
        auth,
      );
      expect(outcome.code).toBe(status.INVALID_ARGUMENT);
      expect(outcome.details).toMatch(why);
    }
    await watch.more(3);
    expect((await call(client, client.heartbeat, {}, auth)).code).toBe(status.OK);
  });
});

describe("Worker refusing malformed deploys", () => {
  it("answers each with INVALID_ARGUMENT naming what is wrong, and then takes a good one", async () => {
    const { client, address } = await startWorker();
    const good = wordcountDeploy(address, { lines: 50 });
    const spec = good.instances[2];
    const cases: [Partial<DeployRequest>, RegExp][] = [
      [{ paramsJson: "{lines:" }, /params_json is not JSON/],
      [{ paramsJson: "[1, 2]" }, /params_json is not a JSON object/],
      [{ workload: "" }, /workload is empty/],
      [{ workload: "bitcoin" }, /unknown workload "bitcoin"/],
      [{ paramsJson: '{"lines": -5}' }, /params/],
      [{ instances: [] }, /instances is empty/],
      [{ instances: [...good.instances, { ...spec }] }, /instance 2 appears twice/],
      [{ instances: [{ ...spec, operator: 1e6 }] }, /operator 1000000, not one of the plan's/],
      [
        { instances: [{ ...spec, firstKeyGroup: 0, lastKeyGroup: 1e6 }] },
        /instance 2 owns key groups \[0\.\.1000000\], past operator "split"'s 128/,
      ],
      [{ hosted: [42] }, /hosted instance 42 is not among the instances/],
      [{ hosted: [1, 1] }, /hosted names an instance twice/],
      [{ batchSize: 0 }, /batch_size 0 is not in 1\.\./],
      [{ sourcePollMs: 0 }, /source_poll_ms 0 is not in/],
      [{ sourcePollMs: Number.NaN }, /source_poll_ms NaN is not in/],
      [{ replaySpeed: -1 }, /replay_speed -1 is not in/],
      [{ startEpochMs: Number.POSITIVE_INFINITY }, /start_epoch_ms Infinity is not finite/],
      [{ faultTolerance: "prayer" }, /fault_tolerance "prayer" is not one of/],
      [{ addresses: { 0: "127.0.0.1:99999" } }, /address of instance 0 "127.0.0.1:99999" is not host:port/],
    ];
    for (const [fields, why] of cases) {
      const outcome = await call(client, client.deploy, { ...good, ...fields }, auth);
      expect(outcome.code, JSON.stringify(fields).slice(0, 80)).toBe(status.INVALID_ARGUMENT);
      expect(outcome.details).toMatch(why);
    }
    expect((await call(client, client.deploy, good, auth)).code).toBe(status.OK);
    client.close();
  });
});
