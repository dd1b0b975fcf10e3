// The coordinator's side of checkpoints that stay on their workers (remoteCheckpoint.ts):
// which ones it may pass on by reference, and pulling the bytes of those it must hold.
// A checkpointed reply names its checkpoint; before the engine takes it, `CheckpointIntake`
// decides (keepingOf), per place the coordinator touches a checkpoint's bytes or state:
//
//   reference   rsm's periodic checkpoint backed up to an upstream holder: the backup
//               names it, the holder fetches it from the instance's worker. Also a stopping
//               scale out's or migration's checkpoint (strategies none and rsm): its parts
//               are cut by reference (recovery.ts's partition), each new instance fetching
//               its part from the split instance's worker, cut there. A live scale out's
//               snapshot alike: the engine's partition and asNewInstancePart give parts by
//               reference (remoteCheckpoint.ts), each new instance fetching its part and
//               applying the part fields (partFields.ts) itself.
//   pull first  the engine would hold the checkpoint or read its state at once, so the
//               reply waits (and the worker's later events behind it) until the bytes are
//               here: rsm's backups kept in the store (backupPlacement store, or no upstream
//               on another VM), and any checkpoint taken while a recovery or a
//               reconfiguration is under way (a holder may be away, so rsm keeps it);
//               parallel recovery's (the coordinator partitions its copies); global
//               snapshot's, upstream backup's and source replay's (their store, marks and
//               quiescent bases); a scale in's (merged here); one asked for outside any protocol;
//               and every checkpoint under HA (the journal persists the checkpoints replies
//               carry, so that a new leader has them).
//   keep after  a stopping or live scale out's or migration's checkpoint under rsm: its parts
//               go by reference, and the coordinator pulls the whole behind them, off the
//               critical path, since the parts (a live one's with its suppression cut) are the
//               new instances' backups in its store until their first checkpoints: a backup
//               must outlive the source worker. Also one by reference that the engine did not pass on (it
//               kept it after all): pulled at once. And, when a holder fails, the latest
//               backup it held of each instance still alive (`holdersLost`): the engine's
//               copy of it is that instance's backup from then on, once the plan was
//               reconfigured.
//
// A checkpoint pulled is still passed on by reference while its worker lives and its shelf
// still holds it (as far as the replies since tell: `shelved`; controlCalls asks), and as
// bytes otherwise, so that what the coordinator keeps survives the source worker's death. A pull that fails (the source died) drops the reply, as if
// it had been lost with the worker, whose death the run then handles.

import type { Checkpoint, ControlReply, Coordinator, FaultToleranceOptions } from "../engine/index.js";
import { backupHolderOf, STORE } from "../engine/index.js";
import type { TlsFiles } from "./auth.js";
import { CheckpointFetcher } from "./checkpointFetch.js";
import { SHELF_KEEP_PER_INSTANCE } from "./checkpointShelf.js";
import type { CheckpointRef } from "./gen/seep/v1/seep.js";
import { keepBytes } from "./lazyCheckpoint.js";
import { applyPartFields } from "./partFields.js";
import {
  isRemote,
  localBytesOf,
  needsFetch,
  remoteRefOf,
  wasForwarded,
  wholeOf,
} from "./remoteCheckpoint.js";

/** What the coordinator knows when it decides where a checkpoint's bytes must be. */
export interface KeepingContext {
  readonly ft: FaultToleranceOptions;
  /** A standby coordinator may take over (HA): its journal keeps every carried checkpoint. */
  readonly ha: boolean;
  /** The engine's coordinator, once the run has started. */
  coordinator(): Coordinator | null;
}

/** Where a checkpoint named by reference must be: see the file's header. */
export type Keeping = "reference" | "pull" | "keepAfter";

/** Where `cp` (a checkpoint just in by reference) must be before the engine takes it. */
export function keepingOf(cp: Checkpoint, ctx: KeepingContext): Keeping {
  const { strategy } = ctx.ft;
  const c = ctx.coordinator();
  if (ctx.ha || c === null || (strategy !== "none" && strategy !== "rsm")) return "pull";
  const scaling = c.scaling;
  if (cp.id < 0) {
    // A reconfiguration's: a scale out or a migration (stopping or live) passes it on in parts.
    const record = scaling?.busy === true ? scaling.records[scaling.records.length - 1] : undefined;
    if (record === undefined || record.kind === "scaleIn") return "pull";
    return strategy === "rsm" ? "keepAfter" : "reference";
  }
  if (strategy !== "rsm" || (ctx.ft.parallelRecovery ?? 1) > 1) return "pull";
  if (c.faultTolerance?.recovering === true || scaling?.busy === true) return "pull";
  if (!c.plan.instances.some((i) => i.id === cp.instance)) return "pull";
  const holder = backupHolderOf(c.plan, cp.instance, ctx.ft.backupPlacement ?? "upstream");
  return holder === STORE ? "pull" : "reference";
}

/** Pulls checkpoints from the workers that hold them, once each. */
export class CheckpointPulls {
  private readonly fetcher: CheckpointFetcher;
  private readonly pulling = new WeakMap<Checkpoint, Promise<void>>();
  /** Pulls that failed (their source was gone, or no longer held the checkpoint). */
  failed = 0;

  constructor(token: string, tls: TlsFiles | undefined) {
    this.fetcher = new CheckpointFetcher(token, tls);
  }

  /** Bytes pulled so far. */
  get bytesPulled(): number {
    return this.fetcher.bytesFetched;
  }

  /** Resolves once `cp`'s bytes are here (at once when they are, or it is not remote); rejects when they cannot be had. */
  pull(cp: Checkpoint): Promise<void> {
    if (!needsFetch(cp)) return Promise.resolve();
    const under = this.pulling.get(cp);
    if (under !== undefined) return under;
    // A part whose whole is being pulled is cut from it once it is here.
    const whole = wholeOf(cp);
    const wholePull = whole === undefined ? undefined : this.pulling.get(whole);
    const p =
      wholePull !== undefined
        ? wholePull.then(() => undefined)
        : this.fetchWithFields(remoteRefOf(cp)!.ref).then((bytes) => keepBytes(cp, bytes));
    const tracked = p.catch((e: unknown) => {
      this.failed++;
      this.pulling.delete(cp);
      throw e;
    });
    this.pulling.set(cp, tracked);
    return tracked;
  }

  /** The bytes `ref` names, with the part fields it carries applied (partFields.ts). */
  private async fetchWithFields(ref: CheckpointRef): Promise<Uint8Array> {
    return applyPartFields(await this.fetcher.fetch(ref), ref.partFieldsJson);
  }

  /** Pull `cp` in the background (a failure is counted, and the checkpoint stays by reference). */
  keep(cp: Checkpoint): void {
    void this.pull(cp).catch(() => {});
  }

  /** Close the channels. */
  close(): void {
    this.fetcher.close();
  }
}

/** Takes the checkpointed replies in: their bytes pulled first, kept after, or left on their workers. */
export class CheckpointIntake {
  /** Bytes of checkpoints that came inline in replies (small ones, and every one before). */
  bytesInline = 0;
  /** Bytes of checkpoints the replies named by reference (left on their workers, pulled or not). */
  bytesByReference = 0;
  /** Replies dropped because their checkpoint could not be pulled. */
  dropped = 0;
  private readonly keeping = new WeakMap<Checkpoint, Keeping>();
  /** Per instance, its latest checkpoint passed by reference to a holder, and that holder. */
  private readonly heldBy = new Map<number, { readonly cp: Checkpoint; readonly holder: number }>();
  /** Per worker and instance, the checkpoint ids its shelf still holds, as far as the replies tell. */
  private readonly shelves = new Map<string, { periodic: number[]; reconfiguration: number | null }>();

  constructor(
    readonly pulls: CheckpointPulls,
    private readonly ctx: KeepingContext,
  ) {}

  /** Bytes of checkpoints the coordinator received: inline in replies, and pulled. */
  get bytesReceived(): number {
    return this.bytesInline + this.pulls.bytesPulled;
  }

  /**
   * A reply named `ref` (called as it arrives, before any wait): its worker's shelf holds it,
   * and drops the oldest past its bound, as checkpointShelf.ts does.
   */
  named(ref: CheckpointRef): void {
    const key = `${ref.worker}/${ref.instance}`;
    let shelf = this.shelves.get(key);
    if (shelf === undefined) {
      shelf = { periodic: [], reconfiguration: null };
      this.shelves.set(key, shelf);
    }
    if (ref.checkpointId < 0) shelf.reconfiguration = ref.checkpointId;
    else {
      shelf.periodic = shelf.periodic.filter((id) => id !== ref.checkpointId);
      shelf.periodic.push(ref.checkpointId);
      if (shelf.periodic.length > SHELF_KEEP_PER_INSTANCE) shelf.periodic.shift();
    }
  }

  /** True when the shelf `ref` names should still hold it (its worker alive or not). */
  shelved(ref: CheckpointRef): boolean {
    const shelf = this.shelves.get(`${ref.worker}/${ref.instance}`);
    if (shelf === undefined) return false;
    return ref.checkpointId < 0
      ? shelf.reconfiguration === ref.checkpointId
      : shelf.periodic.includes(ref.checkpointId);
  }

  /** `cp` went by reference in a backup to instance `holder` (controlCalls.ts). */
  backupSent(holder: number, cp: Checkpoint): void {
    if (isRemote(cp)) this.heldBy.set(cp.instance, { cp, holder });
  }

  /**
   * Instances `ids` failed: the checkpoints they held as backups are pulled from their
   * sources, which live. The engine keeps its copy of a backup (BackupOf.copy) and, once the
   * plan was reconfigured, restores from it when its holder lost it: that copy must not
   * depend on the worker of the instance it is to restore.
   */
  holdersLost(ids: readonly number[]): void {
    const lost = new Set(ids);
    for (const [instance, h] of this.heldBy) {
      if (!lost.has(h.holder)) continue;
      this.heldBy.delete(instance);
      if (!lost.has(instance)) this.pulls.keep(h.cp);
    }
  }

  /**
   * Before the engine takes `reply`: undefined to take it now, else a promise of whether it
   * still goes once its checkpoint's bytes are here (false: they could not be pulled, and
   * the reply is dropped as if lost with its worker).
   */
  before(reply: ControlReply): Promise<boolean> | undefined {
    if (reply.type !== "checkpointed") return undefined;
    const cp = reply.checkpoint;
    if (!isRemote(cp)) {
      this.bytesInline += localBytesOf(cp)?.length ?? 0;
      return undefined;
    }
    this.bytesByReference += remoteRefOf(cp)?.ref.byteCount ?? 0;
    const keeping = keepingOf(cp, this.ctx);
    this.keeping.set(cp, keeping);
    if (keeping !== "pull") return undefined;
    return this.pulls.pull(cp).then(
      () => true,
      () => {
        this.dropped++;
        return false;
      },
    );
  }

  /** After the engine took `reply`: a checkpoint to keep, or one it kept without passing it on, is pulled now. */
  after(reply: ControlReply): void {
    if (reply.type !== "checkpointed") return;
    const cp = reply.checkpoint;
    const keeping = this.keeping.get(cp);
    if (keeping === "keepAfter" || (keeping === "reference" && !wasForwarded(cp))) this.pulls.keep(cp);
  }
}
