// The checkpoint store on a local disk: the default, a directory such as `<runDir>/checkpoints`,
// one file per key at the key's path below it. A put writes a temporary file beside its target
// (a name starting with '.', which no key has), fsyncs it, renames it over the target and
// fsyncs the directory: rename is atomic within a directory, so a crash at any point leaves the
// old object or the new one under the key, never a part, and a leftover temporary file is never
// read or listed. Directories are made as needed (and their parents fsynced, so that the new
// entries survive a crash too). One limit the disk sets and S3 does not: a key cannot also be a
// folder of other keys (`a/b` beside `a/b/c`); the second of the two is refused in one line.

import { randomBytes } from "node:crypto";
import { constants, type Dirent } from "node:fs";
import { access, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  type CheckpointStore,
  CheckpointStoreError,
  checkCheckpointKey,
  checkCheckpointPrefix,
  isCheckpointKey,
  plainBytes,
} from "./checkpointStore.js";

/** Error codes of a path that holds no object: nothing there, or a folder (of other keys) there. */
const ABSENT = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

/** A checkpoint store in a directory on disk. */
export class DirectoryCheckpointStore implements CheckpointStore {
  /** The store's directory, absolute. */
  readonly directory: string;

  /** A store in `directory` (made at the first put); `open` makes and checks it at once. */
  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  /** A store in `directory`, made now if missing; one line naming it and why if it cannot be made or written. */
  static async open(directory: string): Promise<DirectoryCheckpointStore> {
    const store = new DirectoryCheckpointStore(directory);
    const dir = store.directory;
    try {
      await makeDirectory(dir);
    } catch (error) {
      const why = errorCode(error) === "EEXIST" ? "it exists and is not a directory" : fsReason(error);
      throw new CheckpointStoreError(`cannot create the checkpoint directory ${dir}: ${why}`);
    }
    try {
      await access(dir, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new CheckpointStoreError(`cannot write to the checkpoint directory ${dir}: ${fsReason(error)}`);
    }
    return store;
  }

  describe(): string {
    return `dir:${this.directory}`;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const dir = dirname(path);
    const temp = join(dir, `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
    try {
      await makeDirectory(dir);
      const file = await open(temp, "wx");
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
      await syncDirectory(dir);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw this.#error("write", key, error);
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    const path = this.#path(key);
    try {
      return plainBytes(await readFile(path));
    } catch (error) {
      if (ABSENT.has(errorCode(error))) return null;
      throw this.#error("read", key, error);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
      await syncDirectory(dirname(path));
    } catch (error) {
      if (ABSENT.has(errorCode(error))) return;
      throw this.#error("delete", key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkCheckpointPrefix(prefix);
    // Only the folder the prefix's last '/' closes can hold its keys.
    const base = prefix.slice(0, Math.max(0, prefix.lastIndexOf("/")));
    const keys: string[] = [];
    try {
      await this.#walk(base, prefix, keys);
    } catch (error) {
      throw new CheckpointStoreError(
        `cannot list ${prefix === "" ? "the keys" : `keys under ${prefix}`} in ${this.describe()}: ${fsReason(error)}`,
      );
    }
    return keys.sort();
  }

  /** Adds the keys below folder `folder` (a key prefix without its '/') that start with `prefix`. */
  async #walk(folder: string, prefix: string, keys: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.directory, folder), { withFileTypes: true });
    } catch (error) {
      if (ABSENT.has(errorCode(error))) return;
      throw error;
    }
    for (const entry of entries) {
      const key = folder === "" ? entry.name : `${folder}/${entry.name}`;
      // Temporary files (and anything else no key could name) are not objects.
      if (!isCheckpointKey(key)) continue;
      if (entry.isDirectory()) {
        const below = `${key}/`;
        if (below.startsWith(prefix) || prefix.startsWith(below)) await this.#walk(key, prefix, keys);
      } else if (entry.isFile() && key.startsWith(prefix)) keys.push(key);
    }
  }

  /** The file of `key`, which is checked first. */
  #path(key: string): string {
    checkCheckpointKey(key);
    return join(this.directory, ...key.split("/"));
  }

  #error(verb: string, key: string, error: unknown): CheckpointStoreError {
    const code = errorCode(error);
    const clash =
      code === "EISDIR" || code === "ENOTDIR" || code === "EEXIST"
        ? " (on disk a key cannot also be a folder of other keys, as a/b beside a/b/c)"
        : "";
    return new CheckpointStoreError(
      `cannot ${verb} checkpoint ${key} in ${this.describe()}: ${fsReason(error)}${clash}`,
    );
  }
}

/**
 * Makes `dir` and any missing parents, fsyncing each one made into its parent so that its entry
 * is durable; one that exists already is fine. Level by level rather than with mkdir's
 * `recursive`, which loops forever where mkdir says ENOENT under a folder that exists (/proc).
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if (errorCode(error) !== "ENOENT" || dirname(dir) === dir) {
      if (errorCode(error) === "EEXIST" && (await isDirectory(dir))) return;
      throw error;
    }
    await makeDirectory(dirname(dir));
    try {
      await mkdir(dir);
    } catch (again) {
      if (errorCode(again) === "EEXIST" && (await isDirectory(dir))) return;
      throw again;
    }
  }
  await syncDirectory(dirname(dir));
}

/** Whether `path` is a directory (following links). */
async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Makes the entries of `dir` (a rename, a new file, a removal) durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The Node error code of `error` (ENOENT, EACCES, ...), or "". */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/** Why a file system call failed, in one line without the path: `EACCES (permission denied)`. */
function fsReason(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  // Node's messages read "ENOENT: no such file or directory, open '/x'": keep the words only.
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1];
  if (code !== "") return words === undefined ? code : `${code} (${words})`;
  return message.replace(/\s+/g, " ").trim();
}
