// A checkpoint whose bytes stay on the worker that took it: named by a reference (the
// worker, the instance, the checkpoint id, a part's key groups) instead of carried. The
// worker keeps the bytes on its shelf (checkpointShelf.ts) and replies with the head
// (lazyCheckpoint.ts: id, instance, operator, inputs, horizon), the reference, and a "meta"
// of what else the coordinator reads without the state: the output positions (recovery
// and the scale outs read what was sent to whom), the source position, event time, ended
// and the number of entries. So the coordinator's Checkpoint for it is whole but for
// `processing`, `buffers` and `suppression` (read only where the coordinator decodes: a
// parallel recovery's, a live scale out's), decoded from its bytes once the coordinator
// has pulled them (checkpointPulls.ts); read before that, they throw RemoteStateError:
// a policy that forwarded by reference a checkpoint the coordinator needed.
//
// Passing such a checkpoint on (controlWire.ts) sends its reference, and the receiving
// worker fetches the bytes (checkpointFetch.ts). Partitioned (a stopping scale out's parts),
// each part is the whole's reference plus the ranges and which of them: the source worker
// cuts it (engine partitionEncoded) and streams only that part. A part whose whole has its
// bytes here is cut here. Bytes fetched for a checkpoint are kept with it (keepBytes); the
// coordinator still passes it on by reference while its source worker lives (the bytes
// then go worker to worker), and as bytes once that worker is gone.
//
// Such a checkpoint carries the engine's STATE_ELSEWHERE: engine partition, asNewInstancePart
// and withSuppression (a live scale out's parts, and each new instance's rewind base under
// rsm) give checkpoints by reference too, the part-level fields they set travelling beside
// the reference (partFields.ts) and applied by whoever gets the bytes: the coordinator
// never decodes, nor needs the bytes of, a live scale out's snapshot.

import {
  type Checkpoint,
  decodeCheckpoint,
  decodeFloat,
  decodeRoutingState,
  encodeFloat,
  encodeRoutingState,
  KeyGroupRange,
  mergeRanges,
  type OutputPosition,
  type PartFields,
  partitionEncoded,
  STATE_ELSEWHERE,
  type StateCodec,
} from "../engine/index.js";
import type { CheckpointRef, KeyGroupSpan } from "./gen/seep/v1/seep.js";
import {
  decodedOnUse,
  headFieldsFrom,
  keepBytes,
  keptBytesOf,
  parseHead,
  partHead,
  partitionOnWire,
} from "./lazyCheckpoint.js";
import { applyPartFields, mergePartFields, parsePartFields, partFieldsJson } from "./partFields.js";

/** The state codec of an operator, by operator id. */
type CodecOf = (operator: number) => StateCodec<unknown>;

/** A remote checkpoint's state was read where only its reference is. */
export class RemoteStateError extends Error {
  override readonly name = "RemoteStateError";
}

/** What a checkpoint's reference says beyond its head, without its state. */
interface Meta {
  readonly outputs: readonly OutputPosition[];
  readonly sourcePosition: number;
  readonly watermarkMs: number;
  readonly ended: boolean;
  /** Keyed entries in the state (absent for a part: not counted). */
  readonly entries?: number;
}

interface Remote {
  /** The reference, its meta left out (what a receiver fetches by). */
  readonly ref: CheckpointRef;
  readonly head: string;
  /** Decoded for one restore alone (see checkpointFromWire). */
  readonly exclusive: boolean;
  readonly meta: Meta | null;
  /** A part cut by reference, or one with part fields set: the checkpoint as its reply named it. */
  readonly whole?: Checkpoint;
  /** The part fields set on it (also in `ref.partFieldsJson`), applied to its bytes. */
  readonly fields: PartFields | null;
  /** Passed on by reference at least once (or partitioned so). */
  forwarded: boolean;
}

const REMOTE = new WeakMap<Checkpoint, Remote>();
/** The parts cut here from a whole's bytes, by the ranges they were cut by. */
const CUT = new WeakMap<Checkpoint, Map<string, Uint8Array[]>>();

/** Key groups as a KeyGroupSpan. */
export function spanOf(r: KeyGroupRange): KeyGroupSpan {
  return { first: r.first, last: r.last };
}

/** A KeyGroupSpan as a range; a malformed one is a RangeError. */
export function rangeOfSpan(s: KeyGroupSpan | undefined, what: string): KeyGroupRange {
  if (s === undefined || !Number.isInteger(s.first) || !Number.isInteger(s.last) || s.first < 0)
    throw new RangeError(`${what}: not a key-group range`);
  return KeyGroupRange.of(s.first, s.last);
}

/** The key groups a reference names: its part's, or the whole's. */
export function refRange(ref: CheckpointRef): KeyGroupRange {
  if (ref.parts.length === 0) return rangeOfSpan(ref.range, "checkpoint reference");
  if (ref.part >= ref.parts.length)
    throw new RangeError(`checkpoint reference: part ${ref.part} of ${ref.parts.length}`);
  return rangeOfSpan(ref.parts[ref.part], "checkpoint reference part");
}

/** The meta of `cp` (a checkpoint its instance just took) as JSON: what its reference says beyond its head. */
export function checkpointMetaOf(cp: Checkpoint): string {
  return JSON.stringify({
    outputs: cp.outputs.map((o) => [
      o.edge,
      encodeRoutingState(o.routing),
      encodeFloat(o.seq),
      o.sentTo.map(([r, seq]) => [r, encodeFloat(seq)]),
    ]),
    sourcePosition: encodeFloat(cp.sourcePosition),
    watermarkMs: encodeFloat(cp.watermarkMs),
    ended: cp.ended,
    entries: cp.processing.size,
  });
}

function malformed(why: string): never {
  throw new RangeError(`malformed checkpoint meta: ${why}`);
}

const isInt = (x: unknown): x is number => Number.isSafeInteger(x);

/** The meta `checkpointMetaOf` wrote; a malformed one is a RangeError. */
function parseMeta(json: string): Meta {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(json) as Record<string, unknown>;
  } catch (e) {
    return malformed((e as Error).message);
  }
  if (typeof m !== "object" || m === null || !Array.isArray(m.outputs) || typeof m.ended !== "boolean")
    malformed("not {outputs, sourcePosition, watermarkMs, ended, ...}");
  const outputs = m.outputs.map((o: unknown): OutputPosition => {
    if (!Array.isArray(o) || o.length !== 4 || !isInt(o[0]) || !Array.isArray(o[3]))
      malformed("an output must be [edge, routing, seq, sentTo]");
    return {
      edge: o[0],
      routing: decodeRoutingState(o[1]),
      seq: decodeFloat(o[2], "seq"),
      sentTo: (o[3] as unknown[]).map((s) => {
        if (!Array.isArray(s) || s.length !== 2 || !isInt(s[0]))
          malformed("sentTo must hold [receiver, seq]");
        return [s[0], decodeFloat(s[1], "sentTo seq")] as const;
      }),
    };
  });
  if (m.entries !== undefined && !isInt(m.entries)) malformed("entries must be an integer");
  return {
    outputs,
    sourcePosition: decodeFloat(m.sourcePosition, "sourcePosition"),
    watermarkMs: decodeFloat(m.watermarkMs, "watermarkMs"),
    ended: m.ended as boolean,
    ...(m.entries === undefined ? {} : { entries: m.entries as number }),
  };
}

/**
 * The checkpoint `ref` names, with `head`: its head's fields and range at once, the meta's
 * (when the reference carries one: a checkpointed reply's) as plain fields, and its state
 * decoded from its bytes once it has them (throws RemoteStateError before).
 */
export function remoteCheckpoint(
  ref: CheckpointRef,
  head: string,
  codecOf: CodecOf,
  exclusive = false,
): Checkpoint {
  const meta = ref.metaJson === "" ? null : parseMeta(ref.metaJson);
  const fields = parsePartFields(ref.partFieldsJson);
  return build({ ref: { ...ref, metaJson: "" }, head, exclusive, meta, fields, forwarded: false }, codecOf);
}

function build(remote: Remote, codecOf: CodecOf): Checkpoint {
  const h = parseHead(remote.head);
  const range = refRange(remote.ref);
  let full: Checkpoint | null = null;
  const load = (): Checkpoint => {
    if (full !== null) return full;
    const bytes = localBytesOf(cp);
    if (bytes === undefined)
      throw new RemoteStateError(
        `the state of checkpoint ${h.id} of instance ${remote.ref.instance} is on worker ${remote.ref.worker}, not here: pull it first`,
      );
    full = decodeCheckpoint(bytes, codecOf(h.operator), remote.exclusive);
    if (full.id !== h.id || full.instance !== h.instance || !full.range.equals(range))
      throw new RangeError("malformed checkpoint: the bytes fetched are of another checkpoint");
    return full;
  };
  const m = remote.meta;
  const f = remote.fields;
  // What the part fields say is known without the state: a new instance buffers nothing.
  const known = {
    ...(f?.newInstance === true ? { buffers: [] } : {}),
    ...(f?.suppression === undefined ? {} : { suppression: f.suppression }),
  };
  const lazy = (["processing", "buffers", "suppression"] as const).filter((n) => !(n in known));
  const cp =
    m === null
      ? decodedOnUse(headFieldsFrom(h, range), load)
      : decodedOnUse(
          {
            ...headFieldsFrom(h, range),
            outputs: m.outputs,
            sourcePosition: m.sourcePosition,
            watermarkMs: m.watermarkMs,
            ended: m.ended,
            ...known,
          },
          load,
          lazy,
        );
  REMOTE.set(cp, remote);
  Object.defineProperty(cp, STATE_ELSEWHERE, {
    value: {
      partition: (c: Checkpoint, ranges: readonly KeyGroupRange[]) => {
        const parts = partitionByReference(c, ranges, codecOf);
        if (parts === null)
          throw new RangeError(`checkpoint ${c.id} of instance ${c.instance}: not on the wire`);
        return parts;
      },
      withFields: (c: Checkpoint, fields: PartFields) => withFieldsByReference(c, fields, codecOf),
    },
    enumerable: false,
  });
  return cp;
}

/** `cp` (remote) with part `fields` set, by reference: they travel beside it and are applied to its bytes where fetched. */
function withFieldsByReference(cp: Checkpoint, fields: PartFields, codecOf: CodecOf): Checkpoint {
  const r = REMOTE.get(cp)!;
  const merged = mergePartFields(r.fields, fields);
  const head = fields.newInstance === true ? partHead(cp, 1) : r.head;
  const meta = r.meta === null || fields.newInstance !== true ? r.meta : asNewSender(r.meta);
  const ref = { ...r.ref, partFieldsJson: partFieldsJson(merged) };
  return build(
    { ref, head, exclusive: false, meta, whole: r.whole ?? cp, fields: merged, forwarded: false },
    codecOf,
  );
}

/** The reference `cp` can travel by and its head, if it is remote (its bytes here too or not). */
export function remoteRefOf(cp: Checkpoint): { ref: CheckpointRef; head: string } | undefined {
  const r = REMOTE.get(cp);
  return r === undefined ? undefined : { ref: r.ref, head: r.head };
}

/** True when `cp` is remote and its bytes are not here: it can travel by reference only. */
export function needsFetch(cp: Checkpoint): boolean {
  return REMOTE.has(cp) && localBytesOf(cp) === undefined;
}

/** True when `cp` is remote (its bytes here or not). */
export function isRemote(cp: Checkpoint): boolean {
  return REMOTE.has(cp);
}

/** `cp` goes (or went) on by reference: noted, so that one kept here unforwarded is told apart. */
export function noteForwarded(cp: Checkpoint): void {
  const r = REMOTE.get(cp);
  if (r !== undefined) r.forwarded = true;
}

/** True once `cp` was passed on (or partitioned) by reference. */
export function wasForwarded(cp: Checkpoint): boolean {
  return REMOTE.get(cp)?.forwarded ?? false;
}

/** The keyed entries of a remote checkpoint as its worker counted them (undefined: not said, or not remote). */
export function remoteEntriesOf(cp: Checkpoint): number | undefined {
  return REMOTE.get(cp)?.meta?.entries;
}

/** The whole a part by reference is cut from (undefined: not such a part). */
export function wholeOf(cp: Checkpoint): Checkpoint | undefined {
  return REMOTE.get(cp)?.whole;
}

/**
 * `cp`'s bytes here, if any: those it came with or was fetched for, or, for a part by
 * reference whose whole has its bytes here, cut from them (once for all its parts).
 */
export function localBytesOf(cp: Checkpoint): Uint8Array | undefined {
  const kept = keptBytesOf(cp);
  if (kept !== undefined) return kept;
  const r = REMOTE.get(cp);
  if (r?.whole === undefined) return undefined;
  const whole = localBytesOf(r.whole);
  if (whole === undefined) return undefined;
  const bytes = applyPartFields(cutOf(r, whole), r.ref.partFieldsJson);
  keepBytes(cp, bytes);
  return bytes;
}

/** The bytes of the part `r` names, cut from its whole's (`whole`) once for all its siblings; `whole` itself when it names no part. */
function cutOf(r: Remote, whole: Uint8Array): Uint8Array {
  if (r.ref.parts.length === 0 || r.whole === undefined) return whole;
  const key = JSON.stringify(r.ref.parts);
  let cuts = CUT.get(r.whole);
  if (cuts === undefined) {
    cuts = new Map();
    CUT.set(r.whole, cuts);
  }
  let parts = cuts.get(key);
  if (parts === undefined) {
    parts = partitionEncoded(
      whole,
      r.ref.parts.map((s) => rangeOfSpan(s, "part")),
    );
    cuts.set(key, parts);
  }
  return parts[r.ref.part];
}

/**
 * The parts of `cp` by `ranges` (tiling its range): cut from its bytes when it has them
 * here (lazyCheckpoint's partitionOnWire), else by reference, each cut by its source worker
 * when fetched. Part 0 keeps the identity, output positions and buffers; the others start
 * as new senders (instance -1, outputs from 0, nothing buffered), as engine `partition`.
 * Null when `cp` was never on the wire (the engine partitions it).
 */
export function partitionByReference(
  cp: Checkpoint,
  ranges: readonly KeyGroupRange[],
  codecOf: CodecOf,
): Checkpoint[] | null {
  const r = REMOTE.get(cp);
  if (r === undefined || localBytesOf(cp) !== undefined) return partitionOnWire(cp, ranges, codecOf);
  if (r.fields !== null || r.whole !== undefined)
    throw new RangeError(
      `checkpoint ${cp.id} of instance ${cp.instance}: a part is not partitioned again by reference`,
    );
  r.forwarded = true;
  const parts = ranges.map(spanOf);
  const whole = refRange(r.ref);
  if (!mergeRanges(ranges).equals(whole))
    throw new RangeError(`ranges ${ranges.join(" ")} do not tile the checkpoint's ${whole}`);
  return ranges.map((_, i) => {
    const meta = r.meta === null ? null : i === 0 ? r.meta : asNewSender(r.meta);
    const ref = { ...r.ref, parts, part: i };
    return build(
      { ref, head: partHead(cp, i), exclusive: false, meta, whole: cp, fields: null, forwarded: false },
      codecOf,
    );
  });
}

/** The meta of a part for a new instance: its output channels of its own (from 0, sent nothing). */
function asNewSender(m: Meta): Meta {
  const { entries: _, ...rest } = m;
  return {
    ...rest,
    outputs: m.outputs.map((o) => ({ ...o, seq: 0, sentTo: [], routing: { ...o.routing, next: 0 } })),
  };
}
