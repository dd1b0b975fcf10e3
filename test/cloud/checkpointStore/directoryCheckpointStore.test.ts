// The directory store's own promises, beyond the contract: a put that dies or fails midway
// never shows a part of an object (a temporary file left behind is neither read nor listed;
// a write the file system refuses leaves the old object whole and no temporary file), and a
// directory that cannot be made or written is one line naming it and why.

import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CheckpointStoreError, DirectoryCheckpointStore } from "../../../cloud/checkpointStore/index.js";
import { bytesOf, rejection, textOf } from "./storeTesting.js";

const REGISTER = fileURLToPath(new URL("../../../bin/register.js", import.meta.url));
const STORE_MODULE = new URL("../../../cloud/checkpointStore/index.ts", import.meta.url).href;

const temps: string[] = [];

afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "seep-ckpt-dir-"));
  temps.push(dir);
  return dir;
}

/** Runs a put of 20 MB in a child process whose files may not grow past 4 MB (ulimit -f): the write fails midway with EFBIG. */
function putPastFileSizeLimit(
  dir: string,
  key: string,
): Promise<{ name?: string; message?: string; put?: string }> {
  const child = `
    const [moduleUrl, dir, key] = process.argv.slice(1);
    const { DirectoryCheckpointStore } = await import(moduleUrl);
    try {
      await new DirectoryCheckpointStore(dir).put(key, new Uint8Array(20 * 1024 * 1024).fill(7));
      console.log(JSON.stringify({ put: "done" }));
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, message: e.message }));
    }`;
  const script = 'ulimit -f 4096 && exec "$0" --import "$1" --input-type=module -e "$2" "$3" "$4" "$5"';
  const args = [process.execPath, REGISTER, child, STORE_MODULE, dir, key];
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the child put failed to run: ${error.message}; ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}"));
    });
  });
}

describe("DirectoryCheckpointStore", () => {
  it("a temporary file left by a put that died midway is neither read nor listed", async () => {
    const store = await DirectoryCheckpointStore.open(await tempDir());
    await store.put("runs/r1/count.0/c1", bytesOf("whole first checkpoint"));
    // What a put of c1 and one of c2 leave when the process dies before their renames.
    const folder = join(store.directory, "runs", "r1", "count.0");
    await writeFile(join(folder, ".c1.0123456789abcdef.tmp"), "half of a sec");
    await writeFile(join(folder, ".c2.fedcba9876543210.tmp"), "half of a fir");

    expect(textOf(await store.get("runs/r1/count.0/c1"))).toBe("whole first checkpoint");
    expect(await store.get("runs/r1/count.0/c2")).toBeNull();
    expect(await store.list("")).toEqual(["runs/r1/count.0/c1"]);
    await store.put("runs/r1/count.0/c2", bytesOf("whole"));
    expect(await store.list("runs/r1/count.0/")).toEqual(["runs/r1/count.0/c1", "runs/r1/count.0/c2"]);
  });

  it("a put that fails midway leaves the old object whole, no temporary file, and one line", async () => {
    const dir = await tempDir();
    const store = await DirectoryCheckpointStore.open(dir);
    await store.put("runs/r1/lrb.0/c1", bytesOf("the old checkpoint"));

    const result = await putPastFileSizeLimit(dir, "runs/r1/lrb.0/c1");

    expect(result.name).toBe("CheckpointStoreError");
    expect(result.message).toBe(
      `cannot write checkpoint runs/r1/lrb.0/c1 in dir:${dir}: EFBIG (file too large)`,
    );
    expect(textOf(await store.get("runs/r1/lrb.0/c1"))).toBe("the old checkpoint");
    expect(await readdir(join(dir, "runs", "r1", "lrb.0"))).toEqual(["c1"]);
  });

  it("readers during overwrites see one whole version or the other, never a mix", async () => {
    const store = await DirectoryCheckpointStore.open(await tempDir());
    const versions = [new Uint8Array(4 * 1024 * 1024).fill(1), new Uint8Array(4 * 1024 * 1024).fill(2)];
    await store.put("runs/r1/c1", versions[0]);
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 10; i++) await store.put("runs/r1/c1", versions[i % 2]);
      writing = false;
    })();
    const seen = new Set<string>();
    while (writing) {
      const got = await store.get("runs/r1/c1");
      const whole = versions.findIndex((v) => Buffer.compare(v, got ?? new Uint8Array(0)) === 0);
      expect(whole, "a read saw neither version whole").toBeGreaterThanOrEqual(0);
      seen.add(String(whole));
    }
    await writer;
    expect(seen.size).toBeGreaterThan(0);
  });

  it("makes the directories a key needs, even when the store's own is gone", async () => {
    const dir = join(await tempDir(), "not", "yet");
    const store = new DirectoryCheckpointStore(dir);
    expect(store.describe()).toBe(`dir:${dir}`);
    expect(await store.list("")).toEqual([]);
    await store.put("runs/r1/checkpoints/count.0/c1", bytesOf("x"));
    expect(await readdir(join(dir, "runs", "r1", "checkpoints", "count.0"))).toEqual(["c1"]);
  });

  it("a directory that cannot be created is one line naming it and why", async () => {
    const parent = await tempDir();
    await writeFile(join(parent, "a-file"), "not a folder");

    const below = await rejection(DirectoryCheckpointStore.open(join(parent, "a-file", "checkpoints")));
    expect(below).toBeInstanceOf(CheckpointStoreError);
    expect(below.message).toBe(
      `cannot create the checkpoint directory ${join(parent, "a-file", "checkpoints")}: ENOTDIR (not a directory)`,
    );

    const itself = await rejection(DirectoryCheckpointStore.open(join(parent, "a-file")));
    expect(itself.message).toBe(
      `cannot create the checkpoint directory ${join(parent, "a-file")}: it exists and is not a directory`,
    );
  });

  // Root writes anywhere: only another user sees the permission refused.
  it.skipIf(process.getuid?.() === 0)("a directory without write permission is one line", async () => {
    const dir = join(await tempDir(), "read-only");
    await mkdir(dir);
    await chmod(dir, 0o500);
    const error = await rejection(DirectoryCheckpointStore.open(dir));
    expect(error.message).toBe(`cannot write to the checkpoint directory ${dir}: EACCES (permission denied)`);
    await chmod(dir, 0o700);
  });

  it("a key that is also a folder of other keys is refused in one line", async () => {
    const store = await DirectoryCheckpointStore.open(await tempDir());
    await store.put("runs/r1/c1/part", bytesOf("x"));
    await store.put("runs/r1/c2", bytesOf("y"));

    const folder = await rejection(store.put("runs/r1/c1", bytesOf("z")));
    expect(folder.message).toMatch(
      /^cannot write checkpoint runs\/r1\/c1 in dir:\S+: EISDIR \(.*\) \(on disk a key cannot also be a folder of other keys, as a\/b beside a\/b\/c\)$/,
    );
    const file = await rejection(store.put("runs/r1/c2/part", bytesOf("z")));
    expect(file.message).toMatch(
      /^cannot write checkpoint runs\/r1\/c2\/part in dir:\S+: E\w+ .*a\/b beside a\/b\/c\)$/,
    );
    expect(await store.list("")).toEqual(["runs/r1/c1/part", "runs/r1/c2"]);
  });
});
