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
// The run lasts long enough for every probe on a busy machine (CalibrationSizes.seconds);
// a probe it ends before, or whose tries all go unanswered, is an error naming the probe.
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
import { MeasurementError } from "./measurementError.js";
import { probeSamples } from "./statistics.js";

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

/** How much the runtime measurement probes, and how long its word count runs (s). */
export interface CalibrationSizes {
  readonly controlProbes: number;
  /** Rounds of calls (and of new data streams) to each worker. */
  readonly calls: number;
  readonly deploys: number;
  /** Standbys: each takes one cold deploy, then is killed for one detection. */
  readonly standbys: number;
  /**
   * The word count's length: long enough for every probe on a busy machine (the probes
   * take 2-3 s on a quiet one, several times that on a loaded one); a probe the run ends
   * before is an error naming it, never an empty figure.
   */
  readonly seconds: number;
}

/** The benchmark's sizes (`npm run bench -- --only calibrate`). */
export const CALIBRATION_FULL: CalibrationSizes = {
  controlProbes: 60,
  calls: 8,
  deploys: 20,
  standbys: 3,
  seconds: 30,
};
/** Quick: fewer probes (sim-vs-real --quick). */
export const CALIBRATION_QUICK: CalibrationSizes = {
  controlProbes: 24,
  calls: 4,
  deploys: 8,
  standbys: 3,
  seconds: 15,
};
/** Tiny (tests): every probe, a few tries each; the run still long enough for them on a loaded machine. */
export const CALIBRATION_TINY: CalibrationSizes = {
  controlProbes: 8,
  calls: 1,
  deploys: 3,
  standbys: 2,
  seconds: 8,
};

/** The probes, in the order they run: what `onProbe` is called with after each. */
export const CALIBRATION_PROBES = [
  "control round trip",
  "redeploy call",
  "fan-out",
  "data stream",
  "cold deploy",
  "detection",
] as const;

/** Options of the runtime measurement. */
export interface LocalRuntimeOptions {
  readonly quick: boolean;
  /** Sizes (default: CALIBRATION_QUICK or CALIBRATION_FULL as `quick` says). */
  readonly sizes?: CalibrationSizes;
  readonly run?: CalibrationRun;
  /** After each probe (CALIBRATION_PROBES), its name. */
  readonly onProbe?: (probe: (typeof CALIBRATION_PROBES)[number]) => void;
}

/**
 * Measure the runtime figures on local workers (see the file header); about 15 s quick.
 * Every probe must yield samples while the run goes on: one that the run ended before, or
 * none of whose tries was answered, is a MeasurementError naming it.
 */
export async function measureLocalRuntime(o: LocalRuntimeOptions): Promise<LocalRuntimeFigures> {
  const shape = o.run ?? SIM_VS_REAL_RUN;
  const sizes = o.sizes ?? (o.quick ? CALIBRATION_QUICK : CALIBRATION_FULL);
  const params = { ...shape.params, lines: sizes.seconds * 1000 };
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
    standbyWorkers: sizes.standbys,
    untilMs: sizes.seconds * 1000,
    onProgress: (runMs) => {
      if (runMs >= 1000) started();
    },
    onReply: (r) => {
      if (r.type === "paused") hooks.paused.get(r.instance)?.();
    },
    onFailure: () => hooks.onDetected(),
  });
  let ended = false;
  const done = run.run().finally(() => {
    ended = true;
  });
  /** Probe `name`: its samples, an error if the run ended before it was done or it yielded none. */
  const probe = async <T>(
    name: (typeof CALIBRATION_PROBES)[number],
    measure: () => Promise<T>,
  ): Promise<T> => {
    if (ended) throw endedBefore(name, sizes.seconds);
    const value = await measure();
    if (ended) throw endedBefore(name, sizes.seconds);
    o.onProbe?.(name);
    return value;
  };
  try {
    await Promise.race([running, done]);
    const physical = physicalPlan(plan, { vms: shape.workers });
    const ids = physical.instances.map((i) => i.id);
    const controlRoundTripMs = await probe("control round trip", () =>
      controlRoundTrips(run, hooks, ids, sizes.controlProbes),
    );
    const addresses = run.vms.slice(0, shape.workers).map((vm) => vm.address);
    const { clients, firstCallMs, callMs } = await probe("redeploy call", () =>
      redeployCalls(addresses, metadata, sizes.calls),
    );
    const fanOutMs = await probe("fan-out", () => fanOuts(clients, metadata, sizes.deploys));
    for (const c of clients) c.close();
    const { streamOpenMs, dataRoundTripMs } = await probe("data stream", () =>
      dataStreams(addresses, metadata, sizes.calls),
    );
    const coldDeployMs = await probe("cold deploy", () =>
      coldDeploys(run, physical, shape.workers, metadata),
    );
    const detectionMs = await probe("detection", () => detections(pool, hooks, run.vms.slice(shape.workers)));
    await done;
    return {
      controlRoundTripMs: probeSamples("control round trip", controlRoundTripMs),
      dataRoundTripMs: probeSamples("data round trip", dataRoundTripMs),
      streamOpenMs: probeSamples("stream open", streamOpenMs),
      coldDeployMs: probeSamples("cold deploy", coldDeployMs),
      callMs: probeSamples("redeploy call", callMs),
      firstCallMs: probeSamples("first redeploy call", firstCallMs),
      fanOutMs: probeSamples("fan-out", fanOutMs),
      detectionMs: probeSamples("detection", detectionMs),
      loadBefore,
      loadAfter: loadavg()[0],
    };
  } finally {
    await done.catch(() => {});
    await pool.shutdown();
  }
}

/** The error of probe `name` when the calibration's run ended before it was done. */
function endedBefore(name: string, seconds: number): MeasurementError {
  return new MeasurementError(
    `probe "${name}" yielded nothing: the calibration's ${seconds} s run ended before it was done (a machine too busy for it)`,
  );
}
