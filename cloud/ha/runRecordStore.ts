// The durable record of a run, in ZooKeeper at <root>/runs/<runId>/record: what a new
// leader needs to take the run over. The record is the caller's bytes; the store adds a
// header (the seep version and run id that wrote it, the writer's epoch, and the record's
// size, digest and chunks) and checks it on reading: a record of another seep version or
// another run is refused in one line naming both.
//
// Fencing: a write commits in one transaction that checks the version of the run's epoch
// node (fencingEpoch.ts) as the writer read it, holding the writer's epoch. If a newer
// leader has claimed an epoch since, the check fails and nothing is written (FencedError).
//
// Size: a ZooKeeper node holds at most 1 MB, and so does a whole request, a transaction
// included. The bytes are cut into chunks of 512 KiB, child nodes of the record node named
// after the write (e<epoch>-<random>-<i>). All but the last are created before the commit,
// where no reader looks: only the transaction that sets the header (and creates the last
// chunk, and removes the previous write's chunks) makes them the record. A record of up to
// 512 KiB is thus written by the one transaction alone. Chunks left by a write that failed
// or was fenced are removed by its writer, or else by the next successful write (a writer of
// an older epoch can never commit, so its chunks are garbage).
//
// A lost connection: reads and writes start over (a few times), and a commit whose answer
// was lost is committed again, which tells whether the first took effect. A new leader reads
// the record after claiming its epoch: that write brings its server up to date, so the read
// sees every record committed before the claim.

import { createHash, randomBytes } from "node:crypto";
import { seepVersion } from "../packageRoot.js";
import { epochPath, readEpoch } from "./fencingEpoch.js";
import { isZookeeperError, retryOnConnectionLoss, TransactionFailedError } from "./zkErrors.js";
import type { TransactionOp, ZkSession } from "./zkSession.js";
import { childPath } from "./zookeeperAddress.js";

/** The most bytes one chunk node holds: well under ZooKeeper's 1 MB per node and per request. */
export const RECORD_CHUNK_BYTES = 512 * 1024;
/** How many times a read starts over when a write replaced the record under it. */
const READ_ATTEMPTS = 5;
/** How many times a read or a write is tried in all while each loses the connection. */
const ATTEMPTS = 3;
/** The header's layout version. */
const FORMAT = 1;
const CHUNK_NAME = /^e(\d+)-[0-9a-f]+-\d+$/;

/** A run id that cannot name a node: one line saying why. */
export class RunIdError extends Error {
  override readonly name = "RunIdError";
  constructor(runId: string) {
    super(`bad run id '${runId}': letters, digits, '.', '_' and '-' only, and a letter or digit first`);
  }
}

/** The folder of a run's nodes: <root>/runs/<runId>; RunIdError if `runId` cannot name a node. */
export function runPath(root: string, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new RunIdError(runId);
  return childPath(childPath(root, "runs"), runId);
}

/** The ids of the runs that have nodes under `root`. */
export async function listRuns(session: ZkSession, root: string): Promise<string[]> {
  try {
    return (await session.getChildren(childPath(root, "runs"))).sort();
  } catch (e) {
    if (isZookeeperError(e, "NO_NODE")) return [];
    throw e;
  }
}

/** A write refused because a newer leader has claimed a higher epoch. */
export class FencedError extends Error {
  override readonly name = "FencedError";
  constructor(runId: string, epoch: number, claimed: number) {
    super(
      `write of run ${runId}'s record at epoch ${epoch} refused: epoch ${claimed} has been claimed since`,
    );
  }
}

/** A record written by another seep version or for another run. */
export class RecordMismatchError extends Error {
  override readonly name = "RecordMismatchError";
}

/** A record that cannot be read back whole (a bad header, a chunk missing, a wrong digest). */
export class RecordCorruptError extends Error {
  override readonly name = "RecordCorruptError";
}

/** What the store writes in the record node. */
interface RecordHeader {
  readonly format: number;
  readonly seepVersion: string;
  readonly runId: string;
  readonly epoch: number;
  readonly generation: string;
  readonly chunks: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** A record as read back: the caller's bytes and the epoch of the leader that wrote them. */
export interface RunRecord {
  readonly bytes: Uint8Array;
  readonly epoch: number;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The durable record of one run (see the file's header). */
export class RunRecordStore {
  /** The run's folder, <root>/runs/<runId>. */
  readonly runPath: string;
  /** The record node. */
  readonly recordPath: string;
  private readonly seepVersion: string;
  private writing: Promise<unknown> = Promise.resolve();
  private recordNodeMade = false;

  /** The store of run `runId` under `root`; `seepVersion` (default: this package's) is written and checked. */
  constructor(
    private readonly session: ZkSession,
    root: string,
    readonly runId: string,
    options: { readonly seepVersion?: string } = {},
  ) {
    this.runPath = runPath(root, runId);
    this.recordPath = childPath(this.runPath, "record");
    this.seepVersion = options.seepVersion ?? seepVersion();
  }

  /** Writes the record as leader of `epoch` (claimed with claimEpoch); FencedError if a higher one was claimed since. */
  write(bytes: Uint8Array, epoch: number): Promise<void> {
    const done = this.writing.then(() => retryOnConnectionLoss(ATTEMPTS, () => this.writeNow(bytes, epoch)));
    this.writing = done.catch(() => {});
    return done;
  }

  /** The record, or null if none was written; RecordMismatchError if another seep version or run wrote it. */
  read(): Promise<RunRecord | null> {
    return retryOnConnectionLoss(ATTEMPTS, () => this.readNow());
  }

  private async readNow(): Promise<RunRecord | null> {
    for (let attempt = 1; ; attempt++) {
      const node = await this.session.getData(this.recordPath);
      if (node === null || node.data.length === 0) return null;
      const header = this.parseHeader(node.data);
      const parts = await Promise.all(
        Array.from({ length: header.chunks }, (_, i) =>
          this.session.getData(this.chunkPath(header.generation, i)),
        ),
      );
      if (parts.some((p) => p === null)) {
        if (attempt < READ_ATTEMPTS) continue; // a write replaced the record while it was read
        throw new RecordCorruptError(`run record ${this.recordPath} names chunks that are not there`);
      }
      const bytes = Buffer.concat(parts.map((p) => p!.data));
      if (bytes.length !== header.bytes || sha256(bytes) !== header.sha256)
        throw new RecordCorruptError(`run record ${this.recordPath} does not match its digest`);
      return { bytes, epoch: header.epoch };
    }
  }

  private async writeNow(bytes: Uint8Array, epoch: number): Promise<void> {
    if (!this.recordNodeMade) await this.session.mkdirp(this.recordPath);
    this.recordNodeMade = true;
    const claimed = await readEpoch(this.session, this.runPath);
    if (claimed === null || claimed.epoch < epoch)
      throw new Error(
        `epoch ${epoch} was never claimed in run ${this.runId} (highest: ${claimed?.epoch ?? 0})`,
      );
    if (claimed.epoch > epoch) throw new FencedError(this.runId, epoch, claimed.epoch);
    const current = await this.session.getData(this.recordPath);
    if (current === null)
      throw new RecordCorruptError(`run record ${this.recordPath} was removed during a write`);
    const previous = this.previousChunks(current.data);
    const generation = `e${epoch}-${randomBytes(4).toString("hex")}`;
    const chunks: Uint8Array[] = [];
    for (let at = 0; at === 0 || at < bytes.length; at += RECORD_CHUNK_BYTES)
      chunks.push(bytes.subarray(at, at + RECORD_CHUNK_BYTES));
    const header: RecordHeader = {
      format: FORMAT,
      seepVersion: this.seepVersion,
      runId: this.runId,
      epoch,
      generation,
      chunks: chunks.length,
      bytes: bytes.length,
      sha256: sha256(bytes),
    };
    const last = chunks.length - 1;
    const staged = chunks.slice(0, last).map((_, i) => this.chunkPath(generation, i));
    const ops: TransactionOp[] = [
      { op: "check", path: epochPath(this.runPath), version: claimed.version },
      { op: "create", path: this.chunkPath(generation, last), data: chunks[last] },
      {
        op: "setData",
        path: this.recordPath,
        data: Buffer.from(JSON.stringify(header)),
        version: current.stat.version,
      },
      ...previous.map((path): TransactionOp => ({ op: "remove", path })),
    ];
    try {
      for (const [i, path] of staged.entries()) await this.session.create(path, chunks[i]);
    } catch (e) {
      await this.removeChunks(staged);
      throw e;
    }
    try {
      await this.commit(ops);
    } catch (e) {
      // A commit whose answer was lost may have taken effect: its chunks are left to the sweep.
      if (!isZookeeperError(e, "CONNECTION_LOSS")) await this.removeChunks(staged);
      throw await this.writeError(e, epoch);
    }
    await this.sweep(epoch, generation);
  }

  /**
   * Commits the write's transaction. If the answer is lost with the connection, commits it
   * again: only this transaction creates the last chunk, so NODE_EXISTS there (after the
   * epoch check passed) says the first commit took effect.
   */
  private async commit(ops: readonly TransactionOp[]): Promise<void> {
    try {
      await this.session.transaction(ops);
    } catch (e) {
      if (!isZookeeperError(e, "CONNECTION_LOSS")) throw e;
      try {
        await this.session.transaction(ops);
      } catch (again) {
        const tookEffect = again instanceof TransactionFailedError && again.opIndex === 1;
        if (!(tookEffect && again.code === "NODE_EXISTS")) throw again;
      }
    }
  }

  /** Why a write failed, as the caller should hear it. */
  private async writeError(error: unknown, epoch: number): Promise<unknown> {
    if (!(error instanceof TransactionFailedError)) return error;
    if (error.opIndex === 0)
      return new FencedError(
        this.runId,
        epoch,
        (await readEpoch(this.session, this.runPath))?.epoch ?? epoch,
      );
    if (error.opIndex === 2)
      return new Error(
        `run ${this.runId}'s record changed during a write at epoch ${epoch}: two writers share it`,
      );
    return error;
  }

  /** The chunk nodes of the record the header `data` describes (none if there is none, or it is unreadable). */
  private previousChunks(data: Buffer): string[] {
    if (data.length === 0) return [];
    try {
      const header = this.parseHeader(data);
      return Array.from({ length: header.chunks }, (_, i) => this.chunkPath(header.generation, i));
    } catch {
      return []; // an unreadable or foreign record: its chunks are swept as garbage
    }
  }

  /**
   * Removes the chunks of writes of `epoch` or older that are not the record: left by fenced
   * writers, or by a write of this one whose commit's answer was lost. Garbage collection:
   * a failure here leaves garbage for the next write, not a wrong record, so it is ignored.
   */
  private async sweep(epoch: number, generation: string): Promise<void> {
    try {
      const children = await this.session.getChildren(this.recordPath);
      const stale = children.filter((name) => {
        const m = CHUNK_NAME.exec(name);
        return m !== null && Number(m[1]) <= epoch && !name.startsWith(`${generation}-`);
      });
      await this.removeChunks(stale.map((name) => childPath(this.recordPath, name)));
    } catch {
      // the next write sweeps again
    }
  }

  private async removeChunks(paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.session.remove(path).catch(() => false);
  }

  private chunkPath(generation: string, i: number): string {
    return childPath(this.recordPath, `${generation}-${i}`);
  }

  /** The header in `data`, checked against this store's seep version and run id. */
  private parseHeader(data: Buffer): RecordHeader {
    let header: Partial<RecordHeader>;
    try {
      header = JSON.parse(data.toString("utf8")) as Partial<RecordHeader>;
    } catch {
      throw new RecordCorruptError(`run record ${this.recordPath} has no readable header`);
    }
    if (header.format !== FORMAT || typeof header.generation !== "string" || !Number.isInteger(header.chunks))
      throw new RecordCorruptError(`run record ${this.recordPath} has a header of another format`);
    if (header.seepVersion !== this.seepVersion || header.runId !== this.runId)
      throw new RecordMismatchError(
        `run record ${this.recordPath} was written by seep ${header.seepVersion} for run ${header.runId}; ` +
          `this is seep ${this.seepVersion} for run ${this.runId}`,
      );
    return header as RecordHeader;
  }
}
