// The throughput of SAND's packet counter on the real runtime, across two local worker
// processes (the source on one, the counter on the other, so every packet crosses gRPC),
// next to the raw gRPC loopback ceiling for the same batch size, measured in the same run
// by streaming one pre-encoded frame of that size, again and again, to a bare receiver
// process that only decodes it. The packet-counter benchmark and the SAND throughput and
// sim-vs-real reports measure it.

import { ChannelCredentials, Metadata } from "@grpc/grpc-js";
import { CloudRun, type CloudRunOptions } from "../cloud/cloudRun.js";
import { encodeFrame, FrameDataPlaneClient } from "../cloud/frameCodec.js";
import type { LocalProcessPool } from "../cloud/localProcessPool.js";
import { BatchBuilder } from "../engine/index.js";
import { packetCounterPlan } from "../workloads/index.js";
import { nowMs } from "./clock.js";
import { startSinkServer } from "./frameProcesses.js";
import { localWorkers } from "./localWorkers.js";
import { median } from "./statistics.js";

/** Tuples per batch (and per frame) of the packet counter. */
export const PACKET_BATCH = 4096;

/** The packet counter's run on 2 local workers of `pool`: `packets` packets of 10,000 flows, as fast as they go. */
export function packetCounterRun(packets: number, pool: LocalProcessPool, token: string) {
  const params = { packets, flows: 10_000, packetsPerMs: 0 };
  return {
    name: "bench-packets",
    pool,
    poolKind: "local",
    workers: 2,
    token,
    workload: "packets",
    params,
    plan: packetCounterPlan({ ...params, seed: 1 }),
    seed: 1,
    batchSize: PACKET_BATCH,
    sourcePollMs: 5,
  } satisfies CloudRunOptions;
}

/** Tuples/s of one run of the packet counter on 2 local workers. */
async function packetRun(packets: number): Promise<number> {
  const { pool, token } = localWorkers();
  try {
    const run = new CloudRun(packetCounterRun(packets, pool, token));
    const s = await run.run();
    if (s.tuplesIn !== packets) throw new Error(`the run counted ${s.tuplesIn} packets of ${packets}`);
    return packets / s.simulatedSeconds;
  } finally {
    await pool.shutdown();
  }
}

/** Tuples/s of raw frames of PACKET_BATCH tuples streamed to another process over gRPC. */
async function rawCeiling(tuples: number, defaultWindows = false): Promise<number> {
  const receiver = await startSinkServer(defaultWindows);
  try {
    const b = new BatchBuilder(6, PACKET_BATCH);
    const row = [1, 2, 3, 4, 5, 6];
    for (let i = 0; i < PACKET_BATCH; i++) b.push(i % 10_000, 0, i + 1, undefined, row);
    // One frame, encoded once and sent again and again: the transport alone.
    const frame = encodeFrame(0, 0, 1, b.build(0));
    const client = new FrameDataPlaneClient(
      `127.0.0.1:${receiver.port}`,
      ChannelCredentials.createInsecure(),
    );
    const call = client.stream(new Metadata());
    const frames = Math.ceil(tuples / PACKET_BATCH);
    const t0 = nowMs();
    const done = new Promise<number>((resolve, reject) => {
      call.on("data", (c: { frames: number }) => resolve(c.frames));
      call.on("error", reject);
    });
    for (let f = 0; f < frames; f++) {
      if (!call.write(frame)) {
        await new Promise((r) => call.once("drain", r));
      }
    }
    call.end();
    const received = await done;
    const ms = nowMs() - t0;
    client.close();
    if (received !== frames * PACKET_BATCH)
      throw new Error(`receiver counted ${received} tuples of ${frames * PACKET_BATCH}`);
    return (received / ms) * 1000;
  } finally {
    receiver.kill();
  }
}

/** Tuples/s of the packet counter and of the raw ceilings, medians of `runs` runs of `packets`. */
export interface PacketCounterFigures {
  readonly packets: number;
  readonly runs: number;
  readonly batchSize: number;
  /** End to end on 2 local worker processes. */
  readonly counter: number;
  /** Raw gRPC loopback, decode only, with the workers' HTTP/2 windows and with grpc-js defaults. */
  readonly ceiling: number;
  readonly ceilingDefaultWindows: number;
  /** Each run's figures, in the order measured (the medians are theirs). */
  readonly counterRuns: readonly number[];
  readonly ceilingRuns: readonly number[];
  readonly ceilingDefaultWindowsRuns: readonly number[];
}

/** What a measurement reports as it goes: each measurement timed (e.g. with the load), each one done. */
export interface MeasurementHooks {
  /** Run one measurement, named (a LoadLog's timeAsync records the load around it). */
  readonly time?: <T>(what: string, measure: () => Promise<T>) => Promise<T>;
  readonly finished?: (what: string) => void;
}

/** The measurements of one repetition of measurePacketCounter, in order. */
export const PACKET_COUNTER_MEASUREMENTS = 3;

/**
 * Measure the packet counter and the raw ceilings, interleaved run by run (ceiling, default
 * windows, packet counter, again): a load that drifts weighs on each alike; each figure is
 * the median of its runs.
 */
export async function measurePacketCounter(
  packets: number,
  runs: number,
  hooks: MeasurementHooks = {},
): Promise<PacketCounterFigures> {
  const time = hooks.time ?? (<T>(_: string, measure: () => Promise<T>) => measure());
  const ceiling: number[] = [];
  const defaults: number[] = [];
  const real: number[] = [];
  await rawCeiling(Math.min(500_000, packets));
  const step = async (what: string, into: number[], measure: () => Promise<number>) => {
    into.push(await time(what, measure));
    hooks.finished?.(what);
  };
  for (let r = 0; r < runs; r++) {
    const of = `run ${r + 1} of ${runs}`;
    await step(`raw gRPC, workers' windows, ${of}`, ceiling, () => rawCeiling(packets));
    await step(`raw gRPC, default windows, ${of}`, defaults, () => rawCeiling(packets, true));
    await step(`packet counter, ${of}`, real, () => packetRun(packets));
  }
  return {
    packets,
    runs,
    batchSize: PACKET_BATCH,
    counter: median(real, "packet counter tuples/s"),
    ceiling: median(ceiling, "raw gRPC tuples/s, workers' windows"),
    ceilingDefaultWindows: median(defaults, "raw gRPC tuples/s, default windows"),
    counterRuns: real,
    ceilingRuns: ceiling,
    ceilingDefaultWindowsRuns: defaults,
  };
}
