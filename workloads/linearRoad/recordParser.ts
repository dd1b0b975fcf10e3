// Parsing one Linear Road input line into a record row: the 15 comma-separated integers
// written by the original MITSIM tools and by later generators, checked against the ranges
// the benchmark defines for each record type. It is pure and allocation-free on the happy
// path (charCodeAt scanning, no split or regex) because the reader calls it for every one of
// the tens of millions of lines of a run; an issue object is built only for a bad line.
//
// Checks, by type (fields a type does not use are not checked: most files write -1 there,
// some generators write 0):
// - every type: type in {0, 2, 3, 4}, time >= 0, vid >= 0. A standard run has time
//   0..10799, but longer runs exist, so time has no upper bound.
// - 0 (position report): spd 0..100, xway >= 0, lane 0..4, dir 0..1, seg 0..99,
//   pos 0..527999 and seg == floor(pos / 5280).
// - 2, 3, 4 (queries): qid >= 0; 3 also day 1..69 and xway >= 0; 4 also xway >= 0,
//   sinit and send 0..99, dow 1..7, tod 1..1440.

import { F, LR, LR_FIELDS, RecordType } from "./schema.js";

/** What is wrong with a line: the field (a name from LR_FIELDS, or "line") and why. */
export interface ParseIssue {
  readonly field: string;
  readonly message: string;
}

/** Fields per input line. */
export const LR_FIELD_COUNT = LR_FIELDS.length;

/** Most digits a field may have: beyond 15 a double no longer holds every integer exactly. */
const MAX_DIGITS = 15;

const COMMA = 44;
const MINUS = 45;
const ZERO = 48;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** Parses `line` into `row` (15 fields in LR_FIELDS order); null when it is a valid record, else the first issue. */
export function parseRecord(line: string, row: Float64Array): ParseIssue | null {
  return parseRecordRange(line, 0, line.length, row);
}

/** Like parseRecord, for the line text[start, end): lets a reader parse inside a chunk without slicing it. */
export function parseRecordRange(
  text: string,
  start: number,
  end: number,
  row: Float64Array,
): ParseIssue | null {
  return parseFields(text, start, end, row) ?? checkRanges(row);
}

/**
 * The first half of parseRecordRange: the 15 integers of text[start, end) into `row`,
 * without the range checks (null when every field is an integer), so that a reader may
 * adjust a field (clamp a speed) before checkRanges.
 */
export function parseFields(text: string, start: number, end: number, row: Float64Array): ParseIssue | null {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (start === end) return fieldCountIssue(0);

  let fields = 0;
  let badField = -1;
  let badStart = 0;
  let badEnd = 0;
  let p = start;
  for (;;) {
    const fieldStart = p;
    while (p < end && isSpace(text.charCodeAt(p))) p++;
    let negative = false;
    if (p < end && text.charCodeAt(p) === MINUS) {
      negative = true;
      p++;
    }
    let value = 0;
    let digits = 0;
    while (p < end) {
      const d = text.charCodeAt(p) - ZERO;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      digits++;
      p++;
    }
    while (p < end && isSpace(text.charCodeAt(p))) p++;
    let clean = digits > 0 && digits <= MAX_DIGITS;
    if (p < end && text.charCodeAt(p) !== COMMA) {
      clean = false;
      while (p < end && text.charCodeAt(p) !== COMMA) p++;
    }
    if (fields < LR_FIELD_COUNT) {
      // 0 - 0 is +0, so "-0" does not leave a negative zero in the row.
      if (clean) row[fields] = negative ? 0 - value : value;
      else if (badField < 0) {
        badField = fields;
        badStart = fieldStart;
        badEnd = p;
      }
    }
    fields++;
    if (p >= end) break;
    p++; // past the comma
  }
  if (fields !== LR_FIELD_COUNT) return fieldCountIssue(fields);
  if (badField >= 0) return numberIssue(LR_FIELDS[badField], text.slice(badStart, badEnd).trim());
  return null;
}

/** Checks the fields of a parsed row against the ranges of its record type; null when all hold. */
export function checkRanges(row: Float64Array): ParseIssue | null {
  const type = row[F.type];
  if (
    type !== RecordType.position &&
    type !== RecordType.balance &&
    type !== RecordType.expenditure &&
    type !== RecordType.travelTime
  ) {
    return { field: "type", message: `${type} is not a record type (0, 2, 3 or 4)` };
  }
  const common = atLeast(row, F.time, 0) ?? atLeast(row, F.vid, 0);
  if (common) return common;
  if (type === RecordType.position) {
    const issue =
      within(row, F.spd, 0, LR.maxSpeed) ??
      atLeast(row, F.xway, 0) ??
      within(row, F.lane, LR.entranceLane, LR.exitLane) ??
      within(row, F.dir, 0, 1) ??
      within(row, F.seg, 0, LR.segments - 1) ??
      within(row, F.pos, 0, LR.maxPos);
    if (issue) return issue;
    const segOfPos = Math.floor(row[F.pos] / LR.segmentFeet);
    if (row[F.seg] !== segOfPos) {
      return {
        field: "seg",
        message: `${row[F.seg]} does not match pos ${row[F.pos]} (segment ${segOfPos})`,
      };
    }
    return null;
  }
  const qid = atLeast(row, F.qid, 0);
  if (qid) return qid;
  if (type === RecordType.expenditure) {
    return within(row, F.day, 1, LR.historyDays) ?? atLeast(row, F.xway, 0);
  }
  if (type === RecordType.travelTime) {
    return (
      atLeast(row, F.xway, 0) ??
      within(row, F.sinit, 0, LR.segments - 1) ??
      within(row, F.send, 0, LR.segments - 1) ??
      within(row, F.dow, 1, 7) ??
      within(row, F.tod, 1, 1440)
    );
  }
  return null;
}

function within(row: Float64Array, i: number, lo: number, hi: number): ParseIssue | null {
  const v = row[i];
  return v >= lo && v <= hi ? null : { field: LR_FIELDS[i], message: `${v} is out of range ${lo}..${hi}` };
}

function atLeast(row: Float64Array, i: number, lo: number): ParseIssue | null {
  const v = row[i];
  return v >= lo ? null : { field: LR_FIELDS[i], message: `${v} is out of range ${lo}..` };
}

function fieldCountIssue(got: number): ParseIssue {
  return { field: "line", message: `expected ${LR_FIELD_COUNT} fields, got ${got}` };
}

function numberIssue(field: string, text: string): ParseIssue {
  if (/^-?\d+$/.test(text)) return { field, message: `"${text}" has more than ${MAX_DIGITS} digits` };
  const n = text === "" ? Number.NaN : Number(text);
  if (Number.isFinite(n) && !Number.isInteger(n)) return { field, message: `"${text}" is not an integer` };
  return { field, message: `"${text}" is not a number` };
}
