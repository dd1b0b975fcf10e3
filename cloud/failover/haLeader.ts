// A leader coordinator's side of high availability on a real run (`seep run --ha`): what
// it keeps durable so that a standby can take the run over (`seep coordinator`), and what
// it may tell the workers to let go of.
//
//   journal   every input of the engine's coordinator, write-ahead (zkJournal.ts), its
//             effects held until their input is durable (effectGate.ts). A reply's entry
//             is tagged with its worker and event seq.
//   record    the run's record (cloud/ha/runRecordStore.ts), fenced by the leader's epoch:
//             what the run is (the CLI's part, opaque here), its start, its workers (address,
//             what the pool needs to manage it, standby, alive) and the directory (where each
//             instance runs, its incarnation). It is written before any deploy or redeploy
//             goes out (`durable`), so a new leader knows every worker that may host an
//             instance and every incarnation one may have.
//   snapshot  every `snapshotPeriodMs` the output state (digest, sink ledger, metrics:
//             engine/metrics/outputState.ts) goes to the checkpoint store, and the record
//             names it with what it covers per worker: the last event seq taken, the totals
//             of tuples the heartbeats had counted. A new leader restores it and takes
//             again the logged outputs it does not cover.
//   outputs   every output event is logged with the journal as it arrives (zkJournal.ts):
//             an entry is durable only with the outputs that arrived before it.
//   acks      a worker may drop its events up to `eventsTaken`: its replies and outputs
//             up to there are in the durable journal.
//
// Invariants: no effect leaves before its input is durable; no worker hosts an instance
// the durable record does not place on it (or a later Survey finds there); a worker drops
// an event only once a new leader could not need it again. A write refused because a newer
// leader claimed an epoch (FencedError), or failed for good, deposes this leader (`onFailed`).

import type { JournalEntry } from "../../engine/index.js";
import type { CheckpointStore } from "../checkpointStore/index.js";
import type { SinkOutput } from "../gen/seep/v1/seep.js";
import { type RunRecordStore, readEpoch, type ZkSession } from "../ha/index.js";
import type { DirectoryJson } from "../instanceDirectory.js";
import type { WorkerFailure } from "../runSummary.js";
import { type CrashPoint, CrashWatch } from "./crashPoint.js";
import { EffectGate } from "./effectGate.js";
import type { JournalCodecContext } from "./journalCodec.js";
import { encodeLoggedOutput } from "./outputLog.js";
import { ZkJournal } from "./zkJournal.js";

/** The record's format; a record of another is refused. */
export const HA_RECORD_FORMAT = 1;

/** A worker as the run's record holds it (by its index in the run). */
export interface RecordedWorker {
  readonly id: string;
  readonly address: string;
  /** What the pool needs to manage it under another leader (a local worker's pid); null: nothing. */
  readonly handle: string | null;
  readonly standby: boolean;
  readonly alive: boolean;
  readonly joinedAtMs: number;
  readonly leftAtMs: number | null;
}

/** What the latest output snapshot covers of one worker (by its index). */
export interface OutputCoverage {
  /** Every event of the worker up to this seq was taken when the snapshot was. */
  readonly eventSeq: number;
  /** The heartbeats' totals then (a new leader adds only what comes after). */
  readonly sourceTuples: number;
  readonly tuplesProcessed: number;
}

/** The latest output snapshot: where it is in the store, and what it covers. */
export interface RecordedOutputs {
  readonly key: string;
  readonly lastTickMs: number;
  readonly coverage: readonly OutputCoverage[];
  /** The CLI's own positions (its outputs files' lengths), opaque here. */
  readonly files: unknown;
}

/** One leader of the run, and when it took over. */
export interface RecordedLeader {
  readonly epoch: number;
  readonly pid: number;
  /** Wall-clock ms it became leader (the first leader: when the run started). */
  readonly sinceEpochMs: number;
}

/** The run's record under HA. */
export interface HaRunRecord {
  readonly format: number;
  readonly state: "running" | "finished" | "failed";
  /** What the CLI needs to build the run again (the experiment, its flags): opaque here. */
  readonly run: unknown;
  /** Wall-clock ms at run time 0 (0 until the workers are linked). */
  readonly startEpochMs: number;
  readonly workers: readonly RecordedWorker[];
  readonly directory: DirectoryJson;
  /** The workers declared dead so far. */
  readonly failures: readonly WorkerFailure[];
  readonly outputs: RecordedOutputs | null;
  readonly leaders: readonly RecordedLeader[];
}

/** The record as bytes. */
export function encodeRecord(r: HaRunRecord): Uint8Array {
  return Buffer.from(JSON.stringify(r));
}

/** A record from bytes; throws one line when it is not one of this format. */
export function decodeRecord(bytes: Uint8Array, runId: string): HaRunRecord {
  let r: Partial<HaRunRecord>;
  try {
    r = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<HaRunRecord>;
  } catch {
    throw new Error(`run ${runId}: its record is not JSON`);
  }
  if (r.format !== HA_RECORD_FORMAT)
    throw new Error(`run ${runId}: its record is of format ${r.format}, not ${HA_RECORD_FORMAT}`);
  return r as HaRunRecord;
}

/** What the leader reads of the run to write its record and snapshots. */
export interface HaRunState {
  /** The record as the run stands (outputs and state aside). */
  record(): Omit<HaRunRecord, "outputs" | "state" | "format">;
  /** The output state now, with what it covers per worker. */
  outputs(): { bytes: Uint8Array; lastTickMs: number; coverage: OutputCoverage[]; files: unknown };
}

/** How a leader keeps the run durable. */
export interface HaLeaderOptions {
  readonly session: ZkSession;
  readonly records: RunRecordStore;
  readonly store: CheckpointStore;
  readonly epoch: number;
  readonly epochVersion: number;
  readonly codec: JournalCodecContext;
  /** A new leader's: the journal as loaded (durable already), with its tags. */
  readonly journal?: {
    readonly entries: readonly JournalEntry[];
    readonly tags: ReadonlyMap<number, string>;
  };
  /** A new leader's: the outputs of the record it took over (covered already). */
  readonly outputs?: RecordedOutputs | null;
  /** A write failed: fenced by a newer leader, or ZooKeeper gone for good. */
  readonly onFailed: (error: Error) => void;
  /** Fault injection (tests, benchmarks): crash this process at a point of the protocol (crashPoint.ts). */
  readonly crashAfter?: CrashPoint;
}

/** A reply's tag: `<worker>:<seq>`. */
export function replyTag(worker: number, seq: number): string {
  return `${worker}:${seq}`;
}

/** The last event seq of each worker whose reply is in `tags` (by worker index). */
export function repliesThrough(tags: ReadonlyMap<number, string>): Map<number, number> {
  const out = new Map<number, number>();
  for (const tag of tags.values()) {
    const [w, seq] = tag.split(":").map(Number);
    if (Number.isInteger(w) && Number.isInteger(seq)) out.set(w, Math.max(out.get(w) ?? 0, seq));
  }
  return out;
}

/** A leader's journal, record, output snapshots and acks (see the header). */
export class HaLeader {
  readonly journal: ZkJournal;
  readonly gate: EffectGate;
  private state: HaRunState | null = null;
  /** Per worker, the replies journaled and not yet durable: [entry, seq], in order. */
  private readonly pendingReplies = new Map<number, [number, number][]>();
  /** Per worker, the outputs logged and not yet durable: [number in the log, seq], in order. */
  private readonly pendingOutputs = new Map<number, [number, number][]>();
  private outputs: RecordedOutputs | null;
  private recordWrite: Promise<void> | null = null;
  private recordAgain: Promise<void> | null = null;
  private snapshotting = false;
  private snapshots = 0;
  private timer: NodeJS.Timeout | undefined;
  private failed: Error | null = null;
  private readonly crash: CrashWatch | null;
  /** Entries durable before the latest write. */
  private durableSoFar: number;

  constructor(private readonly o: HaLeaderOptions) {
    this.crash = o.crashAfter === undefined ? null : new CrashWatch(o.crashAfter);
    this.gate = new EffectGate(() => this.journal.entries.length);
    this.journal = new ZkJournal(
      {
        session: o.session,
        runPath: o.records.runPath,
        runId: o.records.runId,
        epoch: o.epoch,
        epochVersion: o.epochVersion,
        store: o.store,
        codec: o.codec,
        onDurable: (n) => this.durableEntries(n),
        onFailed: (e) => this.fail(e),
      },
      o.journal?.entries ?? [],
    );
    this.gate.durable(this.journal.entries.length);
    this.durableSoFar = this.journal.entries.length;
    this.outputs = o.outputs ?? null;
  }

  /** The run, read for records and snapshots (set once the run is built). */
  attach(state: HaRunState): void {
    this.state = state;
  }

  /** The reply of worker `worker`'s event `seq` is journaled as entry `at`. */
  replyJournaled(at: number, worker: number, seq: number): void {
    if (seq === 0 || at >= this.journal.entries.length || at < this.journal.durable) return;
    this.journal.tag(at, replyTag(worker, seq));
    const q = this.pendingReplies.get(worker);
    if (q === undefined) this.pendingReplies.set(worker, [[at, seq]]);
    else q.push([at, seq]);
  }

  /** Worker `worker`'s output event `seq` reached this leader: logged with the journal. */
  outputTaken(worker: number, seq: number, output: SinkOutput): void {
    if (seq === 0) return;
    const n = this.journal.logOutput(encodeLoggedOutput(worker, seq, output));
    const q = this.pendingOutputs.get(worker);
    if (q === undefined) this.pendingOutputs.set(worker, [[n, seq]]);
    else q.push([n, seq]);
  }

  /**
   * The seq up to which worker `worker`'s events may be dropped (`lastSeq`: the last one
   * taken): its replies and outputs up to there are in the durable journal.
   */
  eventsTaken(worker: number, lastSeq: number): number {
    const head = (q: [number, number][] | undefined) =>
      q === undefined || q.length === 0 ? lastSeq : q[0][1] - 1;
    return Math.max(
      0,
      Math.min(head(this.pendingReplies.get(worker)), head(this.pendingOutputs.get(worker))),
    );
  }

  /**
   * Resolves once the record holds the run as it stands now (a write begun after this call):
   * writes that wait meanwhile share one.
   */
  durable(): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (this.recordWrite === null) {
      this.recordWrite = this.writeRecord("running").finally(() => {
        this.recordWrite = null;
      });
      return this.recordWrite;
    }
    this.recordAgain ??= this.recordWrite
      .catch(() => {})
      .then(() => {
        this.recordAgain = null;
        return this.durable();
      });
    return this.recordAgain;
  }

  /** Snapshot the outputs every `periodMs` from now on. */
  startSnapshots(periodMs: number): void {
    this.timer = setInterval(() => void this.snapshot(), periodMs);
  }

  /** No more snapshots. */
  stopSnapshots(): void {
    clearInterval(this.timer);
  }

  /** Take an output snapshot now and name it in the record (one at a time: a call during one is skipped). */
  async snapshot(): Promise<void> {
    const s = this.state;
    if (s === null || this.snapshotting || this.failed !== null) return;
    this.snapshotting = true;
    try {
      const out = s.outputs();
      const key = `runs/${this.o.records.runId}/outputs/e${this.o.epoch}-${this.snapshots++ % 2}`;
      await this.o.store.put(key, out.bytes);
      const outputs: RecordedOutputs = {
        key,
        lastTickMs: out.lastTickMs,
        coverage: out.coverage,
        files: out.files,
      };
      const before = this.outputs;
      this.outputs = outputs;
      try {
        await this.durable();
      } catch (e) {
        this.outputs = before;
        throw e;
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.snapshotting = false;
    }
  }

  /** True while no newer epoch was claimed (ZooKeeper read now); else why this leader may not act. */
  async stillLeads(): Promise<true | string> {
    if (this.failed !== null) return this.failed.message;
    try {
      const now = await readEpoch(this.o.session, this.o.records.runPath);
      return now?.epoch === this.o.epoch ? true : `a newer leader claimed epoch ${now?.epoch}`;
    } catch (e) {
      return `ZooKeeper cannot say it still leads: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** The run is over: the journal settled and the record says so. */
  async finish(state: "finished" | "failed"): Promise<void> {
    this.stopSnapshots();
    await this.journal.settled().catch(() => {});
    await this.writeRecord(state);
  }

  private async writeRecord(state: HaRunRecord["state"]): Promise<void> {
    const s = this.state;
    if (s === null) throw new Error("coordinator failover: the run was not attached to its leader");
    const record: HaRunRecord = { format: HA_RECORD_FORMAT, state, ...s.record(), outputs: this.outputs };
    try {
      await this.o.records.write(encodeRecord(record), this.o.epoch);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  }

  private durableEntries(n: number): void {
    for (const q of this.pendingReplies.values()) while (q.length > 0 && q[0][0] < n) q.shift();
    const logged = this.journal.outputsDurable;
    for (const q of this.pendingOutputs.values()) while (q.length > 0 && q[0][0] < logged) q.shift();
    this.gate.durable(n);
    this.crash?.durable(this.journal.entries, this.durableSoFar, n);
    this.durableSoFar = n;
  }

  private fail(e: Error): void {
    if (this.failed !== null) return;
    this.failed = e;
    this.stopSnapshots();
    this.o.onFailed(e);
  }
}
