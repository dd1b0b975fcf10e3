// Checkpoints as bytes: what the real runtime ships for backup and restore, and what a
// checkpoint weighs. Built for large states: keys go as one Float64Array column per key
// group and values as one JSON array per key group (through the operator's StateCodec),
// buffered batches as engine/batchCodec.ts encodes them, so encoding does no per-entry
// work beyond the codec's and JSON's.
//
// Layout (little-endian, every section padded to 8 bytes so that columns decode as views):
//   magic "SEC1" u32, version u32, header byte count u32, 0 u32, header (UTF-8 JSON);
//   per key group of the range: entry count u32, values byte count u32, keys as count
//   f64s, values (UTF-8 JSON array);
//   per buffered channel (counts in the header), per batch: byte count u32, 0 u32, batch.
// The state of an operator with a record layout (recordState.ts; `records` in the header is
// its width, at most 64) goes as columns instead, its rows transposed: per key group, entry
// count u32, extras byte count u32, the mask of constant columns (2 u32s, bit f for field
// f), keys as count f64s, then per field count f64s, or one for a constant column, then the
// extras (UTF-8 JSON array of [key, value through the StateCodec], usually empty). Decoding
// lays the columns out as rows again, the constant ones filled.
// The header holds everything else, with +-Infinity and NaN tagged (stateCodec.ts) and
// key-group ranges as [first, last].

import type { Batch } from "./batch.js";
import { decodeBatch, encodeBatch } from "./batchCodec.js";
import type {
  BufferedChannel,
  ChannelPosition,
  Checkpoint,
  OutputPosition,
  PartFields,
} from "./checkpoint.js";
import { KeyGroupRange, mergeRanges } from "./keyGroups.js";
import type { SuppressionCut } from "./outputSuppression.js";
import { columnOf, ownedRecordGroup, rowsOf } from "./recordState.js";
import { ROUTING_CONTRACTS, type RoutingContract, type RoutingState } from "./router.js";
import { decodeFloat, encodeFloat, JSON_STATE_CODEC, type StateCodec } from "./stateCodec.js";
import { type RecordGroupSnapshot, StateSnapshot } from "./stateSnapshot.js";

const MAGIC = 0x31434553; // "SEC1" read as a little-endian u32
const VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Everything of a checkpoint but its keyed entries and batches, as JSON. */
interface Header {
  readonly id: number;
  readonly instance: number;
  readonly operator: number;
  readonly maxKeyGroups: number;
  readonly range: [number, number];
  /** [edge, sender, seq, watermarkMs] per input channel. */
  readonly inputs: [number, number, number | string, number | string][];
  readonly outputs: { edge: number; routing: unknown; seq: number | string; sentTo: [number, number][] }[];
  /** [edge, receiver, number of batches] per buffered channel. */
  readonly buffers: [number, number, number][];
  readonly sourcePosition: number | string;
  readonly watermarkMs: number | string;
  readonly ended: boolean;
  /** Marks only (upstream backup). */
  readonly horizonMs?: number | string;
  /** Numbers per key, for a state of records (absent for a state of Maps). */
  readonly records?: number;
  /** Output suppression cuts still in force. */
  readonly suppression?: SuppressionCutJson[];
}

/** A suppression cut as JSON: [edge, receiver, [edge, sender, seq, watermarkMs] per processed channel, watermarkMs]. */
export type SuppressionCutJson = [
  number | null,
  number | null,
  [number, number, number | string, number | string][],
  number | string,
];

function fail(what: string): never {
  throw new RangeError(`malformed checkpoint: ${what}`);
}

const pad8 = (n: number): number => (8 - (n % 8)) % 8;

/** Appends 8-byte-aligned sections and joins them once at the end. */
class ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  pair(a: number, b: number): void {
    const chunk = new Uint8Array(8);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, a, true);
    view.setUint32(4, b, true);
    this.push(chunk);
  }

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
    const pad = pad8(bytes.length);
    if (pad > 0) {
      this.chunks.push(new Uint8Array(pad));
      this.length += pad;
    }
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Reads what ByteWriter wrote, refusing to run past the end. */
class ByteReader {
  /** Offset of the next byte to read. */
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number, what: string): void {
    if (this.at + n > this.bytes.length) {
      fail(`truncated ${what} (${n} bytes at offset ${this.at} of ${this.bytes.length})`);
    }
  }

  pair(what: string): [number, number] {
    this.need(8, what);
    const p: [number, number] = [this.view.getUint32(this.at, true), this.view.getUint32(this.at + 4, true)];
    this.at += 8;
    return p;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n + pad8(n), what);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n + pad8(n);
    return out;
  }

  /** `n` f64s: a view when aligned, else one copy. */
  floats(n: number, what: string): Float64Array {
    const raw = this.take(8 * n, what);
    if (raw.byteOffset % 8 === 0) return new Float64Array(raw.buffer, raw.byteOffset, n);
    return new Float64Array(raw.slice().buffer);
  }

  json(n: number, what: string): unknown {
    const raw = this.take(n, what);
    try {
      return JSON.parse(decoder.decode(raw));
    } catch (e) {
      fail(`${what} is not UTF-8 JSON (${(e as Error).message})`);
    }
  }

  end(): void {
    if (this.at !== this.bytes.length) fail(`${this.bytes.length - this.at} trailing bytes`);
  }
}

/** A routing state as JSON data (key-group ranges as [first, last]). */
export function encodeRoutingState(routing: RoutingState): unknown {
  return {
    contract: routing.contract,
    receivers: [...routing.receivers],
    ranges: routing.ranges.map((r) => [r.first, r.last]),
    maxKeyGroups: routing.maxKeyGroups,
    senderIndex: routing.senderIndex,
    next: routing.next,
  };
}

const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isIntArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isInt);

function rangeOf(json: unknown, what: string): KeyGroupRange {
  if (!isIntArray(json) || json.length !== 2 || json[0] < 0) throw new RangeError(`${what}: bad range`);
  return KeyGroupRange.of(json[0], json[1]);
}

/** The key-group range a header names; a malformed one is a CheckpointFormatError. */
function headerRange(h: { readonly range: unknown }): KeyGroupRange {
  try {
    return rangeOf(h.range, "header");
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** The routing state of `encodeRoutingState`'s output; throws on anything else. */
export function decodeRoutingState(json: unknown): RoutingState {
  const bad = (why: string): never => {
    throw new RangeError(`malformed routing state: ${why}`);
  };
  if (typeof json !== "object" || json === null) bad("not an object");
  const r = json as Record<string, unknown>;
  if (!ROUTING_CONTRACTS.includes(r.contract as RoutingContract))
    bad(`contract ${JSON.stringify(r.contract)}`);
  if (!isIntArray(r.receivers)) bad("receivers must be integers");
  if (!Array.isArray(r.ranges)) bad("ranges must be an array");
  for (const k of ["maxKeyGroups", "senderIndex", "next"]) if (!isInt(r[k])) bad(`${k} must be an integer`);
  return {
    contract: r.contract as RoutingContract,
    receivers: r.receivers as number[],
    ranges: (r.ranges as unknown[]).map((g) => rangeOf(g, "malformed routing state")),
    maxKeyGroups: r.maxKeyGroups as number,
    senderIndex: r.senderIndex as number,
    next: r.next as number,
  };
}

function headerOf(cp: Checkpoint): Header {
  return {
    id: cp.id,
    instance: cp.instance,
    operator: cp.operator,
    maxKeyGroups: cp.processing.maxKeyGroups,
    range: [cp.range.first, cp.range.last],
    inputs: cp.inputs.map((p) => [p.edge, p.sender, encodeFloat(p.seq), encodeFloat(p.watermarkMs)]),
    outputs: cp.outputs.map((o) => ({
      edge: o.edge,
      routing: encodeRoutingState(o.routing),
      seq: encodeFloat(o.seq),
      sentTo: o.sentTo.map(([r, s]) => [r, s]),
    })),
    buffers: cp.buffers.map((b) => [b.edge, b.receiver, b.batches.length]),
    sourcePosition: encodeFloat(cp.sourcePosition),
    watermarkMs: encodeFloat(cp.watermarkMs),
    ended: cp.ended,
    ...(cp.horizonMs === undefined ? {} : { horizonMs: encodeFloat(cp.horizonMs) }),
    ...(cp.processing.recordWidth === null ? {} : { records: cp.processing.recordWidth }),
    ...(cp.suppression === undefined ? {} : { suppression: encodeSuppressionCuts(cp.suppression) }),
  };
}

/** Suppression cuts as the JSON a checkpoint's header holds them in (decodeSuppressionCuts reads it back). */
export function encodeSuppressionCuts(cuts: readonly SuppressionCut[]): SuppressionCutJson[] {
  return cuts.map((c) => [
    c.edge,
    c.receiver,
    c.processed.map((p) => [p.edge, p.sender, encodeFloat(p.seq), encodeFloat(p.watermarkMs)]),
    encodeFloat(c.watermarkMs),
  ]);
}

/** The record groups' sections (records of `width` numbers): their rows as columns, extras through `codec`. */
function encodeRecords(
  w: ByteWriter,
  groups: readonly RecordGroupSnapshot[],
  width: number,
  codec: StateCodec<unknown>,
): void {
  const stride = width + 1;
  for (const g of groups) {
    const extras: unknown[] = [];
    for (const [k, v] of g.extras) extras.push([k, codec.encode(v)]);
    const json = extras.length === 0 ? new Uint8Array(0) : encoder.encode(JSON.stringify(extras));
    const count = g.count;
    w.pair(count, json.length);
    // The rows turned into columns, in one array: the keys, then each field.
    const transposed = new Float64Array(count * stride);
    const columns: Float64Array[] = [];
    for (let at = 0; at < stride; at++)
      columns.push(columnOf(g, stride, at, transposed.subarray(at * count, (at + 1) * count)));
    const constant = columns.slice(1).map(isConstant);
    let lo = 0;
    let hi = 0;
    constant.forEach((c, f) => {
      if (c && f < 32) lo |= 1 << f;
      else if (c) hi |= 1 << (f - 32);
    });
    w.pair(lo >>> 0, hi >>> 0);
    w.push(bytesOf(columns[0]));
    for (let f = 0; f < width; f++) {
      const column = columns[f + 1];
      w.push(bytesOf(constant[f] ? column.subarray(0, 1) : column));
    }
    w.push(json);
  }
}

/** The bytes of a column, as a view. */
function bytesOf(column: Float64Array): Uint8Array {
  return new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
}

/** Whether the mask (lo, hi) of a group's constant columns has field `f`. */
function isConstantField(lo: number, hi: number, f: number): boolean {
  return ((f < 32 ? lo >>> f : hi >>> (f - 32)) & 1) === 1;
}

/** True when a non-empty column holds one value throughout (by Object.is: -0 and NaN as themselves). */
function isConstant(column: Float64Array): boolean {
  if (column.length === 0) return false;
  const first = column[0];
  if (first === 0 || Number.isNaN(first)) {
    for (let i = 1; i < column.length; i++) if (!Object.is(column[i], first)) return false;
    return true;
  }
  for (let i = 1; i < column.length; i++) if (column[i] !== first) return false;
  return true;
}

/**
 * Read one record group (`width` numbers a key): its columns laid out as rows; or, `owned`
 * (for one restore alone), as rows of its own with room and an index (recordState.ts
 * ownedRecordGroup).
 */
function decodeRecordGroup(
  r: ByteReader,
  what: string,
  width: number,
  codec: StateCodec<unknown>,
  owned: boolean,
): RecordGroupSnapshot {
  const [count, extrasBytes] = r.pair(what);
  const [lo, hi] = r.pair(`constant columns of ${what}`);
  const keys = r.floats(count, `keys of ${what}`);
  const columns: (Float64Array | null)[] = [];
  const constants: number[] = [];
  for (let f = 0; f < width; f++) {
    const constant = isConstantField(lo, hi, f);
    if (constant && count === 0) fail(`${what}: an empty column cannot be constant`);
    const value = constant ? r.floats(1, `column ${f} of ${what}`)[0] : 0;
    constants.push(value);
    columns.push(constant ? null : r.floats(count, `column ${f} of ${what}`));
  }
  const extras = new Map<number, unknown>();
  if (extrasBytes > 0) {
    const json = r.json(extrasBytes, `extras of ${what}`);
    if (!Array.isArray(json)) fail(`extras of ${what} must be an array`);
    try {
      for (const e of json) {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "number")
          throw new TypeError("an extra must be [key, value]");
        extras.set(e[0], codec.decode(e[1]));
      }
    } catch (e) {
      fail(`${what}: ${(e as Error).message}`);
    }
  }
  return owned
    ? ownedRecordGroup(keys, columns, constants, extras)
    : { count, rows: rowsOf(keys, columns, constants), extras };
}

/** Read one key group of Maps: its keys, and its values through `codec`. */
function decodeMapGroup(r: ByteReader, what: string, codec: StateCodec<unknown>): Map<number, unknown> {
  const [count, jsonBytes] = r.pair(what);
  if (count === 0 && jsonBytes !== 0) fail(`${what} has values but no keys`);
  const keys = r.floats(count, `keys of ${what}`);
  const values = count === 0 ? [] : r.json(jsonBytes, `values of ${what}`);
  if (!Array.isArray(values) || values.length !== count)
    fail(`${what}: ${count} keys but not as many values`);
  const group = new Map<number, unknown>();
  try {
    for (let i = 0; i < count; i++) group.set(keys[i], codec.decode(values[i]));
  } catch (e) {
    fail(`${what}: ${(e as Error).message}`);
  }
  if (group.size !== count) fail(`${what} repeats a key`);
  return group;
}

/**
 * Bytes of the key group section at `at` of `bytes` (`width` numbers a key, 0 for Maps), as
 * far as its first `available` bytes tell: null when its counts are not in yet.
 */
function sectionBytes(bytes: Uint8Array, at: number, width: number, available: number): number | null {
  if (at + (width > 0 ? 16 : 8) > available) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at);
  const count = view.getUint32(0, true);
  const valueBytes = view.getUint32(4, true);
  let n = 8 + 8 * count + valueBytes + pad8(valueBytes);
  if (width > 0) {
    const lo = view.getUint32(8, true);
    const hi = view.getUint32(12, true);
    n += 8;
    for (let f = 0; f < width; f++) n += 8 * (isConstantField(lo, hi, f) ? 1 : count);
  }
  return n;
}

/** Encode a checkpoint as bytes; `codec` encodes its keyed state values. */
export function encodeCheckpoint(cp: Checkpoint, codec: StateCodec<unknown> = JSON_STATE_CODEC): Uint8Array {
  if (!cp.processing.range.equals(cp.range)) {
    throw new RangeError(`checkpoint covers ${cp.range} but its state covers ${cp.processing.range}`);
  }
  const w = new ByteWriter();
  const header = encoder.encode(JSON.stringify(headerOf(cp)));
  w.pair(MAGIC, VERSION);
  w.pair(header.length, 0);
  w.push(header);
  if (cp.processing.recordWidth !== null)
    encodeRecords(w, cp.processing.recordGroups, cp.processing.recordWidth, codec);
  else
    for (const group of cp.processing.groups) {
      const keys = new Float64Array(group.size);
      const values: unknown[] = new Array(group.size);
      let i = 0;
      for (const [k, v] of group) {
        keys[i] = k;
        values[i++] = codec.encode(v);
      }
      const json = group.size === 0 ? new Uint8Array(0) : encoder.encode(JSON.stringify(values));
      w.pair(group.size, json.length);
      w.push(new Uint8Array(keys.buffer));
      w.push(json);
    }
  for (const channel of cp.buffers) {
    for (const batch of channel.batches) {
      const bytes = encodeBatch(batch);
      w.pair(bytes.length, 0);
      w.push(bytes);
    }
  }
  return w.finish();
}

/** Read and check the fixed prefix and the header. */
function readHeader(r: ByteReader): Header {
  const [magic, version] = r.pair("prefix");
  if (magic !== MAGIC) fail("bad magic (not an encoded checkpoint)");
  if (version !== VERSION) fail(`version ${version}, expected ${VERSION}`);
  const [length] = r.pair("header length");
  const h = r.json(length, "header") as Header;
  if (typeof h !== "object" || h === null) fail("header is not an object");
  for (const k of ["id", "instance", "operator", "maxKeyGroups"] as const) {
    if (!isInt(h[k])) fail(`header field ${k} must be an integer`);
  }
  if (typeof h.ended !== "boolean") fail("header field ended must be a boolean");
  for (const k of ["inputs", "outputs", "buffers"] as const) {
    if (!Array.isArray(h[k])) fail(`header field ${k} must be an array`);
  }
  return h;
}

/** The operator of an encoded checkpoint (to pick its codec before decoding it). */
export function checkpointOperatorOf(bytes: Uint8Array): number {
  return checkpointHeaderOf(bytes).operator;
}

/** The operator and key-group range of an encoded checkpoint, from its header alone. */
export function checkpointHeaderOf(bytes: Uint8Array): { operator: number; range: KeyGroupRange } {
  const h = readHeader(new ByteReader(bytes));
  return { operator: h.operator, range: headerRange(h) };
}

function float(json: unknown, what: string): number {
  try {
    return decodeFloat(json, what);
  } catch (e) {
    fail((e as Error).message);
  }
}

function inputOf(json: unknown): ChannelPosition {
  if (!Array.isArray(json) || json.length !== 4 || !isInt(json[0]) || !isInt(json[1])) {
    fail("input position must be [edge, sender, seq, watermarkMs]");
  }
  return {
    edge: json[0],
    sender: json[1],
    seq: float(json[2], "input seq"),
    watermarkMs: float(json[3], "input watermark"),
  };
}

function outputOf(json: Header["outputs"][number]): OutputPosition {
  if (typeof json !== "object" || json === null || !isInt(json.edge) || !Array.isArray(json.sentTo)) {
    fail("output position must be { edge, routing, seq, sentTo }");
  }
  const sentTo = json.sentTo.map((p): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2 || !isInt(p[0]) || typeof p[1] !== "number") {
      fail("sentTo must hold [receiver, seq] pairs");
    }
    return [p[0], p[1]];
  });
  let routing: RoutingState;
  try {
    routing = decodeRoutingState(json.routing);
  } catch (e) {
    fail(`output edge ${json.edge}: ${(e as Error).message}`);
  }
  return { edge: json.edge, routing, seq: float(json.seq, "output seq"), sentTo };
}

/** Decode bytes made by `encodeCheckpoint` with the same codec; throws on anything else. */
export function decodeCheckpoint(
  bytes: Uint8Array,
  codec: StateCodec<unknown> = JSON_STATE_CODEC,
  /** The decoded state is for one restore alone, which may adopt its maps (StateSnapshot). */
  adoptable = false,
): Checkpoint {
  return new CheckpointDecoder(bytes, () => codec, adoptable).finish();
}

/**
 * Decodes an encoded checkpoint while its bytes arrive in order into `bytes` (a fetch's
 * chunks, copied into one buffer as announced): each key group is decoded as soon as its
 * section is in (a record group's columns are views of the bytes, a Map group's values are
 * parsed then), so that decoding overlaps the transfer; the checkpoint is whole once the
 * last byte is in (`finish`). Malformed bytes throw as decodeCheckpoint's do.
 */
export class CheckpointDecoder {
  private filled = 0;
  private at = 0;
  private h: Header | null = null;
  private range: KeyGroupRange | null = null;
  private codec: StateCodec<unknown> | null = null;
  private readonly groups: Map<number, unknown>[] = [];
  private readonly records: RecordGroupSnapshot[] = [];

  constructor(
    /** The whole checkpoint's bytes, filled from the start (`advanceTo`). */
    readonly bytes: Uint8Array,
    /** The state codec of an operator (undefined: JSON). */
    private readonly codecOf: (operator: number) => StateCodec<unknown> | undefined,
    /** The decoded state is for one restore alone, which may adopt its maps (StateSnapshot). */
    private readonly adoptable = false,
  ) {}

  /** Key groups decoded so far. */
  get groupsDecoded(): number {
    return this.groups.length + this.records.length;
  }

  /** The first `filled` bytes are in: decode every key group whose section is. */
  advanceTo(filled: number): void {
    if (filled < this.filled || filled > this.bytes.length)
      fail(`${filled} of ${this.bytes.length} bytes in`);
    this.filled = filled;
    if (this.h === null && !this.readHeader()) return;
    const width = this.h!.records ?? 0;
    while (this.groupsDecoded < this.range!.size) {
      const n = sectionBytes(this.bytes, this.at, width, filled);
      if (n === null || this.at + n > filled) return;
      this.decodeGroup(new ByteReader(this.bytes.subarray(0, filled)));
    }
  }

  /** Every byte is in: the checkpoint (its last groups, buffers and fields decoded now). */
  finish(): Checkpoint {
    this.advanceTo(this.bytes.length);
    const r = new ByteReader(this.bytes);
    if (this.h === null) readHeader(r); // throws: the header is truncated
    const h = this.h!;
    const range = this.range!;
    r.at = this.at;
    while (this.groupsDecoded < range.size) this.decodeGroup(r); // throws: a section is truncated
    const buffers = h.buffers.map((b): BufferedChannel => {
      if (!isIntArray(b) || b.length !== 3 || b[2] < 0)
        fail("buffered channel must be [edge, receiver, batches]");
      const batches: Batch[] = [];
      for (let i = 0; i < b[2]; i++) {
        const what = `batch ${i} of edge ${b[0]} to ${b[1]}`;
        const [length] = r.pair(what);
        const raw = r.take(length, what);
        try {
          batches.push(decodeBatch(raw));
        } catch (e) {
          fail(`${what}: ${(e as Error).message}`);
        }
      }
      return { edge: b[0], receiver: b[1], batches };
    });
    r.end();
    return {
      id: h.id,
      instance: h.instance,
      operator: h.operator,
      range,
      inputs: h.inputs.map(inputOf),
      processing:
        h.records === undefined
          ? new StateSnapshot(h.maxKeyGroups, range, this.groups, this.adoptable)
          : StateSnapshot.ofRecords(h.maxKeyGroups, range, h.records, this.records, this.adoptable),
      outputs: h.outputs.map(outputOf),
      buffers,
      sourcePosition: float(h.sourcePosition, "sourcePosition"),
      watermarkMs: float(h.watermarkMs, "watermarkMs"),
      ended: h.ended,
      ...(h.horizonMs === undefined ? {} : { horizonMs: float(h.horizonMs, "horizonMs") }),
      ...(h.suppression === undefined ? {} : { suppression: decodeSuppressionCuts(h.suppression) }),
    };
  }

  /** The header, once it is in (false before); checked as decodeCheckpoint checks it. */
  private readHeader(): boolean {
    if (this.filled < 16) return false;
    const length = new DataView(this.bytes.buffer, this.bytes.byteOffset).getUint32(8, true);
    if (this.filled < 16 + length + pad8(length) && this.filled < this.bytes.length) return false;
    const r = new ByteReader(this.bytes.subarray(0, this.filled));
    const h = readHeader(r);
    const range = headerRange(h);
    if (!range.isEmpty && range.last >= h.maxKeyGroups)
      fail(`range ${range} exceeds ${h.maxKeyGroups} key groups`);
    if (h.records !== undefined && (!Number.isInteger(h.records) || h.records < 1 || h.records > 64))
      fail(`record width ${h.records}`);
    h.inputs.map(inputOf);
    h.outputs.map(outputOf);
    this.codec = this.codecOf(h.operator) ?? JSON_STATE_CODEC; // an operator without one: JSON
    this.h = h;
    this.range = range;
    this.at = r.at;
    return true;
  }

  /** Decode the next key group, read by `r` (which throws if it is not all in). */
  private decodeGroup(r: ByteReader): void {
    r.at = this.at;
    const what = `key group ${this.range!.first + this.groupsDecoded}`;
    if (this.h!.records === undefined) this.groups.push(decodeMapGroup(r, what, this.codec!));
    else this.records.push(decodeRecordGroup(r, what, this.h!.records, this.codec!, this.adoptable));
    this.at = r.at;
  }
}

/** Suppression cuts from the JSON encodeSuppressionCuts wrote; malformed JSON is a one-line RangeError. */
export function decodeSuppressionCuts(json: unknown): SuppressionCut[] {
  if (!Array.isArray(json)) fail("header field suppression must be an array");
  return json.map((c: unknown): SuppressionCut => {
    const nullableInt = (v: unknown) => v === null || isInt(v);
    if (
      !Array.isArray(c) ||
      c.length !== 4 ||
      !nullableInt(c[0]) ||
      !nullableInt(c[1]) ||
      !Array.isArray(c[2])
    )
      fail("a suppression cut must be [edge, receiver, inputs, watermarkMs]");
    return {
      edge: c[0] as number | null,
      receiver: c[1] as number | null,
      processed: (c[2] as unknown[]).map(inputOf),
      watermarkMs: float(c[3], "suppression watermark"),
    };
  });
}

/** Bytes of a checkpoint once encoded (encodes it). */
export function checkpointSizeBytes(cp: Checkpoint, codec: StateCodec<unknown> = JSON_STATE_CODEC): number {
  return encodeCheckpoint(cp, codec).length;
}

/**
 * `partition` on encoded bytes: the parts of an encoded checkpoint by key-group ranges that
 * tile its range, each as the bytes `encodeCheckpoint` would give for that part, without
 * decoding a single state value (each key group is a section of its own, copied as it is).
 * Part 0 keeps the identity, output positions and buffers; the others start as new senders.
 */
export function partitionEncoded(bytes: Uint8Array, ranges: readonly KeyGroupRange[]): Uint8Array[] {
  const { h, range, starts, buffersAt } = sectionsOf(bytes);
  if (!mergeRanges(ranges).equals(range)) {
    throw new RangeError(`ranges ${ranges.join(" ")} do not tile the checkpoint's ${range}`);
  }
  const buffers = bytes.subarray(buffersAt);
  return ranges.map((part, i) => {
    const header: Header =
      i === 0
        ? { ...h, range: [part.first, part.last] }
        : { ...asNewInstanceHeader(h), range: [part.first, part.last] };
    const body = part.isEmpty
      ? []
      : [bytes.subarray(starts[part.first - range.first], starts[part.last - range.first + 1])];
    return withHeader(header, i === 0 ? [...body, buffers] : body);
  });
}

/**
 * An encoded checkpoint with part fields set (engine asNewInstancePart, withSuppression),
 * as the bytes `encodeCheckpoint` would give for the checkpoint so changed: its key groups'
 * sections copied as they are, nothing decoded.
 */
export function withPartFields(bytes: Uint8Array, fields: PartFields): Uint8Array {
  const { h, starts, buffersAt } = sectionsOf(bytes);
  let header: Header = fields.newInstance === true ? asNewInstanceHeader(h) : h;
  if (fields.suppression !== undefined)
    header = { ...header, suppression: encodeSuppressionCuts(fields.suppression) };
  // The sections begin where the header ends.
  const body = bytes.subarray(starts[0], fields.newInstance === true ? buffersAt : bytes.length);
  return withHeader(header, [body]);
}

/** A part's header for a new instance: no identity, output channels from 0, nothing buffered. */
function asNewInstanceHeader(h: Header): Header {
  return {
    ...h,
    instance: -1,
    outputs: h.outputs.map((o) => ({
      ...o,
      seq: 0,
      sentTo: [],
      routing: { ...(o.routing as Record<string, unknown>), next: 0 },
    })),
    buffers: [],
  };
}

/** The prefix, `header` and `sections` (each 8-byte aligned already) as one encoded checkpoint. */
function withHeader(header: Header, sections: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  const head = encoder.encode(JSON.stringify(header));
  w.pair(MAGIC, VERSION);
  w.pair(head.length, 0);
  w.push(head);
  for (const section of sections) w.push(section);
  return w.finish();
}

/** The header of an encoded checkpoint, where each key group's section starts (and the end of the last), and where its buffers start. */
function sectionsOf(bytes: Uint8Array): {
  h: Header;
  range: KeyGroupRange;
  starts: number[];
  buffersAt: number;
} {
  const r = new ByteReader(bytes);
  const h = readHeader(r);
  const range = headerRange(h);
  // Sections are padded to 8 bytes, so they copy as they are.
  const starts: number[] = [];
  let at = r.at;
  for (let g = 0; g < range.size; g++) {
    starts.push(at);
    const n = sectionBytes(bytes, at, h.records ?? 0, bytes.length);
    if (n === null || at + n > bytes.length) fail(`truncated key group ${range.first + g}`);
    at += n;
  }
  starts.push(at);
  return { h, range, starts, buffersAt: at };
}
