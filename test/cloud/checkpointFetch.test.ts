// Fetching a checkpoint from the worker whose shelf holds it: a chunk encoded by hand is the
// generated code's message, the chunks reassemble into
// the very bytes, a part comes cut by the source, an unknown reference and a source that is
// gone fail with one line naming the checkpoint, and a call without the run's token is
// refused. Every server binds 127.0.0.1 and is shut down after its test.

import { Metadata, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { CHUNK_BYTES, CheckpointFetcher, encodeChunk, FetchError } from "../../cloud/checkpointFetch.js";
import {
  CheckpointChunk,
  type CheckpointRef,
  CheckpointTransferClient,
} from "../../cloud/gen/seep/v1/seep.js";
import { spanOf } from "../../cloud/remoteCheckpoint.js";
import { KeyGroupRange, partitionEncoded } from "../../engine/index.js";
import { countCheckpointBytes, shelfWorker } from "./checkpointFixtures.js";

const TOKEN = "fetch-token";
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const startWorker = () => shelfWorker(TOKEN, closers);

function fetcher(token = TOKEN): CheckpointFetcher {
  const f = new CheckpointFetcher(token, undefined);
  closers.push(() => f.close());
  return f;
}

/** The reference to checkpoint `id` of `instance` at `address`, whole or part `part` of `parts`. */
function refTo(
  address: string,
  instance: number,
  id: number,
  range: KeyGroupRange,
  parts: KeyGroupRange[] = [],
  part = 0,
): CheckpointRef {
  return {
    worker: address,
    instance,
    checkpointId: id,
    byteCount: 0,
    range: spanOf(range),
    parts: parts.map(spanOf),
    part,
    metaJson: "",
    partFieldsJson: "",
  };
}

describe("a chunk encoded by hand", () => {
  it("is the protobuf CheckpointChunk the generated code reads, with and without the byte count", () => {
    const data = new Uint8Array(300).map((_, i) => i % 251);
    for (const byteCount of [0, 300, 2 ** 40]) {
      const back = CheckpointChunk.decode(encodeChunk(data, byteCount));
      expect([...back.data]).toEqual([...data]);
      expect(back.byteCount).toBe(byteCount);
    }
    expect(CheckpointChunk.decode(encodeChunk(new Uint8Array(0), 0)).data.length).toBe(0);
  });
});

describe("fetching a checkpoint from a worker's shelf", () => {
  it("reassembles the chunks into the very bytes the shelf holds", async () => {
    const { worker, address } = await startWorker();
    const { bytes, range } = countCheckpointBytes(60_000);
    expect(bytes.length).toBeGreaterThan(2 * CHUNK_BYTES); // several chunks
    worker.shelf.put(3, 7, bytes);
    const f = fetcher();
    const got = await f.fetch(refTo(address, 3, 7, range));
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true);
    expect(f.bytesFetched).toBe(bytes.length);
  });

  it("fetches a part cut by the source, equal to engine partitionEncoded's", async () => {
    const { worker, address } = await startWorker();
    const { bytes, range } = countCheckpointBytes(5_000);
    worker.shelf.put(3, -1, bytes);
    const mid = range.first + Math.floor(range.size / 2);
    const parts = [KeyGroupRange.of(range.first, mid - 1), KeyGroupRange.of(mid, range.last)];
    const expected = partitionEncoded(bytes, parts);
    const f = fetcher();
    for (const i of [1, 0]) {
      const got = await f.fetch(refTo(address, 3, -1, range, parts, i));
      expect(Buffer.from(got).equals(Buffer.from(expected[i]))).toBe(true);
    }
  });

  it("fails with one line naming the checkpoint when the shelf does not hold it", async () => {
    const { worker, address } = await startWorker();
    const { bytes, range } = countCheckpointBytes(1_000);
    worker.shelf.put(3, 7, bytes);
    const e = await fetcher()
      .fetch(refTo(address, 3, 8, range))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FetchError);
    expect((e as Error).message).toMatch(/checkpoint 8 of instance 3 .*not on this worker's shelf/);
    expect((e as Error).message).not.toMatch(/\n/);
  });

  it("refuses ranges that do not tile the checkpoint, and goes on serving", async () => {
    const { worker, address } = await startWorker();
    const { bytes, range } = countCheckpointBytes(1_000);
    worker.shelf.put(3, 7, bytes);
    const bad = [KeyGroupRange.of(range.first, range.first)];
    const e = await fetcher()
      .fetch(refTo(address, 3, 7, range, bad, 0))
      .catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/do not tile/);
    expect((await fetcher().fetch(refTo(address, 3, 7, range))).length).toBe(bytes.length);
  });

  it("fails when the source is gone", async () => {
    const { worker, address } = await startWorker();
    const { bytes, range } = countCheckpointBytes(1_000);
    worker.shelf.put(3, 7, bytes);
    worker.stop();
    const e = await fetcher()
      .fetch(refTo(address, 3, 7, range))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FetchError);
    expect((e as Error).message).toMatch(/fetch of checkpoint 7 of instance 3 from 127\.0\.0\.1:/);
  });

  it("refuses a fetch without the run's token, or with a wrong one", async () => {
    const { worker, address } = await startWorker();
    const { bytes, range } = countCheckpointBytes(1_000);
    worker.shelf.put(3, 7, bytes);
    const e = await fetcher("wrong")
      .fetch(refTo(address, 3, 7, range))
      .catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/token/i);
    const client = new CheckpointTransferClient(
      address,
      (await import("@grpc/grpc-js")).credentials.createInsecure(),
    );
    closers.push(() => client.close());
    const code = await new Promise<number>((resolve) => {
      const call = client.fetch(refTo(address, 3, 7, range), new Metadata());
      call.on("error", (x: { code: number }) => resolve(x.code));
      call.on("data", () => resolve(-1));
    });
    expect(code).toBe(status.UNAUTHENTICATED);
  });
});
