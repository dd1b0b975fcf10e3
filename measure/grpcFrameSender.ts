// A bare gRPC data-plane sender, run as its own process by the calibration (a process of
// its own, so that its CPU time is the sending's alone): it encodes `frames` frames of a
// batch of `batch` packet-like tuples, one at a time, and streams them to
// 127.0.0.1:`port` (as a worker's data plane encodes and writes them, into buffers of a
// FramePool given back once written, on a channel with DATA_CHANNEL_OPTIONS: credit aside), waits
// for the receiver's answer and prints `cpu <us> bytes <n>`: its CPU time (user and system,
// every thread: the garbage collection of the frames included, microseconds) from the first
// frame.
// Usage: grpcFrameSender.ts <port> <frames> <batch>

import { ChannelCredentials, Metadata } from "@grpc/grpc-js";
import { encodeFrame, FrameDataPlaneClient } from "../cloud/frameCodec.js";
import { DATA_CHANNEL_OPTIONS, FramePool } from "../cloud/framePool.js";
import { BatchBuilder } from "../engine/index.js";

const [port, frames, batchSize] = process.argv.slice(2).map(Number);
const b = new BatchBuilder(6, batchSize);
const row = [1, 2, 3, 4, 5, 6];
for (let i = 0; i < batchSize; i++) b.push(i % 10_000, 0, i + 1, undefined, row);
const batch = b.build(0);
const bytes = encodeFrame(0, 0, 1, batch).length;
const client = new FrameDataPlaneClient(
  `127.0.0.1:${port}`,
  ChannelCredentials.createInsecure(),
  DATA_CHANNEL_OPTIONS,
);
const pool = new FramePool();
await new Promise<void>((resolve) => client.waitForReady(Date.now() + 5000, () => resolve()));
const call = client.stream(new Metadata());
const done = new Promise<void>((resolve, reject) => {
  call.on("data", () => resolve());
  call.on("error", reject);
});
const start = process.cpuUsage();
for (let f = 0; f < frames; f++) {
  const frame = encodeFrame(0, 0, 1, batch, pool);
  if (!call.write(frame, () => pool.give(frame))) await new Promise((r) => call.once("drain", r));
}
call.end();
await done;
const cpu = process.cpuUsage(start);
process.stdout.write(`cpu ${cpu.user + cpu.system} bytes ${bytes * frames}\n`);
client.close();
