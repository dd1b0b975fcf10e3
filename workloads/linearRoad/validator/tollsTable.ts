// The historical tolls file that type 3 (daily expenditure) answers come from: lines
// `VID,Day,XWay,Toll`, one per (VID, Day, XWay). Given the keys the queries ask for, only
// those are kept (a 3-hour table has tens of millions of rows and a run asks for tens of
// thousands), but every line is checked. A repeated (VID, Day, XWay) among the kept ones is
// an error rather than "last one wins", since either reading would make a different
// expected answer. The file is scanned as bytes, in chunks: it is read for every validation.

import { closeSync, openSync, readSync } from "node:fs";
import { LrFileError, unreadable } from "./fileError.js";

/** Tolls by (VID, Day, XWay). */
export type TollsTable = ReadonlyMap<string, number>;

/** The key of a (VID, Day, XWay) in a TollsTable. */
export function tollsKey(vid: number, day: number, xway: number): string {
  return `${vid},${day},${xway}`;
}

const CHUNK_BYTES = 1 << 22;
const NEWLINE = 10;
const COMMA = 44;
const ZERO = 48;
const DIGITS_MAX = 15;
const NON_NEGATIVE = /^\d{1,15}$/;

/**
 * The table of a tolls file (only the `wanted` keys, if given); a malformed or repeated line
 * is an LrFileError. `chunkBytes` is the size of a read (tests cut lines with tiny ones).
 */
export function readTollsTable(
  path: string,
  wanted?: ReadonlySet<string>,
  chunkBytes = CHUNK_BYTES,
): TollsTable {
  const table = new Map<string, number>();
  const wantedVids = wanted === undefined ? null : new Set([...wanted].map((k) => Number(k.split(",")[0])));
  const fields = [0, 0, 0, 0];
  let line = 0;
  const take = (bytes: Buffer, start: number, end: number): void => {
    line++;
    let values: readonly number[] | null = fields;
    if (!parseTollsLine(bytes, start, end, fields)) {
      values = slowTollsLine(path, line, bytes.toString("utf8", start, end));
      if (values === null) return; // blank
    }
    const [vid, day, xway, toll] = values;
    if (wantedVids !== null && !wantedVids.has(vid)) return;
    const key = tollsKey(vid, day, xway);
    if (wanted !== undefined && !wanted.has(key)) return;
    if (table.has(key))
      throw new LrFileError(path, line, `(VID ${vid}, Day ${day}, XWay ${xway}) appears twice`);
    table.set(key, toll);
  };
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw unreadable(path, err);
  }
  try {
    let buf = Buffer.allocUnsafe(chunkBytes);
    let kept = 0; // bytes of an unfinished line at the start of buf
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buf, kept, buf.length - kept, null);
      } catch (err) {
        throw unreadable(path, err);
      }
      const end = kept + n;
      let start = 0;
      for (let i = kept; i < end; i++) {
        if (buf[i] !== NEWLINE) continue;
        take(buf, start, i);
        start = i + 1;
      }
      if (n === 0) {
        if (start < end) take(buf, start, end);
        break;
      }
      kept = end - start;
      buf.copy(buf, 0, start, end);
    }
  } finally {
    closeSync(fd);
  }
  return table;
}

/**
 * Parses bytes[start, end) as four non-negative integers (spaces, tabs and a CR around them
 * allowed) into `fields`; false when it is anything else (a blank line included).
 */
function parseTollsLine(bytes: Buffer, start: number, end: number, fields: number[]): boolean {
  let f = 0;
  let i = start;
  for (;;) {
    while (i < end && isSpace(bytes[i])) i++;
    let value = 0;
    let digits = 0;
    while (i < end && bytes[i] >= ZERO && bytes[i] <= ZERO + 9) {
      value = value * 10 + (bytes[i] - ZERO);
      digits++;
      i++;
    }
    while (i < end && isSpace(bytes[i])) i++;
    if (digits === 0 || digits > DIGITS_MAX || f === 4) return false;
    fields[f++] = value;
    if (i === end) return f === 4;
    if (bytes[i] !== COMMA) return false;
    i++;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** A line the fast scan refused, read by the rules themselves: its fields, null if blank, else the LrFileError. */
function slowTollsLine(path: string, line: number, raw: string): number[] | null {
  const lineText = raw.trim();
  if (lineText === "") return null;
  const parts = lineText.split(",").map((p) => p.trim());
  if (parts.length !== 4) throw new LrFileError(path, line, `expected VID,Day,XWay,Toll, got '${lineText}'`);
  const bad = parts.findIndex((p) => !NON_NEGATIVE.test(p));
  if (bad >= 0)
    throw new LrFileError(path, line, `field ${bad + 1} '${parts[bad]}' is not a non-negative integer`);
  return parts.map(Number);
}
