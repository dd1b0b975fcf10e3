// Calibration of the simulator for the real runtime on this machine: what a run on local
// worker processes spends that the cost model's CPU figures do not cover, measured on
// local workers, and the simulator's parameters that stand for it.
//
// Runtime figures (`measureLocalRuntime`): a word count runs on 4 local workers and 3
// standbys (as sim-vs-real runs it: rsm, checkpoints every second), and while it runs the
// coordinator probes it:
//   control round trip  a `pause` to an instance and its `paused` reply (a call to the
//                       instance's worker, its turn in the instance's inbox, the reply on
//                       the watch stream), then `resume`; round robin over the instances
//   data round trip     a frame on a data stream to a worker, for an instance it does not
//                       host, and the credit it returns at once
//   stream open         a new data stream on an open connection, until its first credit
//                       (a sender's first frame to a receiver waits for it)
//   call, first call    an empty redeploy answered by a worker, on an open connection and
//                       on a new one (its TCP and HTTP/2 handshakes): reported, not used
//                       (workers open their connections to their neighbours ahead)
//   fan-out             empty redeploy calls to three workers at once, until the last answers
//                       (a redeploy's second half: telling every other worker)
//   cold deploy         each standby's first redeploy with an instance (a copy of a count
//                       instance no other worker knows of), built by code it never ran (a
//                       recovery's first half: the replacement's worker takes the instance)
//   detection           each standby SIGKILLed; until the coordinator's watch stream on it breaks
// Simulator parameters (`localRuntimeParameters`), means of the samples less the highest
// and lowest tenth (a chain of calls costs the sum of their means; one stall of a loaded
// machine should not decide it):
//   network.controlLatencyMs = network.replyLatencyMs = control round trip / 2
//   network.latencyMs        = data round trip / 2
//   network.connectMs        = stream open
//   pool.deployMs            = (cold deploy + fan-out) / 2 (a redeploy is two deploy calls)
//   faultTolerance.detectionMs = detection (the median: the first runs the coordinator's error path cold)
//
// Packet counter figures (`measurePacketCosts`), CPU time (not wall time, so that other
// processes on a busy machine do not inflate them): each operator's `tupleUs` from an
// instrumented in-process run of the packet counter (its CPU time less the cost model's
// per-batch charge, per tuple: emitting included, its `emitUs` 0), and the data plane's
// CPU per byte at each end, from frames of the packet counter's batches streamed over
// gRPC from a bare sender process that encodes them to a bare receiver process that
// decodes them (garbage collection of the frames included).

import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ChannelCredentials, credentials, type Metadata } from "@grpc/grpc-js";
import { tokenMetadata } from "../cloud/auth.js";
import { CloudRun } from "../cloud/cloudRun.js";
import { CONTROL_CHANNEL_OPTIONS } from "../cloud/controlForwarder.js";
import { encodeFrame, FrameDataPlaneClient } from "../cloud/frameCodec.js";
import { ControlClient } from "../cloud/gen/seep/v1/seep.js";
import type { LocalProcessPool } from "../cloud/localProcessPool.js";
import { specMessage } from "../cloud/recovery.js";
import type { CloudVm } from "../cloud/vmPool.js";
import { BatchBuilder, physicalPlan } from "../engine/index.js";
import { DEFAULT_COST_MODEL } from "../sim/costModel.js";
import { packetCounterPlan, workloadNamed } from "../workloads/index.js";
import { localWorkers } from "./largeStateWordCount.js";
import { collectGarbage, instrumentedRun, median, nowMs, type OperatorWork } from "./measure.js";

const root = fileURLToPath(new URL("../", import.meta.url));

/** The word count the runtime figures are measured on (sim-vs-real's, failure-free). */
export interface CalibrationRun {
  readonly params: Record<string, unknown>;
  readonly workers: number;
  readonly batchSize: number;
  readonly sourcePollMs: number;
  readonly checkpointIntervalMs: number;
}

/** Sim-vs-real's word count: a line a ms, windows of 1 s sliding by 500 ms, 4 workers. */
export const SIM_VS_REAL_RUN: CalibrationRun = {
  params: { lineIntervalMs: 1, windowSizeMs: 1_000, windowSlideMs: 500, parallelism: 2 },
  workers: 4,
  batchSize: 256,
  sourcePollMs: 20,
  checkpointIntervalMs: 1_000,
};

/** Samples measured on local workers (ms), and the load average when they were. */
export interface LocalRuntimeFigures {
  readonly controlRoundTripMs: readonly number[];
  readonly dataRoundTripMs: readonly number[];
  readonly streamOpenMs: readonly number[];
  readonly callMs: readonly number[];
  /** A standby's first redeploy with an instance (its code's first run). */
  readonly coldDeployMs: readonly number[];
  readonly firstCallMs: readonly number[];
  /** Empty redeploy calls to three workers at once, until the last answers. */
  readonly fanOutMs: readonly number[];
  readonly detectionMs: readonly number[];
  /** The 1-minute load average before and after. */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/** The simulator's parameters for local worker processes. */
export interface LocalRuntimeParameters {
  readonly network: {
    readonly latencyMs: number;
    readonly controlLatencyMs: number;
    readonly replyLatencyMs: number;
    readonly connectMs: number;
  };
  readonly pool: { readonly deployMs: number };
  readonly detectionMs: number;
}

/** The mean of `xs` less its highest and lowest tenth (NaN when empty). */
export function trimmedMean(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const cut = Math.floor(s.length / 10);
  const kept = s.slice(cut, s.length - cut);
  return kept.length === 0 ? Number.NaN : kept.reduce((a, b) => a + b, 0) / kept.length;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The simulator's parameters from the figures (see the file header). */
export function localRuntimeParameters(f: LocalRuntimeFigures): LocalRuntimeParameters {
  const control = round3(trimmedMean(f.controlRoundTripMs) / 2);
  return {
    network: {
      latencyMs: round3(trimmedMean(f.dataRoundTripMs) / 2),
      controlLatencyMs: control,
      replyLatencyMs: control,
      connectMs: round3(trimmedMean(f.streamOpenMs)),
    },
    // A recovery's redeploy: the standby's first (cold), then telling the others.
    pool: { deployMs: round3((trimmedMean(f.coldDeployMs) + trimmedMean(f.fanOutMs)) / 2) },
    // The median: a coordinator's first failure runs its error path cold.
    detectionMs: round3(median(f.detectionMs.filter((x) => Number.isFinite(x)))),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Options of the runtime measurement. */
export interface LocalRuntimeOptions {
  readonly quick: boolean;
  readonly run?: CalibrationRun;
}

/**
 * Figures of a quick measurement on this machine (2026-11-22, load average 3.5-4.5 on 2
 * cores; trimmed means, one sample each): what tests use in place of measuring.
 */
export const MEASURED_LOCAL_RUNTIME: LocalRuntimeFigures = {
  controlRoundTripMs: [3.29],
  dataRoundTripMs: [0.75],
  streamOpenMs: [2.2],
  callMs: [3.25],
  firstCallMs: [6.55],
  coldDeployMs: [19.2],
  fanOutMs: [10.6],
  detectionMs: [16.1],
  loadBefore: 3.49,
  loadAfter: 4.45,
};

/** Measure the runtime figures on local workers (see the file header); about 8 s quick. */
export async function measureLocalRuntime(o: LocalRuntimeOptions): Promise<LocalRuntimeFigures> {
  const shape = o.run ?? SIM_VS_REAL_RUN;
  const controlProbes = o.quick ? 24 : 60;
  const calls = o.quick ? 4 : 8;
  const deploys = o.quick ? 8 : 20;
  const seconds = o.quick ? 5 : 10;
  const params = { ...shape.params, lines: seconds * 1000 };
  const plan = workloadNamed("wordcount").plan(params, 1);
  const loadBefore = loadavg()[0];
  collectGarbage();
  const { pool, token } = localWorkers();
  const metadata = tokenMetadata(token);
  const paused = new Map<number, () => void>();
  let started: () => void = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  let detected: () => void = () => {};
  const run = new CloudRun({
    name: "calibrate",
    pool,
    poolKind: "local",
    workers: shape.workers,
    token,
    workload: "wordcount",
    params,
    plan,
    seed: 1,
    batchSize: shape.batchSize,
    sourcePollMs: shape.sourcePollMs,
    faultTolerance: {
      strategy: "rsm",
      checkpointIntervalMs: shape.checkpointIntervalMs,
      backupPlacement: "upstream",
    },
    standbyWorkers: 3,
    untilMs: seconds * 1000,
    onProgress: (runMs) => {
      if (runMs >= 1000) started();
    },
    onReply: (r) => {
      if (r.type === "paused") paused.get(r.instance)?.();
    },
    onFailure: () => detected(),
  });
  const done = run.run();
  try {
    await Promise.race([running, done]);
    const physical = physicalPlan(plan, { vms: shape.workers });
    const ids = physical.instances.map((i) => i.id);
    const controlRoundTripMs: number[] = [];
    for (let k = 0; k < controlProbes; k++) {
      const id = ids[k % ids.length];
      const t0 = nowMs();
      const answered = new Promise<number>((resolve) => paused.set(id, () => resolve(nowMs())));
      run.sendControl(id, { type: "pause" });
      const t1 = await Promise.race([answered, sleep(2000).then(() => Number.NaN)]);
      paused.delete(id);
      run.sendControl(id, { type: "resume" });
      controlRoundTripMs.push(t1 - t0);
      await sleep(20);
    }
    const addresses = run.vms.slice(0, shape.workers).map((vm) => vm.address);
    const call = (c: ControlClient) =>
      new Promise<number>((resolve) => {
        const t0 = nowMs();
        c.redeploy(
          { instances: [], addresses: {}, incarnations: {}, fresh: [] },
          metadata,
          { deadline: Date.now() + 5000 },
          (err) => resolve(err ? Number.NaN : nowMs() - t0),
        );
      });
    const clients: ControlClient[] = [];
    const firstCallMs: number[] = [];
    const callMs: number[] = [];
    for (let r = 0; r < calls; r++) {
      for (const address of addresses) {
        // A connection of its own, as a worker's first call to another opens one.
        const c = new ControlClient(address, credentials.createInsecure(), {
          ...CONTROL_CHANNEL_OPTIONS,
          "grpc.use_local_subchannel_pool": 1,
        });
        firstCallMs.push(await call(c));
        await sleep(5);
        callMs.push(await call(c));
        if (r === 0) clients.push(c);
        else c.close();
        await sleep(5);
      }
    }
    const fanOutMs: number[] = [];
    for (let k = 0; k < deploys; k++) {
      const left = k % clients.length;
      const t0 = nowMs();
      await Promise.all(clients.filter((_, i) => i !== left).map(call));
      fanOutMs.push(nowMs() - t0);
      await sleep(20);
    }
    for (const c of clients) c.close();
    const dataRoundTripMs: number[] = [];
    const streamOpenMs: number[] = [];
    for (let r = 0; r < calls; r++) {
      for (const address of addresses) {
        const [open, trips] = await dataProbe(address, metadata, 3);
        streamOpenMs.push(open);
        dataRoundTripMs.push(...trips);
      }
    }
    // Each standby takes a copy of a count instance (no other worker knows of it), as a
    // replacement would: its first instance, built by code it never ran.
    const count = physical.instances.find((i) => physical.logical.operators[i.operator].name === "count");
    const coldDeployMs: number[] = [];
    for (const [k, standby] of run.vms.slice(shape.workers).entries()) {
      if (count === undefined) break;
      const c = new ControlClient(standby.address, credentials.createInsecure(), CONTROL_CHANNEL_OPTIONS);
      const t0 = nowMs();
      await new Promise<void>((resolve) =>
        c.redeploy(
          {
            instances: [specMessage({ ...count, vm: shape.workers + k })],
            addresses: { [count.id]: standby.address },
            incarnations: { [count.id]: 1_000_000 },
            fresh: [count.id],
          },
          metadata,
          { deadline: Date.now() + 5000 },
          () => resolve(),
        ),
      );
      coldDeployMs.push(nowMs() - t0);
      c.close();
    }
    // The standbys, hosting nothing the run knows of: their loss stops nothing.
    const detectionMs: number[] = [];
    for (const standby of run.vms.slice(shape.workers)) {
      const lost = new Promise<number>((resolve) => {
        detected = () => resolve(nowMs());
      });
      const killedAt = nowMs();
      pool.kill(standby);
      detectionMs.push((await Promise.race([lost, sleep(5000).then(() => Number.NaN)])) - killedAt);
      await sleep(100);
    }
    await done;
    return {
      controlRoundTripMs,
      dataRoundTripMs,
      streamOpenMs,
      coldDeployMs,
      callMs,
      firstCallMs,
      fanOutMs,
      detectionMs,
      loadBefore,
      loadAfter: loadavg()[0],
    };
  } finally {
    await done.catch(() => {});
    await pool.shutdown();
  }
}

/** A receiver id no worker hosts: a worker returns a frame for it its credit at once. */
const NOBODY = 0x7fffffff;

/**
 * A new data stream to the worker at `address` (its connection opened first): the time
 * until its first credit, and `trips` round trips of a small frame for an instance the
 * worker does not host and its credit.
 */
async function dataProbe(address: string, metadata: Metadata, trips: number): Promise<[number, number[]]> {
  const client = new FrameDataPlaneClient(address, ChannelCredentials.createInsecure());
  try {
    await new Promise<void>((resolve) => client.waitForReady(Date.now() + 5000, () => resolve()));
    const b = new BatchBuilder(0, 8);
    for (let i = 0; i < 8; i++) b.push(i, 0, i + 1);
    const frame = encodeFrame(0, 0, NOBODY, b.build(0));
    let credited: () => void = () => {};
    const t0 = nowMs();
    const call = client.stream(metadata);
    call.on("error", () => credited());
    call.on("data", () => credited());
    const credit = () => new Promise<number>((resolve) => (credited = () => resolve(nowMs())));
    const open = (await Promise.race([credit(), sleep(2000).then(() => Number.NaN)])) - t0;
    const rtts: number[] = [];
    for (let k = 0; k < trips; k++) {
      await sleep(5);
      const answered = credit();
      const t = nowMs();
      call.write(frame);
      rtts.push((await Promise.race([answered, sleep(2000).then(() => Number.NaN)])) - t);
    }
    call.end();
    return [open, rtts];
  } finally {
    client.close();
  }
}

/** One in-process run of the packet counter, every instance's tasks timed in CPU time. */
function instrumentedPacketRun(packets: number, batchSize: number): Map<string, OperatorWork> {
  return instrumentedRun(packetCounterPlan({ packets, flows: 10_000, seed: 1 }), batchSize);
}

/** An operator's `tupleUs`, all in: its CPU time less the default per-batch charge, per tuple (emitting included). */
function tupleUsOf(w: OperatorWork): number {
  return Math.max(0, (w.us - w.batches * DEFAULT_COST_MODEL.defaults.batchUs) / Math.max(1, w.tuples));
}

/** The packet counter's figures for the simulator. */
export interface PacketCosts {
  /** `cost.operators.<name>.tupleUs` of each operator of the packet counter, emitting included (its emitUs 0). */
  readonly tupleUs: Readonly<Record<string, number>>;
  /** The data plane's CPU per byte: sender (write and encode), receiver (read and decode). */
  readonly sendNsPerByte: number;
  readonly receiveNsPerByte: number;
  readonly batchSize: number;
}

/** Start bench/grpcSinkServer.ts (a bare receiver that decodes frames and reports its CPU time). */
function startReceiver(): Promise<{ kill: () => void; port: number; cpuUs: () => Promise<number> }> {
  const child = spawn(process.execPath, ["--import", "tsx", `${root}bench/grpcSinkServer.ts`], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Lines as they come, and those waited for: a line may come before it is asked for.
  const queued: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const w = waiting.shift();
    if (w === undefined) queued.push(line);
    else w(line);
  });
  const next = () =>
    new Promise<string>((resolve) => {
      const line = queued.shift();
      if (line === undefined) waiting.push(resolve);
      else resolve(line);
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
    void next().then((line) =>
      resolve({
        kill: () => child.kill("SIGKILL"),
        port: Number(line),
        cpuUs: () => next().then((l) => Number(l.split(" ")[1])),
      }),
    );
  });
}

/** Run bench/grpcFrameSender.ts: its CPU time and the bytes it sent. */
function sendFrames(port: number, frames: number, batchSize: number): Promise<[number, number]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", `${root}bench/grpcFrameSender.ts`, String(port), String(frames), String(batchSize)],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => {
      const [, cpu, , bytes] = line.split(" ");
      resolve([Number(cpu), Number(bytes)]);
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the frame sender exited with ${code}`));
    });
  });
}

/**
 * CPU ns per byte at each end of a data stream carrying `frames` frames of `batchSize`
 * packets, each end a process of its own: the sender encodes and writes each frame, the
 * receiver reads and decodes it (each with the garbage collection of the frames).
 */
async function transportNsPerByte(batchSize: number, frames: number): Promise<[number, number]> {
  const receiver = await startReceiver();
  try {
    await sendFrames(receiver.port, Math.max(10, frames >> 2), batchSize); // warm-up
    await receiver.cpuUs();
    const [sender, bytes] = await sendFrames(receiver.port, frames, batchSize);
    const received = await receiver.cpuUs();
    return [(sender * 1000) / bytes, (received * 1000) / bytes];
  } finally {
    receiver.kill();
  }
}

/** Figures of a quick measurement on this machine (2026-11-22): what tests use in place of measuring. */
export const MEASURED_PACKET_COSTS: PacketCosts = {
  tupleUs: { packets: 0.116, count: 0.088, sink: 0.007 },
  sendNsPerByte: 1.137,
  receiveNsPerByte: 1.105,
  batchSize: 4096,
};

/** Measure the packet counter's figures (see the file header); a few seconds. */
export async function measurePacketCosts(quick: boolean, batchSize = 4096): Promise<PacketCosts> {
  const packets = quick ? 1_000_000 : 3_000_000;
  instrumentedPacketRun(200_000, batchSize); // warm-up
  // CPU time counts every thread of the process: no collection of earlier garbage in it.
  const runs = Array.from({ length: quick ? 1 : 3 }, () => {
    collectGarbage();
    return instrumentedPacketRun(packets, batchSize);
  });
  const tupleUs: Record<string, number> = {};
  for (const name of runs[0].keys())
    tupleUs[name] = round3(median(runs.map((r) => tupleUsOf(r.get(name) as OperatorWork))));
  const [send, receive] = await transportNsPerByte(batchSize, quick ? 500 : 1500);
  return {
    tupleUs,
    sendNsPerByte: round3(send),
    receiveNsPerByte: round3(receive),
    batchSize,
  };
}

/** A worker's CPU time and its wait for a core so far (ms), as LocalProcessPool.schedStat gives them. */
type SchedStat = { readonly onCpuMs: number; readonly waitingMs: number };

/**
 * The share of a core a run's local workers had while they were ready to run: their CPU
 * time over their CPU time and their time waiting for a core, sampled from
 * /proc/<pid>/schedstat while the run runs (a worker's last sample is the last before it
 * exited). On a machine shared with other processes a simulated VM standing for a worker
 * runs at this speed.
 */
export class CoreShare {
  private readonly first = new Map<string, SchedStat>();
  private readonly last = new Map<string, SchedStat>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pool: LocalProcessPool,
    private readonly vms: () => readonly CloudVm[],
    everyMs = 20,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    for (const vm of this.vms()) {
      const s = this.pool.schedStat(vm);
      if (s === null) continue;
      if (!this.first.has(vm.id)) this.first.set(vm.id, s);
      this.last.set(vm.id, s);
    }
  }

  /** Stop sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Each worker's CPU ms and waiting ms between its first and last samples, and the share over all. */
  result(): { readonly onCpuMs: number[]; readonly waitingMs: number[]; readonly share: number } {
    const onCpuMs: number[] = [];
    const waitingMs: number[] = [];
    for (const [id, a] of this.first) {
      const b = this.last.get(id) as SchedStat;
      onCpuMs.push(b.onCpuMs - a.onCpuMs);
      waitingMs.push(b.waitingMs - a.waitingMs);
    }
    const on = onCpuMs.reduce((x, y) => x + y, 0);
    const waiting = waitingMs.reduce((x, y) => x + y, 0);
    return { onCpuMs, waitingMs, share: on + waiting === 0 ? 1 : on / (on + waiting) };
  }
}
