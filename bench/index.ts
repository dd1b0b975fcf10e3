// Benchmarks: `npm run bench` / `seep bench`. Each prints its figure next to a baseline
// measured in the same run, so that ratios stay meaningful on a noisy machine. Figures
// are printed, never asserted: performance targets are met here, not in unit tests. The
// real ones (on local worker processes) run several times over (runner.ts).

import { benchBackupTransferReal } from "./backupTransferReal.js";
import { benchBatchCodec } from "./batchCodec.js";
import { BenchFailure, type BenchResult } from "./benchResult.js";
import { benchCalibrate } from "./calibrate.js";
import { benchCheckpointOverhead } from "./checkpointOverhead.js";
import { benchCheckpointPause } from "./checkpointPause.js";
import { benchKernel } from "./kernel.js";
import { benchKeyedCount } from "./keyedCount.js";
import { benchLrbGenerate } from "./lrbGenerate.js";
import { benchLrbQueries } from "./lrbQueries.js";
import { benchLrbScaleOut } from "./lrbScaleOut.js";
import { benchOutputState } from "./outputState.js";
import { benchPacketCounter } from "./packetCounterReal.js";
import type { BenchReport } from "./repeatedRuns.js";
import { benchRestoreOnChunks } from "./restoreOnChunks.js";
import { benchRsmRecoveryReal } from "./rsmRecoveryReal.js";
import { type Benchmark, type BenchOptions, runBenchmarkTable } from "./runner.js";
import { benchScaleOutPauseReal } from "./scaleOutPauseReal.js";
import { benchScaleOutPauseSim } from "./scaleOutPauseSim.js";
import { benchSimEngine } from "./simEngine.js";
import { benchTakeoverReal } from "./takeoverReal.js";
import { benchWorkerStart } from "./workerStart.js";

export { BenchFailure, type BenchOptions, type BenchReport, type BenchResult };

/** Every benchmark, by name. */
export const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  "keyed-count": benchKeyedCount,
  "checkpoint-pause": benchCheckpointPause,
  "checkpoint-overhead": benchCheckpointOverhead,
  "batch-codec": benchBatchCodec,
  "output-state": benchOutputState,
  kernel: benchKernel,
  "sim-engine": benchSimEngine,
  calibrate: benchCalibrate,
  "packet-counter": benchPacketCounter,
  "rsm-recovery-real": benchRsmRecoveryReal,
  "scale-out-pause": benchScaleOutPauseSim,
  "scale-out-pause-real": benchScaleOutPauseReal,
  "lrb-queries": benchLrbQueries,
  "lrb-generate": benchLrbGenerate,
  "lrb-scaleout": benchLrbScaleOut,
  "takeover-real": benchTakeoverReal,
  "worker-start": benchWorkerStart,
  "backup-transfer-real": benchBackupTransferReal,
  "restore-on-chunks": benchRestoreOnChunks,
};

/** The real benchmarks whose names do not end in `-real`. */
const REAL_WITHOUT_SUFFIX: ReadonlySet<string> = new Set(["packet-counter", "worker-start"]);

/** Whether benchmark `name` is a real one (on local worker processes): run --runs times, not once. */
export function isReal(name: string): boolean {
  return name.endsWith("-real") || REAL_WITHOUT_SUFFIX.has(name);
}

/** Run the benchmarks, print their figures, and return them. */
export function runBenchmarks(options: BenchOptions = {}): Promise<BenchReport[]> {
  return runBenchmarkTable(BENCHMARKS, isReal, options);
}
