// The byte layout shared by the snapshots of a run's output state (./outputState.ts): the
// output digest, the sinks' ledger and the metrics, each alone or bundled. A snapshot opens
// with a header, the magic "SEOS", a version byte and a kind byte, and then holds numbers
// little-endian: u8, u32, f64, strings as a u32 byte count and UTF-8, and typed arrays as
// their bytes (in the host's order, little-endian wherever Node runs, as the columns of
// ../checkpointCodec.ts), so that the large parts are copied in bulk, not element by element.
// A reader refuses, in one line naming what it was reading, bytes that run out, a count
// that could not fit in what is left, another kind or version, and bytes left over.

const MAGIC = [0x53, 0x45, 0x4f, 0x53]; // "SEOS"
/** Version of the layout this seep writes and reads; another is refused. */
export const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = MAGIC.length + 2;

/** What a snapshot holds, its kind byte. */
export const SnapshotKind = {
  outputDigest: 1,
  sinkLedger: 2,
  metrics: 3,
  outputState: 4,
} as const;

/** One of the kinds of snapshot. */
export type SnapshotKind = (typeof SnapshotKind)[keyof typeof SnapshotKind];

const KIND_NAMES: Record<number, string> = {
  1: "an output digest",
  2: "a sink ledger",
  3: "metrics",
  4: "an output state",
};

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Bytes that are not a snapshot this seep can read; its message is one line naming what is wrong. */
export class OutputStateError extends Error {
  constructor(what: string) {
    super(`unreadable output state snapshot: ${what}`);
    this.name = "OutputStateError";
  }
}

/** Writes a snapshot of one kind into a buffer that doubles when full. */
export class SnapshotWriter {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  private at = 0;

  constructor(kind: SnapshotKind) {
    for (const b of MAGIC) this.u8(b);
    this.u8(SNAPSHOT_VERSION);
    this.u8(kind);
  }

  /** An integer in 0..255. */
  u8(x: number): void {
    this.room(1);
    this.view.setUint8(this.at, x);
    this.at += 1;
  }

  /** An integer in 0..2^32-1 (counts). */
  u32(x: number): void {
    this.room(4);
    this.view.setUint32(this.at, x, true);
    this.at += 4;
  }

  /** Any number, bit for bit. */
  f64(x: number): void {
    this.room(8);
    this.view.setFloat64(this.at, x, true);
    this.at += 8;
  }

  /** A string as its UTF-8 byte count and bytes. */
  string(s: string): void {
    const utf8 = encoder.encode(s);
    this.u32(utf8.length);
    this.raw(utf8);
  }

  /** The first `n` elements of a typed array, as their bytes (no count: the reader is told it). */
  array(a: Float64Array | Int32Array, n: number = a.length): void {
    this.raw(new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT));
  }

  /** The snapshot written so far, in a buffer of its own. */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.at);
  }

  private raw(b: Uint8Array): void {
    this.room(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.at + n) size *= 2;
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes.subarray(0, this.at));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}

/** Reads what a SnapshotWriter of the same kind wrote; every read names what it reads, for the error. */
export class SnapshotReader {
  private readonly view: DataView;
  private at = HEADER_BYTES;

  constructor(
    private readonly bytes: Uint8Array,
    kind: SnapshotKind,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const name = KIND_NAMES[kind];
    if (bytes.length < HEADER_BYTES)
      throw new OutputStateError(`${bytes.length} bytes, too short for a header`);
    if (MAGIC.some((b, i) => bytes[i] !== b)) throw new OutputStateError(`no "SEOS" at its start`);
    const version = bytes[MAGIC.length];
    if (version !== SNAPSHOT_VERSION) {
      throw new OutputStateError(`layout version ${version}, this seep reads version ${SNAPSHOT_VERSION}`);
    }
    const found = bytes[MAGIC.length + 1];
    if (found !== kind) {
      throw new OutputStateError(`it holds ${KIND_NAMES[found] ?? `kind ${found}`}, expected ${name}`);
    }
  }

  /** An integer in 0..255. */
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.at++);
  }

  /** An integer in 0..2^32-1. */
  u32(what: string): number {
    this.need(4, what);
    const x = this.view.getUint32(this.at, true);
    this.at += 4;
    return x;
  }

  /** A number, bit for bit. */
  f64(what: string): number {
    this.need(8, what);
    const x = this.view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }

  /** A count of items of at least `bytesEach` bytes each, refused when they could not fit in what is left. */
  count(what: string, bytesEach: number): number {
    const n = this.u32(`${what} count`);
    if (n * bytesEach > this.bytes.length - this.at) {
      throw new OutputStateError(`truncated: ${n} ${what} need ${n * bytesEach} bytes, ${this.left()}`);
    }
    return n;
  }

  /** A string written by `SnapshotWriter.string`. */
  string(what: string): string {
    const n = this.u32(`${what} length`);
    this.need(n, what);
    const raw = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    try {
      return decoder.decode(raw);
    } catch {
      throw new OutputStateError(`${what} is not UTF-8`);
    }
  }

  /** `n` f64s, copied into a new array of `capacity` (at least n) elements. */
  f64s(n: number, what: string, capacity = n): Float64Array<ArrayBuffer> {
    const out = new Float64Array(Math.max(n, capacity));
    this.copy(out, n, what);
    return out;
  }

  /** `n` i32s, copied into a new array of `capacity` (at least n) elements. */
  i32s(n: number, what: string, capacity = n): Int32Array<ArrayBuffer> {
    const out = new Int32Array(Math.max(n, capacity));
    this.copy(out, n, what);
    return out;
  }

  /** Refuse bytes left over after the snapshot. */
  end(): void {
    if (this.at !== this.bytes.length)
      throw new OutputStateError(`${this.bytes.length - this.at} bytes left over`);
  }

  private copy(into: Float64Array | Int32Array, n: number, what: string): void {
    const size = n * into.BYTES_PER_ELEMENT;
    this.need(size, what);
    new Uint8Array(into.buffer, 0, size).set(this.bytes.subarray(this.at, this.at + size));
    this.at += size;
  }

  private need(n: number, what: string): void {
    if (this.at + n > this.bytes.length)
      throw new OutputStateError(`truncated in ${what} (${n} bytes, ${this.left()})`);
  }

  private left(): string {
    return `${this.bytes.length - this.at} left at offset ${this.at} of ${this.bytes.length}`;
  }
}

/** A whole snapshot of `kind`, its body written by `write`. */
export function snapshotOf(kind: SnapshotKind, write: (w: SnapshotWriter) => void): Uint8Array {
  const w = new SnapshotWriter(kind);
  write(w);
  return w.finish();
}

/** What `read` reads from a whole snapshot of `kind`, refusing bytes left over. */
export function restoreOf<T>(bytes: Uint8Array, kind: SnapshotKind, read: (r: SnapshotReader) => T): T {
  const r = new SnapshotReader(bytes, kind);
  const out = read(r);
  r.end();
  return out;
}
