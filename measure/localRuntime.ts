// What a run on local worker processes spends that the cost model's CPU figures do not
// cover, measured on this machine (the calibration's first half: `npm run bench -- --only
// calibrate`, and sim-vs-real measures it the same way). A word count runs on 4 local
// workers and 3 standbys (as sim-vs-real runs it: rsm, checkpoints every second), and while
// it runs the coordinator probes it (measure/localRuntimeProbes.ts):
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
// measure/localRuntimeParameters.ts turns the figures into the simulator's parameters.

import { loadavg } from "node:os";
import { tokenMetadata } from "../cloud/auth.js";
import { CloudRun } from "../cloud/cloudRun.js";
import { physicalPlan } from "../engine/index.js";
import { workloadPlan } from "../workloads/index.js";
import { collectGarbage } from "./garbage.js";
import {
  coldDeploys,
  controlRoundTrips,
  dataStreams,
  detections,
  fanOuts,
  type ProbeHooks,
  redeployCalls,
} from "./localRuntimeProbes.js";
import { localWorkers } from "./localWorkers.js";

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
  const plan = workloadPlan("wordcount", params, 1);
  const loadBefore = loadavg()[0];
  collectGarbage();
  const { pool, token } = localWorkers();
  const metadata = tokenMetadata(token);
  const hooks: ProbeHooks = { paused: new Map(), onDetected: () => {} };
  let started: () => void = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
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
      if (r.type === "paused") hooks.paused.get(r.instance)?.();
    },
    onFailure: () => hooks.onDetected(),
  });
  const done = run.run();
  try {
    await Promise.race([running, done]);
    const physical = physicalPlan(plan, { vms: shape.workers });
    const ids = physical.instances.map((i) => i.id);
    const controlRoundTripMs = await controlRoundTrips(run, hooks, ids, controlProbes);
    const addresses = run.vms.slice(0, shape.workers).map((vm) => vm.address);
    const { clients, firstCallMs, callMs } = await redeployCalls(addresses, metadata, calls);
    const fanOutMs = await fanOuts(clients, metadata, deploys);
    for (const c of clients) c.close();
    const { streamOpenMs, dataRoundTripMs } = await dataStreams(addresses, metadata, calls);
    const coldDeployMs = await coldDeploys(run, physical, shape.workers, metadata);
    const detectionMs = await detections(pool, hooks, run.vms.slice(shape.workers));
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
