// A worker's checkpoint shelf: the encoded checkpoints its instances took, kept where they
// were taken so that whoever needs one (a backup holder, a new instance restoring a part,
// the coordinator when it keeps one) fetches it from here (checkpointFetch.ts) instead of
// the coordinator relaying it. Keyed by instance and checkpoint id, which identify a
// checkpoint over a run (periodic ids grow, a scale out's are negative and fall), and kept
// across incarnations: a stopping scale out redeploys the split instance in place, and its
// part 0 is fetched from the checkpoint its former incarnation took.
//
// Bounded: the latest `keepPerInstance` (2) periodic checkpoints of each instance, in the
// order they were put, and its latest reconfiguration checkpoint (a scale out's, negative
// id: the split instance, redeployed in place, checkpoints again before a new instance on a
// slow-starting worker fetches its part), plus any being fetched (held until its fetches
// end, then dropped if it is past the bound). Two, because a checkpoint still on its way to
// its holder may be superseded by the next before the holder has fetched it; one older
// than that is of no use (rsm takes no backedUp but for the latest). What is dropped is
// gone: a fetch of it fails (NOT_FOUND), as one from a dead worker does.
//
// A part is cut once for all its siblings (engine partitionEncoded), and the cut kept with
// the checkpoint until it leaves the shelf.
//
// A checkpoint of at most SEEP_CHECKPOINT_INLINE_BYTES bytes (default 64 KiB: a source's,
// a sink's, a mark) is not shelved: it travels inline as before, where a fetch's round trip
// would cost more than its bytes.

import { type Checkpoint, type KeyGroupRange, partitionEncoded } from "../engine/index.js";
import type { ControlReplyMessage } from "./gen/seep/v1/seep.js";
import { checkpointMetaOf, spanOf } from "./remoteCheckpoint.js";

/** Checkpoints kept per instance by default. */
export const SHELF_KEEP_PER_INSTANCE = 2;

/** The environment variable setting the largest checkpoint that travels inline (bytes). */
export const CHECKPOINT_INLINE_ENV = "SEEP_CHECKPOINT_INLINE_BYTES";
/** The largest checkpoint that travels inline, by default (bytes). */
export const DEFAULT_CHECKPOINT_INLINE_BYTES = 64 * 1024;

/** The largest checkpoint that travels inline (SEEP_CHECKPOINT_INLINE_BYTES); a bad value is a one-line RangeError. */
export function checkpointInlineBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[CHECKPOINT_INLINE_ENV];
  if (text === undefined || text.trim() === "") return DEFAULT_CHECKPOINT_INLINE_BYTES;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${CHECKPOINT_INLINE_ENV} must be a whole number of bytes >= 0, got '${text}'`);
  return n;
}

/**
 * A checkpointed reply `msg` (of `cp`, taken on the worker at `address`) with its bytes
 * left on `shelf` and a reference in their place; `msg` itself when they are at most
 * `inlineBytes` or the worker's address is not known (they go inline).
 */
export function shelveCheckpointed(
  shelf: CheckpointShelf,
  msg: ControlReplyMessage,
  cp: Checkpoint,
  address: string | undefined,
  inlineBytes: number,
): ControlReplyMessage {
  const bytes = msg.checkpoint;
  if (address === undefined || bytes.length <= inlineBytes) return msg;
  shelf.put(cp.instance, cp.id, bytes);
  const ref = {
    worker: address,
    instance: cp.instance,
    checkpointId: cp.id,
    byteCount: bytes.length,
    range: spanOf(cp.range),
    parts: [],
    part: 0,
    metaJson: checkpointMetaOf(cp),
    partFieldsJson: "",
  };
  return { ...msg, checkpoint: Buffer.alloc(0), checkpointRef: ref };
}

interface Entry {
  readonly instance: number;
  readonly id: number;
  readonly bytes: Uint8Array;
  /** Fetches under way. */
  holds: number;
  /** Past the bound: dropped once its last fetch ends. */
  evicted: boolean;
  /** Parts cut so far, by the ranges cut by. */
  readonly cuts: Map<string, Uint8Array[]>;
}

/** A checkpoint held for a fetch: its bytes (or a part's), and `release` once sent. */
export interface HeldCheckpoint {
  readonly bytes: Uint8Array;
  release(): void;
}

/** The encoded checkpoints a worker's instances took, the latest few of each. */
export class CheckpointShelf {
  /** Entries by instance, oldest first. */
  private readonly byInstance = new Map<number, Entry[]>();

  constructor(readonly keepPerInstance = SHELF_KEEP_PER_INSTANCE) {
    if (!Number.isInteger(keepPerInstance) || keepPerInstance < 1)
      throw new RangeError(`a shelf keeps at least 1 checkpoint per instance, not ${keepPerInstance}`);
  }

  /** Keep `bytes`, checkpoint `id` of `instance`; the oldest past the bound leave (once no fetch holds them). */
  put(instance: number, id: number, bytes: Uint8Array): void {
    let list = this.byInstance.get(instance);
    if (list === undefined) {
      list = [];
      this.byInstance.set(instance, list);
    }
    const same = list.findIndex((e) => e.id === id);
    if (same >= 0) this.evict(list, same);
    list.push({ instance, id, bytes, holds: 0, evicted: false, cuts: new Map() });
    // A reconfiguration's checkpoint (negative id) is bounded apart: the instance's periodic
    // checkpoints that follow must not push it out before its parts are fetched.
    const kept = id < 0 ? 1 : this.keepPerInstance;
    const sameKind = (e: Entry) => !e.evicted && e.id < 0 === id < 0;
    let live = list.filter(sameKind).length;
    for (let i = 0; i < list.length && live > kept; i++) {
      if (!sameKind(list[i])) continue;
      live--;
      if (this.evict(list, i)) i--;
    }
  }

  /**
   * Checkpoint `id` of `instance` (or, with `parts`, part `part` of it cut by those ranges),
   * held on the shelf until `release`; null when the shelf does not hold it. A bad `parts`
   * (not tiling the checkpoint's key groups) throws a RangeError.
   */
  hold(instance: number, id: number, parts: readonly KeyGroupRange[] = [], part = 0): HeldCheckpoint | null {
    const e = this.byInstance.get(instance)?.find((x) => x.id === id && !x.evicted);
    if (e === undefined) return null;
    const bytes = parts.length === 0 ? e.bytes : this.cut(e, parts, part);
    e.holds++;
    let released = false;
    return {
      bytes,
      release: () => {
        if (released) return;
        released = true;
        e.holds--;
        if (e.evicted && e.holds === 0) this.remove(e);
      },
    };
  }

  /** True when the shelf holds checkpoint `id` of `instance`. */
  has(instance: number, id: number): boolean {
    return this.byInstance.get(instance)?.some((e) => e.id === id && !e.evicted) ?? false;
  }

  /** Checkpoints on the shelf (those past the bound but still fetched included), and their bytes. */
  get held(): { checkpoints: number; bytes: number } {
    let checkpoints = 0;
    let bytes = 0;
    for (const list of this.byInstance.values())
      for (const e of list) {
        checkpoints++;
        bytes += e.bytes.length;
      }
    return { checkpoints, bytes };
  }

  private cut(e: Entry, parts: readonly KeyGroupRange[], part: number): Uint8Array {
    if (!Number.isInteger(part) || part < 0 || part >= parts.length)
      throw new RangeError(`part ${part} of ${parts.length} parts`);
    const key = parts.map((r) => `${r.first}-${r.last}`).join(",");
    let cut = e.cuts.get(key);
    if (cut === undefined) {
      cut = partitionEncoded(e.bytes, parts);
      e.cuts.set(key, cut);
    }
    return cut[part];
  }

  /** Entry `i` of `list` leaves (now, or once its fetches end); true when it left the list now. */
  private evict(list: Entry[], i: number): boolean {
    const e = list[i];
    e.evicted = true;
    if (e.holds > 0) return false;
    list.splice(i, 1); // never the last: `put` evicts only with a newer one in the list
    return true;
  }

  private remove(e: Entry): void {
    const list = this.byInstance.get(e.instance);
    if (list === undefined) return;
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byInstance.delete(e.instance);
  }
}
