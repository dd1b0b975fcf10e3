// Reading an output file of answers, in the line formats of schema.ts `formatAnswer`:
//   0,VID,Time,Emit,LAV,Toll   1,Time,Emit,Seg,VID,XWay,Dir
//   2,Time,Emit,ResultTime,QID,Bal   3,Time,Emit,QID,Bal
// Every field is an integer. Blank lines are passed over; anything else that is not one of
// these lines is an LrFileError naming the file and the line. Strict on purpose: a
// validator that guessed at a bad line could pass a wrong run.

import type { LrAnswer } from "../schema.js";
import { LrFileError, readTextFile } from "./fileError.js";

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

/** Calls `visit` for every answer of `path` in file order; throws LrFileError at the first bad line. */
export function forEachAnswer(path: string, visit: (a: ReadAnswer) => void): void {
  const text = readTextFile(path);
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const lineText = text.slice(start, end).trim();
    start = end + 1;
    if (lineText === "") continue;
    const answer = parseAnswerLine(lineText);
    if (typeof answer === "string") throw new LrFileError(path, line, answer);
    visit({ answer, line, text: lineText });
  }
}

/** Every answer of an output file, in file order. */
export function readAnswers(outputPath: string): ReadAnswer[] {
  const out: ReadAnswer[] = [];
  forEachAnswer(outputPath, (a) => out.push(a));
  return out;
}
