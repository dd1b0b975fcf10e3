// Reading an output file of answers, in the line formats of schema.ts `formatAnswer`:
//   0,VID,Time,Emit,LAV,Toll   1,Time,Emit,Seg,VID,XWay,Dir
//   2,Time,Emit,ResultTime,QID,Bal   3,Time,Emit,QID,Bal
// Every field is an integer. Blank lines are passed over; anything else that is not one of
// these lines is an LrFileError naming the file and the line. Strict on purpose: a
// validator that guessed at a bad line could pass a wrong run. The file is streamed, one
// answer at a time: a full run's answers do not fit in memory as objects.

import type { LrAnswer } from "../schema.js";
import { LrFileError } from "./fileError.js";
import { TextLines } from "./textLines.js";

/** An answer as read, with its 1-based line number and its text. */
export interface ReadAnswer {
  readonly answer: LrAnswer;
  readonly line: number;
  readonly text: string;
}

/** Fields of each answer type's line. */
const FIELD_COUNT: Readonly<Record<number, number>> = { 0: 6, 1: 7, 2: 6, 3: 5 };

const INTEGER = /^-?\d{1,15}$/;

/** The answer of one line, or why it is not one. */
export function parseAnswerLine(text: string): LrAnswer | string {
  const v = FIELDS;
  const n = scanIntegers(text, v);
  if (n > 0 && v[0] >= 0 && v[0] <= 3 && n === FIELD_COUNT[v[0]] && text.charCodeAt(0) !== MINUS) {
    switch (v[0]) {
      case 0:
        return { type: 0, vid: v[1], time: v[2], emit: v[3], lav: v[4], toll: v[5] };
      case 1:
        return { type: 1, time: v[1], emit: v[2], seg: v[3], vid: v[4], xway: v[5], dir: v[6] };
      case 2:
        return { type: 2, time: v[1], emit: v[2], resultTime: v[3], qid: v[4], bal: v[5] };
      default:
        return { type: 3, time: v[1], emit: v[2], qid: v[3], bal: v[4] };
    }
  }
  return parseAnswerLineSlowly(text);
}

const FIELDS = [0, 0, 0, 0, 0, 0, 0, 0];
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;
const DIGITS_MAX = 15;

/**
 * The fast path of parseAnswerLine: comma-separated integers (each `-?\d{1,15}`, nothing
 * else on the line) into `out`; their count, or -1 for anything else (more than fit in
 * `out` included), which the slow path then reads and explains.
 */
function scanIntegers(text: string, out: number[]): number {
  const end = text.length;
  let n = 0;
  let i = 0;
  for (;;) {
    const negative = i < end && text.charCodeAt(i) === MINUS;
    if (negative) i++;
    let value = 0;
    let digits = 0;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      digits++;
    }
    if (digits === 0 || digits > DIGITS_MAX || n === out.length) return -1;
    out[n++] = negative ? 0 - value : value;
    if (i === end) return n;
    if (text.charCodeAt(i) !== COMMA) return -1;
    i++;
  }
}

/** parseAnswerLine for any line, with the reason a line is not an answer. */
function parseAnswerLineSlowly(text: string): LrAnswer | string {
  const parts = text.trim().split(",");
  const type = parts[0];
  const count = FIELD_COUNT[Number(type)];
  if (!/^[0-3]$/.test(type) || count === undefined) return `unknown answer type '${type}'`;
  if (parts.length !== count) return `type ${type} has ${count} fields, this line has ${parts.length}`;
  const v: number[] = [];
  for (let i = 1; i < parts.length; i++) {
    const field = parts[i].trim();
    if (!INTEGER.test(field)) return `field ${i + 1} '${field}' is not an integer`;
    v.push(Number(field));
  }
  switch (type) {
    case "0":
      return { type: 0, vid: v[0], time: v[1], emit: v[2], lav: v[3], toll: v[4] };
    case "1":
      return { type: 1, time: v[0], emit: v[1], seg: v[2], vid: v[3], xway: v[4], dir: v[5] };
    case "2":
      return { type: 2, time: v[0], emit: v[1], resultTime: v[2], qid: v[3], bal: v[4] };
    default:
      return { type: 3, time: v[0], emit: v[1], qid: v[2], bal: v[3] };
  }
}

/** Reads an answers file answer by answer, in file order; throws LrFileError at the first bad line. */
export class AnswersReader {
  private readonly lines: TextLines;

  /** Opens `path` (an LrFileError if it cannot be read). */
  constructor(readonly path: string) {
    this.lines = new TextLines(path);
  }

  /** The next answer, or null at the end of the file. */
  next(): ReadAnswer | null {
    for (let raw = this.lines.next(); raw !== null; raw = this.lines.next()) {
      const text = raw.trim();
      if (text === "") continue;
      const answer = parseAnswerLine(text);
      if (typeof answer === "string") {
        this.close();
        throw new LrFileError(this.path, this.lines.line, answer);
      }
      return { answer, line: this.lines.line, text };
    }
    return null;
  }

  /** Closes the file. Safe to call twice. */
  close(): void {
    this.lines.close();
  }
}

/** Calls `visit` for every answer of `path` in file order; throws LrFileError at the first bad line. */
export function forEachAnswer(path: string, visit: (a: ReadAnswer) => void): void {
  const reader = new AnswersReader(path);
  try {
    for (let a = reader.next(); a !== null; a = reader.next()) visit(a);
  } finally {
    reader.close();
  }
}

/** Every answer of an output file, in file order (in memory: for small files and tests). */
export function readAnswers(outputPath: string): ReadAnswer[] {
  const out: ReadAnswer[] = [];
  forEachAnswer(outputPath, (a) => out.push(a));
  return out;
}
