// The coordinator's journal in ZooKeeper, for a real run with high availability. Entries
// go in batches, each a node under <runPath>/journal/ named after its first entry
// (b-000000000042), created by one transaction that also checks the run's epoch node is
// still as this leader claimed it: once a newer leader has claimed an epoch, a deposed one
// writes nothing (FencedError) and stops. The checkpoints that replies carry go to the
// checkpoint store first (ZooKeeper holds small things), named by their entry
// (runs/<runId>/journal/<n>); the batch names none, the reader asks the store for the
// entries marked as carrying one.
//
// Beside the entries, the journal logs the sinks' outputs as they reach the leader
// (`logOutput`): each write puts the outputs logged since the last one in the checkpoint
// store, as one object the batch names, before the batch itself. So an entry is durable
// only with every output that reached the leader before it: a sink's checkpoint that a
// durable reply acknowledges never covers an output a new leader cannot have (the sink
// would not send it again, and its worker may be dead with its outbox).
// Objects in the store are named with the writer's epoch too, so that a deposed leader
// that writes on for a moment cannot overwrite a newer leader's.
//
// An entry may carry a tag, the runtime's note of where its input came from (a reply's
// worker and event seq): a new leader reads it back to resume each worker's events after
// the last one journaled.
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

function checkpointKey(runId: string, at: number, epoch: number): string {
  return `runs/${runId}/journal/${at}-e${epoch}`;
}

function outputsKey(runId: string, first: number, epoch: number): string {
  return `runs/${runId}/journal/o-${first}-e${epoch}`;
}

/** A batch as kept: its first entry, its entries ([json, epoch of its carried checkpoint or 0, tag?]), its outputs' object. */
interface BatchJson {
  readonly first: number;
  readonly entries: [string, number | boolean, string?][];
  readonly outputs?: string;
}

/** A journal as loaded: the entries, their tags, the outputs logged (each object's bytes, in order). */
export interface LoadedJournal {
  readonly entries: JournalEntry[];
  readonly tags: Map<number, string>;
  readonly outputs: Uint8Array[];
}

/** A run's journal, durable in ZooKeeper and the checkpoint store. */
export class ZkJournal implements Journal {
  readonly entries: JournalEntry[];
  /** The tags of entries, by their place in the journal. */
  private readonly tags = new Map<number, string>();
  /** Outputs logged and not yet written. */
  private pendingOutputs: Uint8Array[] = [];
  private outputsLogged = 0;
  private outputsDurableCount = 0;
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
    return (await ZkJournal.loadTagged(session, runPath, runId, store, codec)).entries;
  }

  /** `load`, with the entries' tags (by their place in the journal). */
  static async loadTagged(
    session: ZkSession,
    runPath: string,
    runId: string,
    store: CheckpointStore,
    codec: JournalCodecContext,
  ): Promise<LoadedJournal> {
    const tags = new Map<number, string>();
    const outputs: Uint8Array[] = [];
    const folder = journalPath(runPath);
    let names: string[];
    try {
      names = (await session.getChildren(folder)).filter((n) => n.startsWith("b-")).sort();
    } catch (e) {
      if (isZookeeperError(e, "NO_NODE")) return { entries: [], tags, outputs };
      throw e;
    }
    const entries: JournalEntry[] = [];
    for (const name of names) {
      const node = await session.getData(`${folder}/${name}`);
      if (node === null) throw new Error(`coordinator journal: batch ${name} vanished while it was read`);
      const batch = JSON.parse(node.data.toString("utf8")) as BatchJson;
      if (batch.outputs !== undefined) {
        const bytes = await store.get(batch.outputs);
        if (bytes === null)
          throw new Error(
            `coordinator journal: batch ${name}'s outputs are missing from ${store.describe()}`,
          );
        outputs.push(bytes);
      }
      if (batch.first !== entries.length)
        throw new Error(
          `coordinator journal: batch ${name} begins at entry ${batch.first}, not ${entries.length}`,
        );
      for (const [json, carries, tag] of batch.entries) {
        const at = entries.length;
        if (typeof tag === "string") tags.set(at, tag);
        const checkpoint =
          typeof carries === "number" && carries > 0
            ? await store.get(checkpointKey(runId, at, carries))
            : null;
        if (carries && checkpoint === null)
          throw new Error(
            `coordinator journal: entry ${at}'s checkpoint is missing from ${store.describe()}`,
          );
        entries.push(decodeEntry({ json, checkpoint }, at, codec));
      }
    }
    return { entries, tags, outputs };
  }

  append(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.writing === null && this.failure === null) this.writing = this.writeLater();
  }

  /** Tag entry `at` (not yet durable) with `tag`, kept with it. */
  tag(at: number, tag: string): void {
    if (at < this.durableCount) throw new RangeError(`coordinator journal: entry ${at} is durable already`);
    this.tags.set(at, tag);
  }

  /** Log `bytes` (an output that reached the leader), to be written with the next batch; its number. */
  logOutput(bytes: Uint8Array): number {
    this.pendingOutputs.push(bytes);
    return this.outputsLogged++;
  }

  /** Outputs logged durably so far. */
  get outputsDurable(): number {
    return this.outputsDurableCount;
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
        const outputs = this.pendingOutputs;
        this.pendingOutputs = [];
        await this.writeBatches(first, end, outputs);
        this.durableCount = end;
        this.outputsDurableCount += outputs.length;
        this.o.onDurable(end);
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.o.onFailed(this.failure);
    } finally {
      this.writing = null;
    }
  }

  private async writeBatches(first: number, end: number, outputs: readonly Uint8Array[]): Promise<void> {
    const { runId, epoch, store } = this.o;
    const encoded: EncodedEntry[] = [];
    for (let at = first; at < end; at++) {
      const e = encodeEntry(this.entries[at], this.o.codec);
      if (e.checkpoint !== null) await store.put(checkpointKey(runId, at, epoch), e.checkpoint);
      encoded.push(e);
    }
    let outputsAt: string | undefined;
    if (outputs.length > 0) {
      outputsAt = outputsKey(runId, first, epoch);
      await store.put(outputsAt, Buffer.concat(outputs));
    }
    let batchFirst = first;
    let batch: [string, number, string?][] = [];
    let bytes = 0;
    for (const [i, e] of encoded.entries()) {
      const size = e.json.length + 16;
      if (batch.length > 0 && bytes + size > BATCH_BYTES_MAX) {
        await this.writeBatch(batchFirst, batch, outputsAt);
        outputsAt = undefined;
        batchFirst = first + i;
        batch = [];
        bytes = 0;
      }
      const tag = this.tags.get(first + i);
      const carries = e.checkpoint === null ? 0 : epoch;
      batch.push(tag === undefined ? [e.json, carries] : [e.json, carries, tag]);
      this.tags.delete(first + i);
      bytes += size;
    }
    if (batch.length > 0) await this.writeBatch(batchFirst, batch, outputsAt);
  }

  private async writeBatch(
    first: number,
    entries: [string, number, string?][],
    outputs: string | undefined,
  ): Promise<void> {
    const json: BatchJson = outputs === undefined ? { first, entries } : { first, entries, outputs };
    const data = Buffer.from(JSON.stringify(json));
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
