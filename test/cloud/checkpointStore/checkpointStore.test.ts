// The checkpoint store's contract, run against both implementations: the directory store on a
// temporary directory, and the S3 store against an in-memory bucket behind a mocked client
// (memoryS3.ts), with a small page size so that listing crosses pages. The same assertions
// hold for both; what only one of them does is in its own test file.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  CheckpointKeyError,
  type CheckpointStore,
  checkCheckpointKey,
  DirectoryCheckpointStore,
  KEY_LENGTH_MAX,
  S3CheckpointStore,
} from "../../../cloud/checkpointStore/index.js";
import { memoryS3, testS3Client } from "./memoryS3.js";
import { bytesOf, rejection, textOf } from "./storeTesting.js";

const s3 = mockClient(S3Client);
const temps: string[] = [];

beforeEach(() => {
  s3.reset();
});

afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

const STORES: [string, () => Promise<CheckpointStore>][] = [
  [
    "DirectoryCheckpointStore",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "seep-ckpt-"));
      temps.push(dir);
      return DirectoryCheckpointStore.open(join(dir, "checkpoints"));
    },
  ],
  [
    "S3CheckpointStore",
    async () => {
      memoryS3(s3, "seep-checkpoints");
      return new S3CheckpointStore({ bucket: "seep-checkpoints", client: testS3Client(), pageSize: 7 });
    },
  ],
];

const BAD_KEYS = [
  "",
  "/runs/r1/c1",
  "runs/../etc/passwd",
  "runs/r1/..",
  "runs//r1",
  "runs/r1/",
  "runs/r 1",
  ".hidden",
  "runs/.c1.0123.tmp",
  "runs/ü",
  "runs/r1\nc1",
  "x".repeat(KEY_LENGTH_MAX + 1),
];

describe.each(STORES)("%s", (_, makeStore) => {
  it("gives back what was put, as a plain Uint8Array", async () => {
    const store = await makeStore();
    await store.put("runs/r1/checkpoints/count.0/c1", bytesOf("state of count.0"));
    const got = await store.get("runs/r1/checkpoints/count.0/c1");
    expect(got?.constructor).toBe(Uint8Array);
    expect(textOf(got)).toBe("state of count.0");
  });

  it("a second put replaces the first, a shorter one too", async () => {
    const store = await makeStore();
    await store.put("runs/r1/c1", bytesOf("a longer first version"));
    await store.put("runs/r1/c1", bytesOf("second"));
    expect(textOf(await store.get("runs/r1/c1"))).toBe("second");
    expect(await store.list("runs/")).toEqual(["runs/r1/c1"]);
  });

  it("an empty object is an object, not a missing one", async () => {
    const store = await makeStore();
    await store.put("runs/r1/empty", new Uint8Array(0));
    expect(await store.get("runs/r1/empty")).toEqual(new Uint8Array(0));
  });

  it("get of a key never put is null, and so is get of a folder of keys", async () => {
    const store = await makeStore();
    expect(await store.get("runs/r1/never")).toBeNull();
    await store.put("runs/r1/checkpoints/c1", bytesOf("x"));
    expect(await store.get("runs/r1/checkpoints")).toBeNull();
    expect(await store.get("runs/r1/checkpoints/c1/deeper")).toBeNull();
  });

  it("delete removes a key, and deleting a key that holds nothing is no error", async () => {
    const store = await makeStore();
    await store.put("runs/r1/c1", bytesOf("one"));
    await store.put("runs/r1/c2", bytesOf("two"));
    await store.delete("runs/r1/c1");
    expect(await store.get("runs/r1/c1")).toBeNull();
    expect(textOf(await store.get("runs/r1/c2"))).toBe("two");
    await store.delete("runs/r1/c1");
    await store.delete("runs/r9/never");
    expect(await store.list("")).toEqual(["runs/r1/c2"]);
  });

  it("list gives every key starting with the prefix, sorted, across pages", async () => {
    const store = await makeStore();
    const r1: string[] = [];
    for (let i = 0; i < 3; i++) for (let c = 0; c < 10; c++) r1.push(`runs/r1/checkpoints/count.${i}/c${c}`);
    for (const key of [...r1].reverse()) await store.put(key, bytesOf(key));
    await store.put("runs/r10/checkpoints/count.0/c0", bytesOf("another run"));
    await store.put("runs/r2/checkpoints/count.0/c0", bytesOf("another run"));
    await store.put("top", bytesOf("at the top"));

    const sorted = [...r1].sort();
    expect(await store.list("runs/r1/")).toEqual(sorted);
    expect(await store.list("runs/r1/checkpoints/count.1/")).toEqual(
      sorted.filter((k) => k.includes("count.1/")),
    );
    expect(await store.list("runs/r1/checkpoints/count.2/c")).toEqual(
      sorted.filter((k) => k.includes("count.2/")),
    );
    expect(await store.list("runs/r1")).toEqual([...sorted, "runs/r10/checkpoints/count.0/c0"]);
    expect(await store.list("runs/r3/")).toEqual([]);
    expect(await store.list("")).toEqual([
      ...sorted,
      "runs/r10/checkpoints/count.0/c0",
      "runs/r2/checkpoints/count.0/c0",
      "top",
    ]);
  });

  it("a 20 MB object round-trips byte for byte", async () => {
    const store = await makeStore();
    const bytes = randomBytes(20 * 1024 * 1024);
    await store.put("runs/r1/checkpoints/lrb.0/c1", bytes);
    const got = await store.get("runs/r1/checkpoints/lrb.0/c1");
    expect(got?.byteLength).toBe(bytes.byteLength);
    expect(Buffer.compare(Buffer.from(got!.buffer, got!.byteOffset, got!.byteLength), bytes)).toBe(0);
  });

  it("refuses bad keys and prefixes in one line naming them, before touching the store", async () => {
    const store = await makeStore();
    for (const key of BAD_KEYS) {
      for (const call of [
        () => store.put(key, bytesOf("x")),
        () => store.get(key),
        () => store.delete(key),
      ]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(CheckpointKeyError);
        expect(error.message).toMatch(/^bad checkpoint key "/);
        expect(error.message).not.toContain("\n");
        expect(error.message).toContain(JSON.stringify(key).slice(1, 40));
      }
    }
    for (const prefix of ["/runs", "runs/../x", "runs//", "runs/ r"]) {
      const error = await rejection(store.list(prefix));
      expect(error).toBeInstanceOf(CheckpointKeyError);
      expect(error.message).toMatch(/^bad checkpoint key prefix "/);
    }
    expect(s3.calls()).toEqual([]); // the S3 store sent nothing
    expect(await store.list("")).toEqual([]); // nor did any put reach the directory
  });
});

describe("checkCheckpointKey", () => {
  it("takes the keys the coordinator makes", () => {
    for (const key of [
      "runs/wordcount-3f9a0c12/checkpoints/count.0/17",
      "runs/lrb_2x/checkpoints/toll-1.3/c-0000042",
      "a",
      "A.b_c-d/e",
    ])
      expect(() => checkCheckpointKey(key)).not.toThrow();
  });

  it("says why a key is refused", () => {
    const why = (key: string) => {
      try {
        checkCheckpointKey(key);
      } catch (error) {
        return (error as Error).message;
      }
      return "taken";
    };
    expect(why("")).toBe('bad checkpoint key "": it is empty');
    expect(why("/a")).toContain("it starts with '/'");
    expect(why("a/../b")).toContain("it holds '..'");
    expect(why("a..b")).toContain("it holds '..'");
    expect(why("a//b")).toContain("empty segment");
    expect(why("a/.b")).toContain("starting with a letter or digit");
    expect(why(`a/${"b".repeat(201)}`)).toContain("a segment has more than 200 characters");
  });
});
