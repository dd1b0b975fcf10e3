// Linear Road input records as CSV text: the 15 fields of a row as comma-separated
// integers, the line format of the benchmark's input file (no header). Writing bytes
// straight into a caller's buffer avoids building a string per record (and converting
// doubles to text through the general number printer), which dominated writing a run.

/** The longest line a record can take, in bytes: 15 fields of up to 16 characters. */
export const RECORD_CSV_BYTES_MAX = 15 * 17 + 1;

const COMMA = 44;
const NEWLINE = 10;
const MINUS = 45;
const ZERO = 48;

/** The CSV line (without newline) of a 15-field record row. */
export function formatRecordCsv(r: Float64Array): string {
  let line = String(r[0] | 0);
  for (let f = 1; f < r.length; f++) line += `,${r[f] | 0}`;
  return line;
}

/** Write the CSV line of `r`, newline included, into `buf` at `at`; return the offset after it. */
export function writeRecordCsv(r: Float64Array, buf: Uint8Array, at: number): number {
  for (let f = 0; f < 15; f++) {
    if (f > 0) buf[at++] = COMMA;
    at = writeInteger(r[f], buf, at);
  }
  buf[at++] = NEWLINE;
  return at;
}

/** Write the decimal digits of integer `v` into `buf` at `at`; return the offset after them. */
export function writeInteger(v: number, buf: Uint8Array, at: number): number {
  if (v < 0) {
    buf[at++] = MINUS;
    v = -v;
  }
  if (v < 10) {
    buf[at++] = ZERO + v;
    return at;
  }
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  let end = at + digits;
  const after = end;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    buf[--end] = ZERO + (v - q * 10);
    v = q;
  }
  buf[--end] = ZERO + v;
  return after;
}
