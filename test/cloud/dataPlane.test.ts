// Flow control on the data plane: a receiver that does not process holds a sender to
// its credit window (and to SEND_WINDOW_BYTES in flight); processing frames releases the
// rest, and a sender knows how many of its frames are not processed yet. A sender's frame
// buffers are reused only once grpc-js has copied them. Loopback only, bounded.

import {
  ChannelCredentials,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  status,
} from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { tokenMetadata } from "../../cloud/auth.js";
import {
  CREDIT_WINDOW_FRAMES,
  IncomingStream,
  OutgoingStream,
  SEND_WINDOW_BYTES,
} from "../../cloud/dataPlane.js";
import { encodeFrame, FrameDataPlaneClient, FrameDataPlaneService } from "../../cloud/frameCodec.js";
import { DATA_CHANNEL_OPTIONS, FramePool } from "../../cloud/framePool.js";
import { type Credit, type DataFrame, DataPlaneService } from "../../cloud/gen/seep/v1/seep.js";
import { STREAM_WINDOW_BYTES } from "../../cloud/worker.js";
import { BatchBuilder, decodeBatch } from "../../engine/index.js";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.forceShutdown();
});

/** Wait for `cond`; the bound only guards against a hang (a busy machine is slow). */
const until = async (cond: () => boolean, timeoutMs = 120_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

/**
 * A data-plane server on a free loopback port (`service`: the generated one, or the worker's
 * FrameDataPlaneService) that hands `onFrame` each frame with its stream's receiving end;
 * its port.
 */
function serve(
  service: typeof DataPlaneService | typeof FrameDataPlaneService,
  onFrame: (incoming: IncomingStream, frame: DataFrame) => void,
): Promise<number> {
  const server = new Server();
  servers.push(server);
  server.addService(service, {
    stream: (call: ServerDuplexStream<DataFrame, Credit>) => {
      const incoming = new IncomingStream(call);
      call.on("data", (f: DataFrame) => onFrame(incoming, f));
    },
  });
  return new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
}

/**
 * A receiver that processes nothing until told (`processAll`), and a sender to it: `total`
 * copies of `frame` are sent; `inFlight` of them arrive before the receiver processes any,
 * every one once it processes them, and the sender ends with nothing pending.
 */
async function heldThenReleased(frame: Buffer, total: number, inFlight: number): Promise<void> {
  const received: IncomingStream[] = [];
  let frames = 0;
  const port = await serve(DataPlaneService, (incoming) => {
    frames++;
    received.push(incoming);
  });
  const client = new FrameDataPlaneClient(`127.0.0.1:${port}`, ChannelCredentials.createInsecure());
  const out = new OutgoingStream(
    client,
    tokenMetadata("t"),
    () => {},
    () => {},
  );
  for (let i = 0; i < total; i++) out.send(frame);

  await until(() => frames >= inFlight);
  await new Promise((r) => setTimeout(r, 200));
  expect(frames).toBe(inFlight);
  expect(out.congested).toBe(true);
  // Nothing processed yet: every frame, sent or held, is pending.
  expect(out.pendingFrames).toBe(total);

  // The receiver processes what it has: credit flows back, the rest arrives.
  for (;;) {
    const next = received.shift();
    if (next !== undefined) {
      next.processed();
      next.flush();
    } else if (frames >= total) break;
    else await new Promise((r) => setTimeout(r, 5));
  }
  expect(frames).toBe(total);
  await until(() => !out.congested);
  expect(out.congested).toBe(false);
  // Every frame processed and credited back: none pending.
  await until(() => out.pendingFrames === 0);
  expect(out.pendingFrames).toBe(0);
  out.close();
  client.close();
}

describe("data plane flow control", () => {
  it("holds a sender to its credit window while the receiver does not process, and releases it as it does", async () => {
    const b = new BatchBuilder(0);
    b.push(1, 0, 1);
    await heldThenReleased(encodeFrame(0, 0, 1, b.build(0)), CREDIT_WINDOW_FRAMES * 3, CREDIT_WINDOW_FRAMES);
  });

  it("ends the stream of a sender that goes past its credit with RESOURCE_EXHAUSTED, and takes none of the excess", async () => {
    let admitted = 0;
    const port = await serve(DataPlaneService, (incoming) => {
      if (incoming.admit()) admitted++; // and never processed: no credit goes back
    });
    // A raw client that ignores credit: it writes twice the window at once.
    const client = new FrameDataPlaneClient(`127.0.0.1:${port}`, ChannelCredentials.createInsecure());
    const b = new BatchBuilder(0);
    b.push(1, 0, 1);
    const frame = encodeFrame(0, 0, 1, b.build(0));
    const outcome = await new Promise<{ code: number; details: string }>((resolve) => {
      const call = client.stream(tokenMetadata("t"));
      call.on("data", () => {});
      call.on("error", (e: { code: number; details: string }) => resolve(e));
      for (let i = 0; i < 2 * CREDIT_WINDOW_FRAMES; i++) call.write(frame);
    });
    expect(outcome.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(outcome.details).toBe(
      `the sender sent frame ${CREDIT_WINDOW_FRAMES + 1} with credit for ${CREDIT_WINDOW_FRAMES}`,
    );
    expect(admitted).toBe(CREDIT_WINDOW_FRAMES);
    client.close();
  });

  it("reuses a sent frame's buffer only once grpc-js has copied it: every frame arrives as it was encoded", async () => {
    const seen: number[] = [];
    const port = await serve(FrameDataPlaneService, (incoming, f) => {
      const b = decodeBatch(f.batch);
      // Every tuple of frame k carries k: a buffer reused too early would mix frames.
      for (let i = 0; i < b.length; i++) if (b.keys[i] !== b.keys[0]) seen.push(-1);
      seen.push(b.keys[0]);
      incoming.processed();
      incoming.flush();
    });
    const client = new FrameDataPlaneClient(
      `127.0.0.1:${port}`,
      ChannelCredentials.createInsecure(),
      DATA_CHANNEL_OPTIONS,
    );
    const pool = new FramePool();
    let credited = 0;
    const out = new OutgoingStream(
      client,
      tokenMetadata("t"),
      () => credited++,
      () => {},
      pool,
    );
    const frames = CREDIT_WINDOW_FRAMES * 4;
    // Frames of about 100 KiB: pooled, and under grpc-js's retry buffer (off on this channel).
    const tuples = 1500;
    const b = new BatchBuilder(6, tuples);
    const row = [1, 2, 3, 4, 5, 6];
    for (let k = 0; k < frames; k++) {
      for (let i = 0; i < tuples; i++) b.push(k, 0, k * tuples + i + 1, undefined, row);
      out.send(encodeFrame(0, 0, 1, b.build(0), pool));
      // Let writes complete now and then, so that buffers come back and are reused.
      if (k % 8 === 7) await new Promise((r) => setImmediate(r));
      await until(() => !out.congested);
    }
    await until(() => seen.length >= frames);
    expect(seen).toEqual(Array.from({ length: frames }, (_, k) => k));
    expect(pool.reused).toBeGreaterThan(0);
    expect(pool.made + pool.reused).toBe(frames);
    out.close();
    client.close();
  });

  it("holds frames past SEND_WINDOW_BYTES in flight even with credit, and sends them as the receiver processes", async () => {
    // No more in flight than the receiver's HTTP/2 stream window takes.
    expect(SEND_WINDOW_BYTES).toBeLessThanOrEqual(STREAM_WINDOW_BYTES);
    // Frames a little over a quarter of the byte window: three fit in flight, not four.
    const b = new BatchBuilder(0);
    for (let i = 0; i < Math.ceil(SEND_WINDOW_BYTES / 4 / 24); i++) b.push(i, 0, i + 1);
    const frame = encodeFrame(0, 0, 1, b.build(0));
    expect(frame.length).toBeGreaterThan(SEND_WINDOW_BYTES / 4);
    await heldThenReleased(frame, 10, 3);
  });
});
