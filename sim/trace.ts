// The simulation trace: an append-only log of every significant event, as fixed-size
// records in the manner of Confluo's Atomic MultiLog. Fixed 32-byte records make an
// append a handful of stores into one growable buffer (no allocation per record), keep
// the log readable while it is written, and let a 64-bit hash be folded in as records
// arrive, so two runs can be compared by one string. Writing the bytes to a file is the
// CLI's job; this module only produces them.

import { fmix32, hex32, lane1Step, lane2Step } from "../engine/index.js";

/** Event kinds of trace records; what fields a, b, c and x mean depends on the kind. */
export const TraceKind = {
  // VM kinds: a = vm id.
  VmRequested: 1,
  VmReady: 2,
  VmPooled: 3,
  VmCrashed: 4,
  VmReleased: 5,
  // Instance kinds: a = instance id, b = vm id.
  InstanceDeployed: 10,
  InstanceLost: 11,
  InstanceEnded: 12,
  // a = instance id, b = task kind (see TraceTaskKind), c = tuples, x = cost in ms.
  Task: 20,
  // a = sender instance, b = receiver instance, c = tuples, x = bytes.
  Send: 21,
  // a = sender instance, b = receiver instance, c = tuples, x = latency of the link in ms.
  Deliver: 22,
  // a = sender instance, b = receiver instance, c = tuples, x = 0.
  Drop: 23,
  // a = source instance, c = tuples emitted.
  SourcePoll: 24,
  // a = instance, c = entries in the checkpoint.
  CheckpointDone: 30,
  // a = fault kind code (defined by the fault injector), b = vm id or -1.
  Fault: 40,
  // a = instances lost, b = instances rolled back (a failure detected).
  FailureDetected: 41,
  // a = instances restored and started, b = instances rolled back (a recovery complete).
  Recovered: 42,
  // a = the takeover's number (1 for the first), c = journal entries replayed (a new leader coordinates).
  CoordinatorTakeover: 43,
  // a = instance, b = control message type code (defined by the runtime).
  Control: 50,
  // a = instance split, b = instances it becomes (a scale out begins).
  ScaleOut: 60,
  // a = instance, b = factor, c = 1 when blocked (VM budget), x = the metric's value.
  ScalingDecision: 61,
  // x = the share of their tuples the sources drop from now on.
  Shed: 62,
} as const;

/** Name of a trace event kind. */
export type TraceKindName = keyof typeof TraceKind;

/** Codes of field b of a `Task` record: what kind of work the instance did. */
export const TraceTaskKind = { Batch: 0, Control: 1, Poll: 2, CheckpointStep: 3 } as const;

/** One decoded trace record; unused fields are 0. */
export interface TraceRecord {
  /** Virtual time of the event, in milliseconds. */
  timeMs: number;
  /** One of `TraceKind`. */
  kind: number;
  /** First integer field (see `TraceKind`). */
  a: number;
  /** Second integer field. */
  b: number;
  /** Third integer field. */
  c: number;
  /** Real-valued field (cost, bytes or latency, by kind). */
  x: number;
}

/** Size of one record in bytes: timeMs f64, kind u32, a i32, b i32, c i32, x f64. */
export const TRACE_RECORD_BYTES = 32;
/** Version of the byte format written by `Trace.bytes`. */
export const TRACE_FORMAT_VERSION = 1;
const MAGIC = "SEEPTRC1";
const HEADER_BYTES = 16;
const WORDS_PER_RECORD = TRACE_RECORD_BYTES / 4;

const KIND_NAMES = new Map<number, string>(Object.entries(TraceKind).map(([name, code]) => [code, name]));

/** Name of a kind code, or the code itself as text when it is not one of `TraceKind`. */
export function traceKindName(kind: number): string {
  return KIND_NAMES.get(kind) ?? String(kind);
}

/** Options of a trace. */
export interface TraceOptions {
  /** Kinds to keep (default: all); records of other kinds are neither stored nor hashed. */
  kinds?: ReadonlySet<number>;
  /** Records to make room for at first (default 4096); the buffer doubles when full. */
  initialCapacity?: number;
}

/**
 * An append-only trace of fixed-size records. The buffer starts with the file header, so
 * `bytes` is one copy; records are written little-endian whatever the platform.
 */
export class Trace {
  private buffer: ArrayBuffer;
  private view: DataView;
  private count = 0;
  private capacity: number;
  private readonly kinds: ReadonlySet<number> | null;
  // Two independent murmur3-style lanes over the 32-bit words of every record kept.
  private h1 = 0x9747b28c | 0;
  private h2 = 0x5bd1e995 | 0;

  constructor(options: TraceOptions = {}) {
    this.kinds = options.kinds ?? null;
    this.capacity = Math.max(1, options.initialCapacity ?? 4096);
    this.buffer = new ArrayBuffer(HEADER_BYTES + this.capacity * TRACE_RECORD_BYTES);
    this.view = new DataView(this.buffer);
    writeHeader(this.view);
  }

  /** Append one record (ignored when its kind is filtered out); a, b, c are int32, kind uint32. */
  record(kind: number, timeMs: number, a: number, b: number, c: number, x: number): void {
    if (this.kinds !== null && !this.kinds.has(kind)) return;
    if (kind >>> 0 !== kind || (a | 0) !== a || (b | 0) !== b || (c | 0) !== c) {
      throw new RangeError(
        `trace record out of range: kind=${kind} a=${a} b=${b} c=${c} (kind must be uint32, a, b, c int32)`,
      );
    }
    if (this.count === this.capacity) this.grow();
    const v = this.view;
    const at = HEADER_BYTES + this.count * TRACE_RECORD_BYTES;
    v.setFloat64(at, timeMs, true);
    v.setUint32(at + 8, kind, true);
    v.setInt32(at + 12, a, true);
    v.setInt32(at + 16, b, true);
    v.setInt32(at + 20, c, true);
    v.setFloat64(at + 24, x, true);
    this.count++;
    this.absorb(at);
  }

  /** Number of records kept. */
  get length(): number {
    return this.count;
  }

  /** Record number `index` (0-based), decoded; readable while the trace is still written. */
  at(index: number): TraceRecord {
    if (!(index >= 0 && index < this.count) || (index | 0) !== index) {
      throw new RangeError(`trace index ${index} out of range [0, ${this.count})`);
    }
    return decode(this.view, HEADER_BYTES + index * TRACE_RECORD_BYTES);
  }

  /**
   * 64-bit hash of the records kept so far, as 16 hex digits. Equal records in equal order
   * give equal hashes; records filtered out by `kinds` do not count.
   */
  hash(): string {
    const n = this.count;
    let h1 = (this.h1 ^ n) | 0;
    let h2 = (this.h2 ^ Math.floor(n / 4294967296)) | 0;
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
    h1 = fmix32(h1);
    h2 = fmix32(h2);
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
    return hex32(h1) + hex32(h2);
  }

  /** The trace as bytes: a 16-byte header ("SEEPTRC1", u32 record size, u32 version), then the records. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer.slice(0, HEADER_BYTES + this.count * TRACE_RECORD_BYTES));
  }

  private grow(): void {
    this.capacity *= 2;
    const next = new ArrayBuffer(HEADER_BYTES + this.capacity * TRACE_RECORD_BYTES);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    this.view = new DataView(next);
  }

  /** Fold the eight little-endian words of the record at byte offset `at` into both lanes. */
  private absorb(at: number): void {
    const v = this.view;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < WORDS_PER_RECORD; i++) {
      const w = v.getInt32(at + 4 * i, true);
      h1 = lane1Step(h1, w);
      h2 = lane2Step(h2, w);
    }
    this.h1 = h1;
    this.h2 = h2;
  }
}

/** Decode the bytes of `Trace.bytes`; throws when the header is not a version-1 trace header. */
export function readTrace(bytes: Uint8Array): TraceRecord[] {
  if (bytes.length < HEADER_BYTES) {
    throw new Error(
      `not a SEEP trace: ${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error(`not a SEEP trace: header starts with ${JSON.stringify(magic)}`);
  const recordBytes = view.getUint32(8, true);
  const version = view.getUint32(12, true);
  if (recordBytes !== TRACE_RECORD_BYTES || version !== TRACE_FORMAT_VERSION) {
    throw new Error(
      `unsupported SEEP trace: record size ${recordBytes}, version ${version} ` +
        `(expected ${TRACE_RECORD_BYTES}, ${TRACE_FORMAT_VERSION})`,
    );
  }
  const body = bytes.length - HEADER_BYTES;
  if (body % TRACE_RECORD_BYTES !== 0) {
    throw new Error(
      `truncated SEEP trace: ${body} bytes of records is not a multiple of ${TRACE_RECORD_BYTES}`,
    );
  }
  const out: TraceRecord[] = [];
  for (let at = HEADER_BYTES; at < bytes.length; at += TRACE_RECORD_BYTES) out.push(decode(view, at));
  return out;
}

/** Records as CSV with a header `timeMs,kind,a,b,c,x`, kinds written by name. */
export function traceToCsv(records: Iterable<TraceRecord>): string {
  const lines = ["timeMs,kind,a,b,c,x"];
  for (const r of records) lines.push(`${r.timeMs},${traceKindName(r.kind)},${r.a},${r.b},${r.c},${r.x}`);
  return `${lines.join("\n")}\n`;
}

function writeHeader(view: DataView): void {
  for (let i = 0; i < MAGIC.length; i++) view.setUint8(i, MAGIC.charCodeAt(i));
  view.setUint32(8, TRACE_RECORD_BYTES, true);
  view.setUint32(12, TRACE_FORMAT_VERSION, true);
}

function decode(view: DataView, at: number): TraceRecord {
  return {
    timeMs: view.getFloat64(at, true),
    kind: view.getUint32(at + 8, true),
    a: view.getInt32(at + 12, true),
    b: view.getInt32(at + 16, true),
    c: view.getInt32(at + 20, true),
    x: view.getFloat64(at + 24, true),
  };
}
