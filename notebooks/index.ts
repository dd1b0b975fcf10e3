// The notebooks, by report name: each runs its experiments and builds a Report (`seep
// report <name>` writes it). One file per experiment, read like a notebook.

import { checkpointOverheadReport } from "./checkpointOverhead.js";
import { failureTimelineReport } from "./failureTimeline.js";
import type { NotebookOptions } from "./lib/options.js";
import type { Report } from "./lib/report.js";
import { lrbScaleOutReport } from "./lrbScaleOut.js";
import { recoveryTimeReport } from "./recoveryTime.js";
import { sandThroughputReport } from "./sandThroughput.js";
import { simVsRealReport } from "./simVsReal.js";

export type { NotebookOptions } from "./lib/options.js";

/** A report that can be written by `seep report`. */
export interface Notebook {
  readonly description: string;
  /** Run its experiments (progress reported over its runs, `options.runs`) and build the report. */
  build(options: NotebookOptions): Report | Promise<Report>;
}

/** Every report, by name. */
export const NOTEBOOKS: Readonly<Record<string, Notebook>> = {
  "recovery-time": {
    description:
      "recovery time against the checkpoint interval, the window, the stream before the crash and the state size, per strategy: means of seeds with 95% intervals",
    build: recoveryTimeReport,
  },
  "lrb-scaleout": {
    description:
      "Linear Road scale-out to L=350: L over time, latency against the 5 s deadline, VMs and cost",
    build: lrbScaleOutReport,
  },
  "failure-timeline": {
    description: "throughput and latency around one crash, one line per fault-tolerance strategy",
    build: failureTimelineReport,
  },
  "checkpoint-overhead": {
    description:
      "throughput and batch latency of a 1M-key count against the checkpoint interval (measured here)",
    build: checkpointOverheadReport,
  },
  "sand-throughput": {
    description:
      "SAND's packet counter throughput table: tuples/s on 2 local workers against the raw gRPC ceiling",
    build: sandThroughputReport,
  },
  "sim-vs-real": {
    description:
      "the same word count (a failure; a scale out) in the simulator and on local workers, with relative errors",
    build: simVsRealReport,
  },
};
