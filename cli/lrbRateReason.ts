// Why a rated Linear Road run failed, in a few words for the rate table's last column:
// what the run saw (workers or VMs lost, a run cut off because it fell far behind its
// window) and then the validator's mismatch counts, in that order, e.g. `cut off after
// 90 s, late 1234, missing 12`. Pure, so it can be tested without running anything.

import type { MismatchKind } from "../workloads/linearRoad/validator/index.js";

/** What a rated run and its validation came to, as far as a reason needs. */
export interface RatedRunOutcome {
  /** Workers (real) or VMs (simulator) the run lost. */
  readonly lost: number;
  /** What was lost: "worker" or "VM". */
  readonly lostNoun: string;
  /** Seconds of run time after which the run was cut off; null if it ran to its end. */
  readonly cutOffAfterS: number | null;
  /** The validator report's mismatch counts. */
  readonly mismatches: Readonly<Record<MismatchKind, { readonly count: number }>>;
}

/** The words for each kind of mismatch, in the order the reason lists them. */
const MISMATCH_WORDS: readonly (readonly [MismatchKind, string])[] = [
  ["late", "late"],
  ["missing", "missing"],
  ["wrongValue", "wrong"],
  ["duplicate", "duplicated"],
  ["unexpected", "unexpected"],
];

/** Why the run failed, e.g. `worker lost, missing 12` or `late 1234`; "" when nothing went wrong. */
export function failureReason(o: RatedRunOutcome): string {
  const parts: string[] = [];
  if (o.lost === 1) parts.push(`${o.lostNoun} lost`);
  else if (o.lost > 1) parts.push(`${o.lost} ${o.lostNoun}s lost`);
  if (o.cutOffAfterS !== null) parts.push(`cut off after ${o.cutOffAfterS} s`);
  for (const [kind, word] of MISMATCH_WORDS) {
    const n = o.mismatches[kind].count;
    if (n > 0) parts.push(`${word} ${n}`);
  }
  return parts.join(", ");
}
