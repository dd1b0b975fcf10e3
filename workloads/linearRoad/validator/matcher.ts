// Matching the answers of an output file with the expected ones, both streamed, in memory
// bounded by how far out of order the file is rather than by how long the run was. Every
// expected answer is judged once (README rule 10 and the last paragraph): present exactly
// once, with the expected values, within the deadline; every line that matches none is
// unexpected.
//
// The expected answers come in non-decreasing Time (daily expenditures, which need the
// tolls file, at the end); the answers file comes in about the order its answers left the
// system. An answer of Time t is judged once the file's horizon (answersHorizon.ts: its
// Emit, `lookaheadLines` lines back) has passed t + `lookaheadS`, or at the end of the
// file; the expected answers are produced only as far as that horizon. A line read before
// its expected answer is produced waits; once every expected answer of its Time is
// produced (a balance answer's Time plus the lookahead: its Time may be wrong), a line
// matching none is unexpected. The bound: a line that comes after `lookaheadLines`
// consecutive lines all with an Emit more than `lookaheadS` past its Time (in a file in
// Emit order: an answer that late) is too late to be matched, so its answer counts as
// missing and the line as unexpected; a copy of an answer already judged counts as
// unexpected, not as a duplicate. Daily expenditures are judged at the end. With either
// lookahead Infinity, everything is judged at the end of the file, exactly, in memory.

import { formatAnswer, LR, type LrAnswer } from "../schema.js";
import { answerKey } from "./answerKey.js";
import type { ReadAnswer } from "./answersFile.js";
import { AnswersHorizon } from "./answersHorizon.js";
import type { Expected } from "./reference.js";
import { type MismatchExample, type MismatchKind, Tally, type ValidationReport } from "./report.js";

/** Expected answers, one at a time (types 0, 1, 2 in non-decreasing Time), null at the end. */
export interface ExpectedSource {
  next(): Expected | null;
}

/** Answers read from an output file, one at a time in file order, null at the end. */
export interface AnswerSource {
  next(): ReadAnswer | null;
}

/** How far out of order an answers file may be. */
export interface Lookahead {
  /** Seconds of Emit past an answer's Time before it is judged (Infinity: at the end). */
  readonly lookaheadS: number;
  /** Lines of the file the horizon trails by (Infinity: judge everything at the end). */
  readonly lookaheadLines: number;
}

/**
 * The lookahead of a streamed validation: two minutes of Emit (a run's answers late by up
 * to about that are reported as late, not missing), and 65,536 lines (a small file is
 * judged whole, in any order).
 */
export const DEFAULT_LOOKAHEAD: Lookahead = { lookaheadS: 120, lookaheadLines: 1 << 16 };

/** Judges everything at the end of the file: exact for any order, holding every answer. */
export const WHOLE_FILE: Lookahead = {
  lookaheadS: Number.POSITIVE_INFINITY,
  lookaheadLines: Number.POSITIVE_INFINITY,
};

/** Compares the answers of `answers` with those of `expected`; throws what the sources throw. */
export function matchAnswers(
  expected: ExpectedSource,
  answers: AnswerSource,
  lookahead: Lookahead = DEFAULT_LOOKAHEAD,
): ValidationReport {
  const matcher = new Matcher(expected, lookahead);
  for (let a = answers.next(); a !== null; a = answers.next()) matcher.read(a);
  return matcher.finish();
}

/** An answer's identity as a Map key: a number when its fields allow (most), else answerKey. */
type Key = number | string;

const TIME_LIMIT = 2 ** 20;
const VID_LIMIT = 2 ** 31;
const QID_LIMIT = 2 ** 50;

function keyOf(a: LrAnswer): Key {
  if (a.type === 0 || a.type === 1) {
    if (a.time >= 0 && a.time < TIME_LIMIT && a.vid >= 0 && a.vid < VID_LIMIT)
      return (a.time * VID_LIMIT + a.vid) * 2 + a.type;
  } else if (a.qid >= 0 && a.qid < QID_LIMIT) {
    return -1 - (a.qid * 2 + a.type - 2);
  }
  return answerKey(a);
}

/** An expected answer not judged yet, its rank in the expected order, and the lines that carry it. */
interface Pending {
  readonly exp: Expected;
  readonly rank: number;
  copies: ReadAnswer[] | null;
}

class Matcher {
  private readonly tally = new Tally();
  private readonly horizon: AnswersHorizon;
  private readonly lookaheadS: number;
  /** Expected answers produced and not judged yet, in the expected order. */
  private readonly pending = new Map<Key, Pending>();
  /** Lines whose expected answer is not produced yet, by key; `waitingLines` counts them. */
  private readonly waiting = new Map<Key, ReadAnswer[]>();
  private waitingLines = 0;
  /** Keys in `waiting` by the time past which their expected answer would have been produced. */
  private readonly releases = new Map<number, Key[]>();
  /** Every expected answer of Time <= this is produced. */
  private producedThrough = Number.NEGATIVE_INFINITY;
  /** The expected answer taken from the source but not produced yet (it is past the horizon). */
  private upcoming: Expected | null = null;
  private exhausted = false;
  private produced = 0;
  private retainedMax = 0;

  constructor(
    private readonly expected: ExpectedSource,
    lookahead: Lookahead,
  ) {
    this.lookaheadS = lookahead.lookaheadS;
    this.horizon = new AnswersHorizon(
      Number.isFinite(lookahead.lookaheadS) ? lookahead.lookaheadLines : Number.POSITIVE_INFINITY,
    );
  }

  read(a: ReadAnswer): void {
    const answer = a.answer;
    this.tally.byType[answer.type].found++;
    const key = keyOf(answer);
    const p = this.pending.get(key);
    if (p !== undefined) {
      if (p.copies === null) p.copies = [a];
      else p.copies.push(a);
    } else {
      const release = this.releaseOf(answer);
      if (release <= this.producedThrough) this.unexpected(key, a);
      else this.wait(key, a, release);
    }
    const before = this.horizon.value;
    const now = this.horizon.add(answer.emit);
    if (now > before) {
      this.produce(now);
      this.judge(now - this.lookaheadS);
    }
    this.retain();
  }

  finish(): ValidationReport {
    this.produce(Number.POSITIVE_INFINITY);
    this.judge(Number.POSITIVE_INFINITY);
    return this.tally.report(this.retainedMax);
  }

  /** The Time past which a line's expected answer, if any, has been produced. */
  private releaseOf(a: LrAnswer): number {
    if (a.type === 3) return Number.POSITIVE_INFINITY; // daily expenditures come last
    return a.type === 2 ? a.time + this.lookaheadS : a.time;
  }

  private wait(key: Key, a: ReadAnswer, release: number): void {
    const lines = this.waiting.get(key);
    if (lines !== undefined) lines.push(a);
    else {
      this.waiting.set(key, [a]);
      const keys = this.releases.get(release);
      if (keys === undefined) this.releases.set(release, [key]);
      else keys.push(key);
    }
    this.waitingLines++;
  }

  /** Takes the expected answers up to Time `through` (and any daily expenditure on the way). */
  private produce(through: number): void {
    const before = this.producedThrough;
    for (;;) {
      let e = this.upcoming;
      this.upcoming = null;
      if (e === null && !this.exhausted) e = this.expected.next();
      if (e === null) {
        this.exhausted = true;
        this.producedThrough = Number.POSITIVE_INFINITY;
        break;
      }
      const time = e.answer.time;
      if (e.answer.type !== 3 && time > through) {
        this.upcoming = e;
        this.producedThrough = Math.max(this.producedThrough, time - 1);
        break;
      }
      const key = keyOf(e.answer);
      const copies = this.waiting.get(key) ?? null;
      if (copies !== null) {
        this.waiting.delete(key);
        this.waitingLines -= copies.length;
      }
      this.pending.set(key, { exp: e, rank: this.produced++, copies });
    }
    this.retain();
    if (this.producedThrough > before) this.release();
  }

  /** Lines still waiting whose expected answer would have been produced by now match none: unexpected. */
  private release(): void {
    for (const [time, keys] of this.releases) {
      if (time > this.producedThrough) continue;
      this.releases.delete(time);
      for (const key of keys) {
        const lines = this.waiting.get(key);
        if (lines === undefined) continue; // matched since
        this.waiting.delete(key);
        this.waitingLines -= lines.length;
        for (const a of lines) this.unexpected(key, a);
      }
    }
  }

  /** Judges the expected answers of Time < `below` (daily expenditures only at the end). */
  private judge(below: number): void {
    const atEnd = below === Number.POSITIVE_INFINITY;
    for (const [key, p] of this.pending) {
      if (p.exp.answer.type === 3 && !atEnd) continue;
      if (p.exp.answer.time >= below) break;
      this.pending.delete(key);
      this.verdict(p);
    }
  }

  /** Whether `p` came once, right and on time; each mismatch is tallied. */
  private verdict(p: Pending): void {
    const { exp, rank, copies } = p;
    const type = exp.answer.type;
    const counts = this.tally.byType[type];
    counts.expected++;
    if (!exp.valueKnown) this.tally.unchecked++;
    if (copies === null) {
      this.note("missing", rank, exp, []);
      return;
    }
    let right = true;
    if (copies.length > 1) {
      this.note("duplicate", rank, exp, copies);
      right = false;
    }
    const first = copies[0];
    if (!sameValues(exp, first.answer)) {
      this.note("wrongValue", rank, exp, [first]);
      right = false;
    }
    if (first.answer.emit - first.answer.time > LR.deadlineS) {
      this.note("late", rank, exp, [first]);
      right = false;
    }
    if (right) counts.correct++;
  }

  private note(kind: MismatchKind, rank: number, exp: Expected, got: readonly ReadAnswer[]): void {
    this.tally.note(kind, rank, () => example(answerKey(exp.answer), expectedLine(exp), got));
  }

  private unexpected(key: Key, a: ReadAnswer): void {
    const name = typeof key === "string" ? key : answerKey(a.answer);
    this.tally.note("unexpected", a.line, () => example(name, null, [a]));
  }

  private retain(): void {
    const held = this.pending.size + this.waitingLines;
    if (held > this.retainedMax) this.retainedMax = held;
  }
}

function example(key: string, expected: string | null, got: readonly ReadAnswer[]): MismatchExample {
  return { key, expected, got: got.map((a) => `line ${a.line}: ${a.text}`) };
}

/** Whether `got` carries the values of `exp`, Emit aside (an unknown type 3 balance is not compared). */
function sameValues(exp: Expected, got: LrAnswer): boolean {
  const e = exp.answer;
  if (got.type !== e.type || got.time !== e.time) return false;
  switch (e.type) {
    case 0:
      return got.type === 0 && got.vid === e.vid && got.lav === e.lav && got.toll === e.toll;
    case 1:
      return (
        got.type === 1 && got.seg === e.seg && got.vid === e.vid && got.xway === e.xway && got.dir === e.dir
      );
    case 2:
      return got.type === 2 && got.resultTime === e.resultTime && got.qid === e.qid && got.bal === e.bal;
    case 3:
      return got.type === 3 && got.qid === e.qid && (!exp.valueKnown || got.bal === e.bal);
  }
}

/** The expected line, with `?` for a balance that is not known. */
function expectedLine(exp: Expected): string {
  const line = formatAnswer(exp.answer);
  return exp.valueKnown ? line : `${line.slice(0, line.lastIndexOf(","))},?`;
}
