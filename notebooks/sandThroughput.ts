// Notebook: the throughput comparison of SAND's first experiment (a packet counter), in
// the shape of its table: tuples/s of the packet counter end to end on two local worker
// processes (every packet crosses gRPC), next to the raw ceiling of the same transport
// measured in the same run (pre-encoded frames streamed to a receiver that only decodes
// them), and their ratio. Measured here (measure/packetCounterThroughput.ts), not simulated.

import { measurePacketCounter } from "../measure/packetCounterThroughput.js";
import type { NotebookOptions } from "./lib/options.js";
import { Report } from "./lib/report.js";

// ---- parameters ----

/** Packets per run, and runs (each figure is the median). */
const FULL = { packets: 5_000_000, runs: 3 };
const QUICK = { packets: 2_000_000, runs: 1 };
const TINY = { packets: 500_000, runs: 1 };

/** Measure and build the report. */
export async function sandThroughputReport(o: NotebookOptions): Promise<Report> {
  const { packets, runs } = o.tiny ? TINY : o.quick ? QUICK : FULL;

  // ---- the runs ----

  o.onStep?.(
    `${runs} run${runs === 1 ? "" : "s"} of ${packets} packets on 2 local workers, and the raw gRPC ceilings`,
  );
  const f = await measurePacketCounter(packets, runs);

  // ---- the table ----

  const report = new Report(
    "sand-throughput",
    "Packet counter throughput (SAND's first experiment)",
    `${packets} packets of 10,000 flows, batches of ${f.batchSize}, ${runs === 1 ? "one run" : `the median of ${runs} runs`}; ` +
      "the source on one local worker process, the counter on another. Measured on this machine.",
    {
      command: `npx seep report sand-throughput${o.quick ? " --quick" : ""}`,
      seed: 1,
      parameters: { packets, runs, flows: 10_000, batchSize: f.batchSize, workers: 2 },
    },
  );
  const ratio = (x: number) => Math.round((x / f.ceiling) * 1000) / 1000;
  report.table("throughput", "Throughput (tuples/s), and its ratio to the raw ceiling", {
    columns: ["system", "configuration", "tuples/s", "ratio to the raw ceiling"],
    rows: [
      [
        "raw gRPC loopback (ceiling)",
        `frames of ${f.batchSize} tuples, decode only`,
        Math.round(f.ceiling),
        1,
      ],
      [
        "raw gRPC loopback",
        "the same, grpc-js default HTTP/2 windows",
        Math.round(f.ceilingDefaultWindows),
        ratio(f.ceilingDefaultWindows),
      ],
      ["seep-testbed packet counter", "2 local workers, end to end", Math.round(f.counter), ratio(f.counter)],
    ],
  });
  return report;
}
