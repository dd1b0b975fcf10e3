// Benchmark: the packet counter of SAND's first experiment on the real runtime, across
// two local worker processes (the source on one, the counter on the other, so every
// packet crosses gRPC): end-to-end tuples/s. Baseline: the raw gRPC loopback ceiling for
// the same batch size, measured in the same run by streaming one pre-encoded frame of
// that size, again and again, to a bare receiver process that only decodes it.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ChannelCredentials, Metadata } from "@grpc/grpc-js";
import { CloudRun, type CloudRunOptions } from "../cloud/cloudRun.js";
import { encodeFrame, FrameDataPlaneClient } from "../cloud/frameCodec.js";
import { LocalProcessPool } from "../cloud/localProcessPool.js";
import { BatchBuilder } from "../engine/index.js";
import { packetCounterPlan } from "../workloads/index.js";
import type { BenchResult } from "./index.js";
import { median, nowMs } from "./measure.js";

/** Tuples per batch (and per frame) of the packet counter. */
export const BATCH = 4096;
const root = fileURLToPath(new URL("../", import.meta.url));

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
    batchSize: BATCH,
    sourcePollMs: 5,
  } satisfies CloudRunOptions;
}

async function packetRun(packets: number): Promise<number> {
  const token = randomBytes(16).toString("hex");
  const pool = new LocalProcessPool({ command: [process.execPath, `${root}bin/seep.js`, "worker"], token });
  try {
    const run = new CloudRun(packetCounterRun(packets, pool, token));
    const s = await run.run();
    if (s.tuplesIn !== packets) throw new Error(`the run counted ${s.tuplesIn} packets of ${packets}`);
    return packets / s.simulatedSeconds;
  } finally {
    await pool.shutdown();
  }
}

function startReceiver(defaultWindows: boolean): Promise<{ child: ChildProcess; port: number }> {
  const args = [
    "--import",
    "tsx",
    `${root}bench/grpcSinkServer.ts`,
    ...(defaultWindows ? ["--default-windows"] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve({ child, port: Number(line) }));
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
  });
}

/** Tuples/s of raw frames of BATCH tuples streamed to another process over gRPC. */
async function rawCeiling(tuples: number, defaultWindows = false): Promise<number> {
  const { child, port } = await startReceiver(defaultWindows);
  try {
    const b = new BatchBuilder(6, BATCH);
    const row = [1, 2, 3, 4, 5, 6];
    for (let i = 0; i < BATCH; i++) b.push(i % 10_000, 0, i + 1, undefined, row);
    // One frame, encoded once and sent again and again: the transport alone.
    const frame = encodeFrame(0, 0, 1, b.build(0));
    const client = new FrameDataPlaneClient(`127.0.0.1:${port}`, ChannelCredentials.createInsecure());
    const call = client.stream(new Metadata());
    const frames = Math.ceil(tuples / BATCH);
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
    if (received !== frames * BATCH)
      throw new Error(`receiver counted ${received} tuples of ${frames * BATCH}`);
    return (received / ms) * 1000;
  } finally {
    child.kill("SIGKILL");
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
}

/** Measure the packet counter and the raw ceilings, interleaved run by run. */
export async function measurePacketCounter(packets: number, runs: number): Promise<PacketCounterFigures> {
  const ceiling: number[] = [];
  const defaults: number[] = [];
  const real: number[] = [];
  await rawCeiling(Math.min(500_000, packets));
  for (let r = 0; r < runs; r++) {
    ceiling.push(await rawCeiling(packets));
    defaults.push(await rawCeiling(packets, true));
    real.push(await packetRun(packets));
  }
  return {
    packets,
    runs,
    batchSize: BATCH,
    counter: median(real),
    ceiling: median(ceiling),
    ceilingDefaultWindows: median(defaults),
  };
}

/** Run the real-runtime packet counter benchmark. */
export async function benchPacketCounter(quick: boolean): Promise<BenchResult[]> {
  const f = await measurePacketCounter(quick ? 2_000_000 : 5_000_000, quick ? 1 : 3);
  const name = `packet counter on 2 local worker processes, batches of ${BATCH}, end to end`;
  const value = f.counter;
  const ceilingOf = (what: string, x: number) => ({
    name: `raw gRPC loopback, frames of ${BATCH} tuples, decode only, ${what}`,
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
