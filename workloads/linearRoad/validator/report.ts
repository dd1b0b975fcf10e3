// The outcome of a validation and how people read it (README rule 10 and the last
// paragraph): counts by answer type, each kind of mismatch counted with a few examples,
// and a verdict. The Tally gathers them while answers are judged, in whatever order the
// judging happens: it keeps the examples that come first in a fixed order (the expected
// answers' order, or the output file's line order), so which are shown does not depend on it.

import { LR } from "../schema.js";

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
  /** The most answers (expected, and read from the output) held in memory at once. */
  readonly retainedMax: number;
}

/** Examples kept per kind of mismatch. */
export const EXAMPLES_MAX = 5;

/** Counts and examples being gathered. */
export class Tally {
  readonly byType: TypeCounts[] = [0, 1, 2, 3].map(() => ({ expected: 0, found: 0, correct: 0 }));
  readonly mismatches = Object.fromEntries(
    MISMATCH_KINDS.map((k): [MismatchKind, Mismatches] => [k, { count: 0, examples: [] }]),
  ) as Record<MismatchKind, Mismatches>;
  unchecked = 0;
  /** Per kind, the rank of each kept example (ascending, parallel to its examples). */
  private readonly ranks = Object.fromEntries(MISMATCH_KINDS.map((k) => [k, [] as number[]])) as Record<
    MismatchKind,
    number[]
  >;

  /** Counts a mismatch of `kind`; keeps its example (made only then) if its `rank` is among the EXAMPLES_MAX least. */
  note(kind: MismatchKind, rank: number, example: () => MismatchExample): void {
    const m = this.mismatches[kind];
    m.count++;
    const ranks = this.ranks[kind];
    if (ranks.length === EXAMPLES_MAX && rank >= ranks[EXAMPLES_MAX - 1]) return;
    let at = ranks.length;
    while (at > 0 && ranks[at - 1] > rank) at--;
    ranks.splice(at, 0, rank);
    m.examples.splice(at, 0, example());
    if (ranks.length > EXAMPLES_MAX) {
      ranks.pop();
      m.examples.pop();
    }
  }

  /** The report of what was tallied. */
  report(retainedMax: number): ValidationReport {
    const ok = MISMATCH_KINDS.every((k) => this.mismatches[k].count === 0);
    return { ok, byType: this.byType, mismatches: this.mismatches, unchecked: this.unchecked, retainedMax };
  }
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
