// Batches as bytes, column by column: what the real runtime puts on the wire and what
// the simulator charges a link for. Numeric columns are copied as whole byte ranges
// (one memcpy per column, never a loop over tuples); the optional values column is one
// JSON document. Decoding makes Float64Array views over the received bytes when they
// are 8-byte aligned, and copies each column once when they are not.
//
// Layout (little-endian): magic "SEB1", length u32, fieldCount u32, flags u32 (bit 0: a
// values column follows), watermarkMs f64, prevSeq f64, then keys, event times, seqs and
// each numeric field as length f64s, then (if flagged) u32 byte count + UTF-8 JSON, then
// (flag bit 1) the sender's cut (engine/outputCut.ts): u32 count, f64 event time, and per
// processed position f64 edge, sender, seq and watermark.
// JSON does not tell null from undefined: both decode as undefined ("no value").

import { Batch } from "./batch.js";
import type { ChannelPosition } from "./checkpoint.js";
import type { OutputCut } from "./outputCut.js";

const MAGIC = 0x31424553; // "SEB1" read as a little-endian u32
const HEADER_BYTES = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a batch's header and numeric columns (what a link carries, values aside). */
export function numericSizeBytes(length: number, fieldCount: number): number {
  return HEADER_BYTES + 8 * length * (3 + fieldCount);
}

/** A batch ready to be written: its size in bytes, and its values column as UTF-8 JSON. */
export interface PreparedBatch {
  readonly batch: Batch;
  readonly sizeBytes: number;
  readonly json: Uint8Array | null;
}

/** Measure a batch's encoding (and encode its values column) before writing it somewhere. */
export function prepareBatch(batch: Batch): PreparedBatch {
  const json = batch.values === null ? null : encoder.encode(JSON.stringify(batch.values));
  const sizeBytes =
    numericSizeBytes(batch.length, batch.fields.length) +
    (json === null ? 0 : 4 + json.length) +
    (batch.cut === null ? 0 : cutSizeBytes(batch.cut.processed.length));
  return { batch, sizeBytes, json };
}

/** Write a prepared batch into `target` at `offset` (a frame being built, say). */
export function writeBatch(p: PreparedBatch, target: Uint8Array, offset: number): void {
  const { batch, json } = p;
  const n = batch.length;
  const view = new DataView(target.buffer, target.byteOffset + offset, p.sizeBytes);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, n, true);
  view.setUint32(8, batch.fields.length, true);
  view.setUint32(12, (json === null ? 0 : 1) | (batch.cut === null ? 0 : 2), true);
  view.setFloat64(16, batch.watermarkMs, true);
  view.setFloat64(24, batch.prevSeq, true);
  let at = offset + HEADER_BYTES;
  const columns = [batch.keys, batch.eventTimesMs, batch.seqs, ...batch.fields];
  for (const col of columns) {
    target.set(new Uint8Array(col.buffer, col.byteOffset, 8 * n), at);
    at += 8 * n;
  }
  if (json !== null) {
    view.setUint32(at - offset, json.length, true);
    target.set(json, at + 4);
    at += 4 + json.length;
  }
  const cut = batch.cut;
  if (cut !== null) {
    let o = at - offset;
    view.setUint32(o, cut.processed.length, true);
    view.setFloat64(o + 4, cut.watermarkMs, true);
    o += 12;
    for (const p of cut.processed) {
      view.setFloat64(o, p.edge, true);
      view.setFloat64(o + 8, p.sender, true);
      view.setFloat64(o + 16, p.seq, true);
      view.setFloat64(o + 24, p.watermarkMs, true);
      o += 32;
    }
  }
}

/** Bytes of a cut of `n` positions on the wire. */
export function cutSizeBytes(n: number): number {
  return 12 + 32 * n;
}

/** Encode a batch as bytes. */
export function encodeBatch(batch: Batch): Uint8Array {
  const p = prepareBatch(batch);
  const bytes = new Uint8Array(p.sizeBytes);
  writeBatch(p, bytes, 0);
  return bytes;
}

/** A column of `n` f64s at `offset` in `bytes`: a view when aligned, else one copy. */
function column(bytes: Uint8Array, offset: number, n: number): Float64Array {
  const start = bytes.byteOffset + offset;
  if (start % 8 === 0) return new Float64Array(bytes.buffer, start, n);
  return new Float64Array(bytes.slice(offset, offset + 8 * n).buffer);
}

/** Decode bytes made by `encodeBatch`; throws on anything else. */
export function decodeBatch(bytes: Uint8Array): Batch {
  if (bytes.length < HEADER_BYTES)
    throw new RangeError(`a batch needs ${HEADER_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new RangeError("not an encoded batch (bad magic)");
  const n = view.getUint32(4, true);
  const f = view.getUint32(8, true);
  const flags = view.getUint32(12, true);
  const hasValues = (flags & 1) === 1;
  const numeric = numericSizeBytes(n, f);
  if (bytes.length < numeric + (hasValues ? 4 : 0)) {
    throw new RangeError(`truncated batch: ${bytes.length} bytes for ${n} tuples of ${f} fields`);
  }
  const cols: Float64Array[] = [];
  for (let c = 0; c < 3 + f; c++) cols.push(column(bytes, HEADER_BYTES + 8 * n * c, n));
  let values: unknown[] | null = null;
  let at = numeric;
  if (hasValues) {
    const len = view.getUint32(numeric, true);
    if (bytes.length < numeric + 4 + len) throw new RangeError("truncated batch values");
    const parsed: unknown = JSON.parse(decoder.decode(bytes.subarray(numeric + 4, numeric + 4 + len)));
    if (!Array.isArray(parsed) || parsed.length !== n)
      throw new RangeError("batch values do not match its length");
    values = parsed.map((v) => (v === null ? undefined : v));
    at += 4 + len;
  }
  let cut: OutputCut | null = null;
  if ((flags & 2) === 2) {
    if (bytes.length < at + 12) throw new RangeError("truncated batch cut");
    const count = view.getUint32(at, true);
    if (bytes.length < at + cutSizeBytes(count)) throw new RangeError("truncated batch cut");
    const processed: ChannelPosition[] = [];
    for (let i = 0, o = at + 12; i < count; i++, o += 32) {
      processed.push({
        edge: view.getFloat64(o, true),
        sender: view.getFloat64(o + 8, true),
        seq: view.getFloat64(o + 16, true),
        watermarkMs: view.getFloat64(o + 24, true),
      });
    }
    cut = { processed, watermarkMs: view.getFloat64(at + 4, true) };
  }
  return new Batch(
    n,
    cols[0],
    cols[1],
    cols[2],
    cols.slice(3),
    values,
    view.getFloat64(16, true),
    view.getFloat64(24, true),
    cut,
  );
}
