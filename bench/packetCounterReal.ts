// Benchmark: the packet counter of SAND's first experiment on the real runtime, across
// two local worker processes (the source on one, the counter on the other, so every
// packet crosses gRPC): end-to-end tuples/s. Baseline: the raw gRPC loopback ceiling for
// the same batch size, measured in the same run by streaming one pre-encoded frame of
// that size, again and again, to a bare receiver process that only decodes it
// (measure/packetCounterThroughput.ts measures both).

import { measurePacketCounter, PACKET_BATCH } from "../measure/packetCounterThroughput.js";
import type { BenchResult } from "./benchResult.js";

/** Run the real-runtime packet counter benchmark. */
export async function benchPacketCounter(quick: boolean): Promise<BenchResult[]> {
  const f = await measurePacketCounter(quick ? 2_000_000 : 5_000_000, quick ? 1 : 3);
  const name = `packet counter on 2 local worker processes, batches of ${PACKET_BATCH}, end to end`;
  const value = f.counter;
  const ceilingOf = (what: string, x: number) => ({
    name: `raw gRPC loopback, frames of ${PACKET_BATCH} tuples, decode only, ${what}`,
    value: x,
    unit: "tuples/s",
  });
  return [
    {
      name,
      value,
      unit: "tuples/s",
      baseline: ceilingOf("workers' HTTP/2 windows", f.ceiling),
      target: ">= 1M tuples/s and >= 0.6 of the raw ceiling",
    },
    {
      name,
      value,
      unit: "tuples/s",
      baseline: ceilingOf("grpc-js default HTTP/2 windows", f.ceilingDefaultWindows),
    },
  ];
}
