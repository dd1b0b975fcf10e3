// The coordinator's journal in ZooKeeper, for a real run with high availability. Entries
// go in batches, each a node under <runPath>/journal/ named after its first entry
// (b-000000000042), created by one transaction that also checks the run's epoch node is
// still as this leader claimed it: once a newer leader has claimed an epoch, a deposed one
// writes nothing (FencedError) and stops. The checkpoints that replies carry go to the
// checkpoint store first (ZooKeeper holds small things), named by their entry
// (runs/<runId>/journal/<n>); the batch names none, the reader asks the store for the
// entries marked as carrying one.
//
// Group commit: entries appended while a write is under way go into the next one, and
// `onDurable(n)` tells, after each write, that the first n entries are kept (the effect
// gate, effectGate.ts, then lets their effects go). A batch bigger than a node may hold
// is written as several, in order. A write whose answer was lost to a dropped connection
// is tried again; a batch node that is there already with the same bytes was the first
// try's (a name is never reused, so this is exact).

import type { Journal, JournalEntry } from "../../engine/index.js";
import type { CheckpointStore } from "../checkpointStore/index.js";
import { FencedError, isZookeeperError, readEpoch, type ZkSession } from "../ha/index.js";
import { decodeEntry, type EncodedEntry, encodeEntry, type JournalCodecContext } from "./journalCodec.js";

/** The most bytes of one batch node (ZooKeeper refuses a node or a request over 1 MB). */
export const BATCH_BYTES_MAX = 768 * 1024;
/** Tries of one write while the connection is lost. */
const WRITE_ATTEMPTS = 4;

/** Where a run's journal lives and who writes it. */
export interface ZkJournalOptions {
  readonly session: ZkSession;
  /** <root>/runs/<runId> (cloud/ha's runPath). */
  readonly runPath: string;
  readonly runId: string;
  /** The epoch this leader claimed, and the epoch node's version after its claim. */
  readonly epoch: number;
  readonly epochVersion: number;
  readonly store: CheckpointStore;
  readonly codec: JournalCodecContext;
  /** The first n entries are durable (after each write). */
  readonly onDurable: (entries: number) => void;
  /** A write failed (fenced, or ZooKeeper gone for good): the leader must step down. */
  readonly onFailed: (error: Error) => void;
}

/** The folder of a run's journal batches. */
export function journalPath(runPath: string): string {
  return `${runPath}/journal`;
}

function batchName(first: number): string {
  return `b-${String(first).padStart(12, "0")}`;
}

function checkpointKey(runId: string, at: number): string {
  return `runs/${runId}/journal/${at}`;
}

/** A run's journal, durable in ZooKeeper and the checkpoint store. */
export class ZkJournal implements Journal {
  readonly entries: JournalEntry[];
  private durableCount: number;
  private writing: Promise<void> | null = null;
  private failure: Error | null = null;

  /** `existing`: the entries a new leader loaded (durable already); a first leader starts empty. */
  constructor(
    private readonly o: ZkJournalOptions,
    existing: readonly JournalEntry[] = [],
  ) {
    this.entries = [...existing];
    this.durableCount = existing.length;
  }

  /** Read a run's journal: every batch in order, the carried checkpoints from the store. */
  static async load(
    session: ZkSession,
    runPath: string,
    runId: string,
    store: CheckpointStore,
    codec: JournalCodecContext,
  ): Promise<JournalEntry[]> {
    const folder = journalPath(runPath);
    let names: string[];
    try {
      names = (await session.getChildren(folder)).filter((n) => n.startsWith("b-")).sort();
    } catch (e) {
      if (isZookeeperError(e, "NO_NODE")) return [];
      throw e;
    }
    const entries: JournalEntry[] = [];
    for (const name of names) {
      const node = await session.getData(`${folder}/${name}`);
      if (node === null) throw new Error(`coordinator journal: batch ${name} vanished while it was read`);
      const batch = JSON.parse(node.data.toString("utf8")) as { first: number; entries: [string, boolean][] };
      if (batch.first !== entries.length)
        throw new Error(
          `coordinator journal: batch ${name} begins at entry ${batch.first}, not ${entries.length}`,
        );
      for (const [json, carries] of batch.entries) {
        const at = entries.length;
        const checkpoint = carries ? await store.get(checkpointKey(runId, at)) : null;
        if (carries && checkpoint === null)
          throw new Error(
            `coordinator journal: entry ${at}'s checkpoint is missing from ${store.describe()}`,
          );
        entries.push(decodeEntry({ json, checkpoint }, at, codec));
      }
    }
    return entries;
  }

  append(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.writing === null && this.failure === null) this.writing = this.writeLater();
  }

  /** Entries durable so far. */
  get durable(): number {
    return this.durableCount;
  }

  /** Resolves once every entry appended so far is durable (rejects if a write failed). */
  async settled(): Promise<void> {
    while (this.writing !== null) await this.writing;
    if (this.failure !== null) throw this.failure;
  }

  /** Write what is pending once the input being taken is done (its effects hash is then known). */
  private async writeLater(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.durableCount < this.entries.length) {
        const first = this.durableCount;
        const end = this.entries.length;
        await this.writeBatches(first, end);
        this.durableCount = end;
        this.o.onDurable(end);
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.o.onFailed(this.failure);
    } finally {
      this.writing = null;
    }
  }

  private async writeBatches(first: number, end: number): Promise<void> {
    const encoded: EncodedEntry[] = [];
    for (let at = first; at < end; at++) {
      const e = encodeEntry(this.entries[at], this.o.codec);
      if (e.checkpoint !== null) await this.o.store.put(checkpointKey(this.o.runId, at), e.checkpoint);
      encoded.push(e);
    }
    let batchFirst = first;
    let batch: [string, boolean][] = [];
    let bytes = 0;
    for (const [i, e] of encoded.entries()) {
      const size = e.json.length + 16;
      if (batch.length > 0 && bytes + size > BATCH_BYTES_MAX) {
        await this.writeBatch(batchFirst, batch);
        batchFirst = first + i;
        batch = [];
        bytes = 0;
      }
      batch.push([e.json, e.checkpoint !== null]);
      bytes += size;
    }
    if (batch.length > 0) await this.writeBatch(batchFirst, batch);
  }

  private async writeBatch(first: number, entries: [string, boolean][]): Promise<void> {
    const data = Buffer.from(JSON.stringify({ first, entries }));
    const path = `${journalPath(this.o.runPath)}/${batchName(first)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.session.transaction([
          { op: "check", path: `${this.o.runPath}/epoch`, version: this.o.epochVersion },
          { op: "create", path, data },
        ]);
        return;
      } catch (e) {
        if (isZookeeperError(e, "NO_NODE") && attempt === 1) {
          await this.o.session.mkdirp(journalPath(this.o.runPath));
          continue;
        }
        const lost = isZookeeperError(e, "CONNECTION_LOSS");
        if (lost && attempt < WRITE_ATTEMPTS) {
          const there = await this.o.session.getData(path).catch(() => null);
          if (there !== null && Buffer.compare(there.data, data) === 0) return; // the first try took
          continue;
        }
        const now = await readEpoch(this.o.session, this.o.runPath).catch(() => null);
        if (now !== null && now.epoch !== this.o.epoch)
          throw new FencedError(this.o.runId, this.o.epoch, now.epoch);
        throw e;
      }
    }
  }
}
