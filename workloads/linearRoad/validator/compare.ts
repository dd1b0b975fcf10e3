// Comparing an output file of answers with the expected ones, and the report of it
// (README rule 10 and the last paragraph): every expected answer present exactly once,
// with the expected values, within the deadline, and nothing else. Each kind of mismatch
// is counted and a few examples kept; ok means no mismatch at all.

import { formatAnswer, LR, type LrAnswer } from "../schema.js";
import { answerKey } from "./answerKey.js";
import { forEachAnswer, type ReadAnswer } from "./answersFile.js";
import type { Expected } from "./reference.js";

/** The kinds of mismatch, in the order a report lists them. */
export const MISMATCH_KINDS = ["missing", "duplicate", "wrongValue", "late", "unexpected"] as const;

/** A kind of mismatch. */
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One mismatch: the expected line (Emit = Time; null if none was expected) and the lines got, as `line N: text`. */
export interface MismatchExample {
  readonly key: string;
  readonly expected: string | null;
  readonly got: readonly string[];
}

/** How many of a kind, and the first few. */
export interface Mismatches {
  count: number;
  readonly examples: MismatchExample[];
}

/** Answers of one type. */
export interface TypeCounts {
  /** Answers the input calls for. */
  expected: number;
  /** Lines of this type in the output, duplicates and unexpected ones included. */
  found: number;
  /** Expected answers present exactly once, with the expected values, within the deadline. */
  correct: number;
}

/** The outcome of a validation. */
export interface ValidationReport {
  /** No mismatch of any kind. */
  readonly ok: boolean;
  /** Counts by answer type, index 0..3. */
  readonly byType: readonly TypeCounts[];
  readonly mismatches: Readonly<Record<MismatchKind, Mismatches>>;
  /** Type 3 answers whose balance could not be checked (no tolls file). */
  readonly unchecked: number;
}

/** Examples kept per kind of mismatch. */
export const EXAMPLES_MAX = 5;

/** What was found under one expected key. */
interface Found {
  readonly first: ReadAnswer;
  readonly all: ReadAnswer[];
}

/** Compares the answers of `outputPath` with `expected`; throws LrFileError on a malformed line. */
export function validate(expected: ReadonlyMap<string, Expected>, outputPath: string): ValidationReport {
  const byType: TypeCounts[] = [0, 1, 2, 3].map(() => ({ expected: 0, found: 0, correct: 0 }));
  const mismatches = Object.fromEntries(
    MISMATCH_KINDS.map((k): [MismatchKind, Mismatches] => [k, { count: 0, examples: [] }]),
  ) as Record<MismatchKind, Mismatches>;
  const note = (
    kind: MismatchKind,
    key: string,
    exp: Expected | undefined,
    got: readonly ReadAnswer[],
  ): void => {
    const m = mismatches[kind];
    m.count++;
    if (m.examples.length < EXAMPLES_MAX)
      m.examples.push({
        key,
        expected: exp === undefined ? null : expectedLine(exp),
        got: got.map((a) => `line ${a.line}: ${a.text}`),
      });
  };

  const found = new Map<string, Found>();
  forEachAnswer(outputPath, (a) => {
    byType[a.answer.type].found++;
    const key = answerKey(a.answer);
    if (!expected.has(key)) return note("unexpected", key, undefined, [a]);
    const f = found.get(key);
    if (f === undefined) found.set(key, { first: a, all: [a] });
    else f.all.push(a);
  });

  let unchecked = 0;
  for (const [key, exp] of expected) {
    byType[exp.answer.type].expected++;
    if (!exp.valueKnown) unchecked++;
    const f = found.get(key);
    if (f === undefined) {
      note("missing", key, exp, []);
      continue;
    }
    let right = true;
    if (f.all.length > 1) {
      note("duplicate", key, exp, f.all);
      right = false;
    }
    if (!sameValues(exp, f.first.answer)) {
      note("wrongValue", key, exp, [f.first]);
      right = false;
    }
    if (f.first.answer.emit - f.first.answer.time > LR.deadlineS) {
      note("late", key, exp, [f.first]);
      right = false;
    }
    if (right) byType[exp.answer.type].correct++;
  }
  const ok = MISMATCH_KINDS.every((k) => mismatches[k].count === 0);
  return { ok, byType, mismatches, unchecked };
}

/** Whether `got` carries the values of `exp`, Emit aside (an unknown type 3 balance is not compared). */
function sameValues(exp: Expected, got: LrAnswer): boolean {
  if (!exp.valueKnown) return got.type === exp.answer.type && got.time === exp.answer.time;
  return formatAnswer({ ...exp.answer, emit: 0 }) === formatAnswer({ ...got, emit: 0 });
}

/** The expected line, with `?` for a balance that is not known. */
function expectedLine(exp: Expected): string {
  const line = formatAnswer(exp.answer);
  return exp.valueKnown ? line : `${line.slice(0, line.lastIndexOf(","))},?`;
}

const TYPE_NAMES = ["toll notification", "accident notification", "account balance", "daily expenditure"];
const KIND_NAMES: Record<MismatchKind, string> = {
  missing: "missing",
  duplicate: "duplicate",
  wrongValue: "wrong value",
  late: `late (Emit - Time > ${LR.deadlineS} s)`,
  unexpected: "unexpected",
};

/** The report as people read it: a verdict, counts by type, then each kind of mismatch with its examples. */
export function formatReport(report: ValidationReport): string {
  const lines = [`Linear Road validation: ${report.ok ? "VALID" : "INVALID"}`, ""];
  lines.push(
    `${"type".padEnd(26)}${"expected".padStart(10)}${"found".padStart(10)}${"correct".padStart(10)}`,
  );
  report.byType.forEach((c, type) => {
    const name = `${type} ${TYPE_NAMES[type]}`.padEnd(26);
    lines.push(
      `${name}${String(c.expected).padStart(10)}${String(c.found).padStart(10)}${String(c.correct).padStart(10)}`,
    );
  });
  if (report.unchecked > 0)
    lines.push("", `${report.unchecked} daily expenditure balances not checked: no tolls file given`);
  lines.push(
    "",
    `mismatches: ${MISMATCH_KINDS.map((k) => `${KIND_NAMES[k]} ${report.mismatches[k].count}`).join(", ")}`,
  );
  for (const kind of MISMATCH_KINDS) {
    const m = report.mismatches[kind];
    if (m.count === 0) continue;
    lines.push(
      "",
      `${KIND_NAMES[kind]}: ${m.count}${m.count > m.examples.length ? `, first ${m.examples.length}` : ""}`,
    );
    for (const e of m.examples) {
      lines.push(`  expected ${e.expected ?? "(nothing)"}`);
      lines.push(`  got      ${e.got.length === 0 ? "(nothing)" : e.got.join(" | ")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
