// The bound on what a worker takes in: derived from the batch and checkpoint sizes; an
// unauthenticated message of 256 MiB is refused as its headers arrive, without the worker's
// memory growing past a bound; an authenticated one past the bound is refused with
// RESOURCE_EXHAUSTED. Measured on a spawned `seep worker` (its /proc/<pid>/status).

import { readFileSync } from "node:fs";
import { connect } from "node:http2";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_MESSAGE_BYTES_MAX,
  isMessageBytesMax,
  MESSAGE_OVERHEAD_BYTES,
  messageBytesMax,
  TUPLE_BYTES_MAX,
} from "../../cloud/messageLimits.js";
import { type SpawnedWorker, spawnWorker } from "./workerCalls.js";

const MIB = 1024 * 1024;

describe("messageBytesMax", () => {
  it("is the checkpoint size, a tuple allowance per tuple of a batch and an overhead", () => {
    expect(messageBytesMax({ batchSize: 1024, checkpointBytesMax: 64 * MIB })).toBe(
      64 * MIB + 1024 * TUPLE_BYTES_MAX + MESSAGE_OVERHEAD_BYTES,
    );
    expect(DEFAULT_MESSAGE_BYTES_MAX).toBe(128 * MIB + 1024 * 1024 + MIB);
  });

  it("refuses inputs that make no bound, and bounds past what gRPC takes", () => {
    expect(() => messageBytesMax({ batchSize: 0, checkpointBytesMax: 1 })).toThrow(/batch size/);
    expect(() => messageBytesMax({ batchSize: 1, checkpointBytesMax: -1 })).toThrow(/checkpoint size/);
    expect(() => messageBytesMax({ batchSize: 1, checkpointBytesMax: 2 ** 31 })).toThrow(/over gRPC's limit/);
    expect(isMessageBytesMax(DEFAULT_MESSAGE_BYTES_MAX)).toBe(true);
    expect(isMessageBytesMax(0)).toBe(false);
  });
});

/** Resident and peak resident memory of a process, in bytes (Linux). */
function memoryOf(pid: number): { rssBytes: number; peakBytes: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1]) * 1024;
  return { rssBytes: kb("VmRSS"), peakBytes: kb("VmHWM") };
}

/**
 * Send one gRPC message of `bytes` to `path` over raw HTTP/2, in 1 MiB chunks as flow
 * control lets them go: all of it, whatever the server answers meanwhile (a hostile
 * caller), unless `stopWhenAnswered`; resolves with the grpc-status and how much went out.
 */
function pushMessage(
  address: string,
  path: string,
  bytes: number,
  headers: Record<string, string>,
  stopWhenAnswered = false,
): Promise<{ code: number; message: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${address}`);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let sentBytes = 0;
    let answered = false;
    let code = -1;
    let message = "";
    const take = (h: Record<string, unknown>) => {
      if (h["grpc-status"] !== undefined) {
        code = Number(h["grpc-status"]);
        message = decodeURIComponent(String(h["grpc-message"] ?? ""));
        answered = stopWhenAnswered;
        if (answered) stream.close(); // the rest of the body is never sent
      }
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.on("data", () => {});
    stream.on("error", () => {}); // the server may reset the stream once it has answered
    stream.on("close", () => {
      answered = true;
      session.close();
      resolve({ code, message, sentBytes });
    });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(bytes, 1);
    stream.write(prefix);
    const chunk = Buffer.alloc(MIB, 0x61);
    const pump = () => {
      while (!answered && sentBytes < bytes) {
        const n = Math.min(chunk.length, bytes - sentBytes);
        sentBytes += n;
        if (!stream.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          stream.once("drain", pump);
          return;
        }
      }
      if (!answered) stream.end();
    };
    pump();
  });
}

describe("a seep worker's bound on messages", () => {
  const TOKEN = "limits-token";
  let worker: SpawnedWorker;
  beforeAll(async () => {
    worker = await spawnWorker(TOKEN, ["--message-bytes-max", String(16 * MIB)]);
  });
  afterAll(() => {
    if (worker !== undefined && worker.child.exitCode === null) worker.child.kill("SIGKILL");
  });

  // The worker's HTTP/2 windows (32 MiB a connection, 8 MiB a stream) cap what a caller can
  // push before it is read; refused at the headers, the body is never buffered.
  const GROWTH_BOUND_BYTES = 64 * MIB;

  it("refuses an unauthenticated 256 MiB deploy at its headers, and its memory grows less than 64 MiB", async () => {
    const pid = worker.child.pid as number;
    const before = memoryOf(pid);
    const outcome = await pushMessage(worker.address, "/seep.v1.Control/Deploy", 256 * MIB, {});
    const after = memoryOf(pid);
    expect(outcome.code).toBe(status.UNAUTHENTICATED);
    const growth = after.peakBytes - Math.max(before.peakBytes, before.rssBytes);
    process.stdout.write(
      `unauthenticated 256 MiB deploy: refused after ${(outcome.sentBytes / MIB).toFixed(0)} MiB sent; ` +
        `worker VmRSS ${(before.rssBytes / MIB).toFixed(0)} -> ${(after.rssBytes / MIB).toFixed(0)} MiB, ` +
        `peak ${(before.peakBytes / MIB).toFixed(0)} -> ${(after.peakBytes / MIB).toFixed(0)} MiB\n`,
    );
    expect(growth).toBeLessThan(GROWTH_BOUND_BYTES);
    expect(worker.child.exitCode).toBeNull();
  });

  it("refuses an authenticated message over its bound with RESOURCE_EXHAUSTED, without buffering it", async () => {
    const pid = worker.child.pid as number;
    const before = memoryOf(pid);
    const outcome = await pushMessage(
      worker.address,
      "/seep.v1.Control/Deploy",
      256 * MIB,
      { authorization: `Bearer ${TOKEN}` },
      true,
    );
    const after = memoryOf(pid);
    expect(outcome.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(outcome.message).toMatch(/larger than max/);
    expect(after.peakBytes - Math.max(before.peakBytes, before.rssBytes)).toBeLessThan(GROWTH_BOUND_BYTES);
    expect(worker.child.exitCode).toBeNull();
  });
});
