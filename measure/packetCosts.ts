// The packet counter's costs for the simulator (the calibration's second half; sim-vs-real
// measures them the same way), in CPU time, not wall time, so that other processes on a
// busy machine do not inflate them: each operator's `tupleUs` from an instrumented
// in-process run of the packet counter (its CPU time less the cost model's per-batch
// charge, per tuple: emitting included, its `emitUs` 0), and the data plane's CPU per byte
// at each end, from frames of the packet counter's batches streamed over gRPC from a bare
// sender process that encodes them to a bare receiver process that decodes them (garbage
// collection of the frames included).

import { DEFAULT_COST_MODEL } from "../sim/costModel.js";
import { packetCounterPlan } from "../workloads/index.js";
import { sendFrames, startSinkServer } from "./frameProcesses.js";
import { collectGarbage } from "./garbage.js";
import { instrumentedRun, type OperatorWork } from "./instrumentedRun.js";
import { median, round3 } from "./statistics.js";

/** The packet counter's figures for the simulator. */
export interface PacketCosts {
  /** `cost.operators.<name>.tupleUs` of each operator of the packet counter, emitting included (its emitUs 0). */
  readonly tupleUs: Readonly<Record<string, number>>;
  /** The data plane's CPU per byte: sender (write and encode), receiver (read and decode). */
  readonly sendNsPerByte: number;
  readonly receiveNsPerByte: number;
  readonly batchSize: number;
}

/** How much the packet costs' measurement runs: packets per instrumented run, runs, frames streamed. */
export interface PacketCostSizes {
  readonly packets: number;
  readonly runs: number;
  readonly frames: number;
}

/** The benchmark's sizes, quick and full. */
export const PACKET_COSTS_QUICK: PacketCostSizes = { packets: 1_000_000, runs: 1, frames: 500 };
export const PACKET_COSTS_FULL: PacketCostSizes = { packets: 3_000_000, runs: 3, frames: 1500 };

/** One in-process run of the packet counter, every instance's tasks timed in CPU time. */
function instrumentedPacketRun(packets: number, batchSize: number): Map<string, OperatorWork> {
  return instrumentedRun(packetCounterPlan({ packets, flows: 10_000, seed: 1 }), batchSize);
}

/** An operator's `tupleUs`, all in: its CPU time less the default per-batch charge, per tuple (emitting included). */
function tupleUsOf(w: OperatorWork): number {
  return Math.max(0, (w.us - w.batches * DEFAULT_COST_MODEL.defaults.batchUs) / Math.max(1, w.tuples));
}

/**
 * CPU ns per byte at each end of a data stream carrying `frames` frames of `batchSize`
 * packets, each end a process of its own: the sender encodes and writes each frame, the
 * receiver reads and decodes it (each with the garbage collection of the frames).
 */
async function transportNsPerByte(batchSize: number, frames: number): Promise<[number, number]> {
  const receiver = await startSinkServer();
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

/** Measure the packet counter's figures (see the file header); a few seconds. */
export async function measurePacketCosts(
  quick: boolean | PacketCostSizes,
  batchSize = 4096,
): Promise<PacketCosts> {
  const sizes = typeof quick === "boolean" ? (quick ? PACKET_COSTS_QUICK : PACKET_COSTS_FULL) : quick;
  const packets = sizes.packets;
  instrumentedPacketRun(Math.min(200_000, packets), batchSize); // warm-up
  // CPU time counts every thread of the process: no collection of earlier garbage in it.
  const runs = Array.from({ length: sizes.runs }, () => {
    collectGarbage();
    return instrumentedPacketRun(packets, batchSize);
  });
  const tupleUs: Record<string, number> = {};
  for (const name of runs[0].keys())
    tupleUs[name] = round3(
      median(
        runs.map((r) => tupleUsOf(r.get(name) as OperatorWork)),
        `packets: cost.operators.${name}.tupleUs`,
      ),
    );
  const [send, receive] = await transportNsPerByte(batchSize, sizes.frames);
  return {
    tupleUs,
    sendNsPerByte: round3(send),
    receiveNsPerByte: round3(receive),
    batchSize,
  };
}
