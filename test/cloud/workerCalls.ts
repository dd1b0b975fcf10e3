// Calls to a worker the way a coordinator or a peer makes them, for the worker tests: a
// deploy of a whole word count on one worker, unary calls whose outcome is a status code,
// data streams of raw frames, a watch stream counting sink outputs, and a `seep worker`
// process spawned as a pool would (token in SEEP_TOKEN, bound to 127.0.0.1).

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  type ChannelCredentials,
  ChannelCredentials as Credentials,
  type Metadata,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { tokenMetadata } from "../../cloud/auth.js";
import { specMessage } from "../../cloud/deployment.js";
import { FrameDataPlaneClient } from "../../cloud/frameCodec.js";
import {
  ControlClient,
  ControlRequest,
  type DataFrame,
  DataFrame as DataFrameCodec,
  type DeployRequest,
} from "../../cloud/gen/seep/v1/seep.js";
import { physicalPlan } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";

/** The outcome of a call: its status code and details. */
export interface Outcome {
  readonly code: number;
  readonly details: string;
}

/** Parameters of a word count that goes on for minutes, firing a window every 100 ms. */
export const LONG_WORDCOUNT = { lines: 1_000_000, lineIntervalMs: 1, windowSizeMs: 100, windowSlideMs: 100 };

/** A deploy of every instance of a word count onto the one worker at `address`. */
export function wordcountDeploy(
  address: string,
  params: Record<string, unknown> = LONG_WORDCOUNT,
): DeployRequest {
  const plan = physicalPlan(workloadPlan("wordcount", params, 1), { vms: 1 });
  return {
    runId: "test",
    workload: "wordcount",
    paramsJson: JSON.stringify(params),
    seed: 1,
    instances: plan.instances.map(specMessage),
    addresses: Object.fromEntries(plan.instances.map((i) => [i.id, address])),
    hosted: plan.instances.map((i) => i.id),
    batchSize: 64,
    sourcePollMs: 20,
    startEpochMs: Date.now(),
    replaySpeed: 1,
    faultTolerance: "none",
    incarnations: {},
    bufferOutput: false,
    ackProcessedEvery: 0,
    stampOutputCuts: false,
  };
}

/** A unary method of a ControlClient. */
export type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: Res) => void,
) => unknown;

/** Call `method` of `client` (bound to it); resolves with its error (null: OK) and answer. */
function invoke<Req, Res>(
  client: ControlClient,
  method: Unary<Req, Res>,
  request: Req,
  metadata: Metadata,
  deadlineMs: number,
): Promise<{ error: ServiceError | null; response?: Res }> {
  return new Promise((resolve) =>
    method.call(client, request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) =>
      resolve({ error, response }),
    ),
  );
}

/** Call `method` of `client` (bound to it); resolves with the status, never rejects. */
export async function call<Req, Res>(
  client: ControlClient,
  method: Unary<Req, Res>,
  request: Req,
  metadata: Metadata,
  deadlineMs = 120_000,
): Promise<Outcome> {
  const { error } = await invoke(client, method, request, metadata, deadlineMs);
  return error ? { code: error.code, details: error.details } : { code: status.OK, details: "" };
}

/** The answer of a unary call that must succeed; rejects with its status code and details otherwise. */
export async function ask<Req, Res>(
  client: ControlClient,
  method: Unary<Req, Res>,
  request: Req,
  metadata: Metadata,
  deadlineMs = 120_000,
): Promise<Res> {
  const { error, response } = await invoke(client, method, request, metadata, deadlineMs);
  if (error) throw new Error(`${error.code}: ${error.details}`);
  return response as Res;
}

/** Start every instance of a deployment (ids 0..n-1), as the coordinator does. */
export async function startAll(client: ControlClient, token: string, n: number): Promise<void> {
  for (let id = 0; id < n; id++) {
    const o = await call(
      client,
      client.send,
      { ...blankControl(), instance: id, type: "start" },
      tokenMetadata(token),
    );
    if (o.code !== status.OK) throw new Error(`start of instance ${id}: ${o.details}`);
  }
}

/** A ControlRequest with every field at its default. */
export function blankControl(): ControlRequest {
  return ControlRequest.fromPartial({});
}

/** A DataFrame's protobuf bytes, with any batch bytes. */
export function frameBytes(frame: DataFrame): Buffer {
  return Buffer.from(DataFrameCodec.encode(frame).finish());
}

/**
 * Open a data stream to `address`, write `frames` (raw protobuf bytes) and end it; resolves
 * with how the worker ended the stream (OK: it took them all).
 */
export function sendFrames(
  address: string,
  metadata: Metadata,
  frames: readonly Buffer[],
  credentials: ChannelCredentials = Credentials.createInsecure(),
): Promise<Outcome> {
  const client = new FrameDataPlaneClient(address, credentials);
  return new Promise<Outcome>((resolve) => {
    const stream = client.stream(metadata);
    stream.on("data", () => {});
    stream.on("error", (e: ServiceError) => resolve({ code: e.code, details: e.details }));
    stream.on("status", (s: { code: number; details: string }) =>
      resolve({ code: s.code, details: s.details }),
    );
    for (const f of frames) stream.write(f);
    stream.end();
  }).finally(() => client.close());
}

/** Counts the sink outputs a worker reports on a watch stream, and its task failure reports. */
export class OutputWatch {
  outputs = 0;
  readonly failures: string[] = [];
  private readonly stream;
  private waiters: { target: number; resolve: () => void }[] = [];
  private failureWaiters: { pattern: RegExp; resolve: () => void }[] = [];
  private readonly errorListeners: (() => void)[] = [];
  constructor(client: ControlClient, token: string) {
    this.stream = client.watch({}, tokenMetadata(token));
    this.stream.on("data", (e: { output?: unknown; reply?: { type: string; extraJson: string } }) => {
      if (e.reply?.type === "taskFailed") {
        const line = JSON.parse(e.reply.extraJson) as string;
        this.failures.push(line);
        this.failureWaiters = this.failureWaiters.filter((w) => {
          if (!w.pattern.test(line)) return true;
          w.resolve();
          return false;
        });
      }
      if (e.output === undefined) return;
      this.outputs++;
      this.waiters = this.waiters.filter((w) => {
        if (this.outputs < w.target) return true;
        w.resolve();
        return false;
      });
    });
    this.stream.on("error", () => {
      for (const l of this.errorListeners) l();
    });
  }
  /** Call `listener` if the stream breaks. */
  onError(listener: () => void): void {
    this.errorListeners.push(listener);
  }
  /** Resolves once a task failure report matching `pattern` has arrived (or had). */
  failed(pattern: RegExp): Promise<void> {
    if (this.failures.some((f) => pattern.test(f))) return Promise.resolve();
    return new Promise((resolve) => this.failureWaiters.push({ pattern, resolve }));
  }
  /** Resolves once `n` more outputs have arrived than now; rejects after `timeoutMs` (generous). */
  more(n: number, timeoutMs = 120_000): Promise<void> {
    const target = this.outputs + n;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no ${n} more sink outputs within ${timeoutMs} ms (${this.outputs - target + n})`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
  close(): void {
    this.stream.cancel();
  }
}

const bin = fileURLToPath(new URL("../../bin/seep.js", import.meta.url));

/** A `seep worker` process. */
export interface SpawnedWorker {
  readonly child: ChildProcess;
  readonly address: string;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** Resolves with its exit code (or signal) once it exits. */
  readonly exited: Promise<number | string>;
}

/** Spawn `seep worker --listen 127.0.0.1:0 ...args` with `token` in SEEP_TOKEN; resolves once it listens. */
export function spawnWorker(
  token: string,
  args: readonly string[] = [],
  timeoutMs = 120_000,
): Promise<SpawnedWorker> {
  const child = spawn(process.execPath, [bin, "worker", "--listen", "127.0.0.1:0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SEEP_TOKEN: token, SEEP_LEASE_MS: "0" },
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`seep worker did not listen within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /seep worker listening on (\S+)\n/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, address: m[1], stderr: () => err, exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`seep worker exited (${code}) before it listened: ${err}`));
    });
  });
}

/** A control client for `address`. */
export function controlClient(
  address: string,
  credentials: ChannelCredentials = Credentials.createInsecure(),
): ControlClient {
  return new ControlClient(address, credentials, { "grpc.max_send_message_length": -1 });
}
