// Benchmarks: `npm run bench` / `seep bench`. Each prints its figure next to a baseline
// measured in the same run, so that ratios stay meaningful on a noisy machine. Figures
// are printed, never asserted: performance targets are met here, not in unit tests.

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
import { printResults } from "./print.js";
import { benchRsmRecoveryReal } from "./rsmRecoveryReal.js";
import { benchScaleOutPauseReal } from "./scaleOutPauseReal.js";
import { benchScaleOutPauseSim } from "./scaleOutPauseSim.js";
import { benchSimEngine } from "./simEngine.js";
import { benchTakeoverReal } from "./takeoverReal.js";

export { BenchFailure, type BenchResult };

/** Options of a benchmark run. */
export interface BenchOptions {
  /** Run only the benchmarks with these names. */
  readonly only?: readonly string[];
  /** Smaller sizes, for a quick look. */
  readonly quick?: boolean;
}

/** Every benchmark, by name. */
export const BENCHMARKS: Readonly<
  Record<string, (quick: boolean) => BenchResult[] | Promise<BenchResult[]>>
> = {
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
  "backup-transfer-real": benchBackupTransferReal,
};

/** Run the benchmarks, print their figures, and return them. */
export async function runBenchmarks(options: BenchOptions = {}): Promise<BenchResult[]> {
  const names = options.only ?? Object.keys(BENCHMARKS);
  for (const n of names) {
    if (!(n in BENCHMARKS)) {
      throw new Error(`unknown benchmark "${n}" (known: ${Object.keys(BENCHMARKS).join(", ")})`);
    }
  }
  const all: BenchResult[] = [];
  for (const n of names) {
    process.stdout.write(`# ${n}${options.quick ? " (quick)" : ""}\n`);
    let results: BenchResult[];
    try {
      results = await BENCHMARKS[n](options.quick ?? false);
    } catch (e) {
      if (e instanceof BenchFailure) throw new BenchFailure(`${n}: ${e.message}`);
      throw e;
    }
    printResults(results);
    all.push(...results);
  }
  return all;
}
