// The reconfigurations of one chaos run, drawn from the run's seed (`seep chaos
// --draw-scaling`): one to three of scale out (into 2 or 3), migration and scale in, of
// the plan's operators that take their input by key, at times over the stream, with the
// state moved the stopping way or live (drawn once per run, where the strategy runs live). Each is named by its
// operator and instance index, as `scaling.scaleOuts` and `scaling.scaleIns` name them,
// and every index stays valid whichever of the earlier ones a failure makes give up: the
// drawer counts an operator's instances as if every scale out were given up and every
// scale in completed (the fewest it can have). Drawn from the seeded "scaling" stream,
// never from Math.random, so `--runs 1 --seed S` replays run S of any campaign exactly.

import type { LogicalPlan } from "../../engine/index.js";
import type { Experiment } from "../experiment.js";
import { RandomStream } from "../randomStreams.js";

/** What a drawn schedule sets of an experiment's `scaling`. */
export type DrawnScaling = Pick<Experiment["scaling"], "scaleOuts" | "scaleIns" | "stateTransfer">;

/** Most reconfigurations of one run. */
const RECONFIGURATIONS_MAX = 3;

/** The operators of `plan` whose instances can be split and merged: every input by key. */
export function scalableOperators(plan: LogicalPlan): LogicalPlan["operators"][number][] {
  return plan.operators.filter((op) => {
    const inputs = plan.edges.filter((e) => e.to === op.id);
    return op.kind === "operator" && inputs.length > 0 && inputs.every((e) => e.contract === "key");
  });
}

/**
 * The reconfigurations of the run with seed `seed` of an experiment whose plan is `plan`
 * and whose stream lasts `durationMs` without them (a function of these only). Null when
 * the plan has no operator to scale.
 */
export function drawScaling(
  seed: number,
  plan: LogicalPlan,
  durationMs: number,
  /** Whether the strategy runs live transfer (else every run's is stopping). */
  live = true,
): DrawnScaling | null {
  const operators = scalableOperators(plan);
  if (operators.length === 0) return null;
  const rng = new RandomStream(seed, "scaling");
  const stateTransfer = rng.next() < 0.5 || !live ? "pause" : "live";
  const count = 1 + rng.int(RECONFIGURATIONS_MAX);
  // Over [10%, 70%] of the stream, in order, so that each has stream left to show in.
  const d = Math.max(durationMs, 1000);
  const times = Array.from({ length: count }, () => Math.round(0.1 * d + rng.next() * 0.6 * d)).sort(
    (a, b) => a - b,
  );
  const fewest = new Map(operators.map((op) => [op.name, op.parallelism]));
  const scaleOuts: DrawnScaling["scaleOuts"][number][] = [];
  const scaleIns: DrawnScaling["scaleIns"][number][] = [];
  for (const atMs of times) {
    const op = operators[rng.int(operators.length)];
    const n = fewest.get(op.name)!;
    const what = rng.next();
    if (what < 0.3 && n >= 2) {
      scaleIns.push({ operator: op.name, index: rng.int(n - 1), atMs });
      fewest.set(op.name, n - 1);
    } else {
      const factor = what < 0.5 ? 1 : 2 + rng.int(2);
      scaleOuts.push({ operator: op.name, index: rng.int(n), atMs, factor });
    }
  }
  return { scaleOuts, scaleIns, stateTransfer };
}

/** A drawn schedule in a few words, e.g. "live: count#0 x2 @12.3s, in count#0 @20.1s". */
export function describeScaling(s: DrawnScaling): string {
  const all = [
    ...s.scaleOuts.map((so) => ({
      atMs: so.atMs,
      text: `${so.factor === 1 ? "move" : `x${so.factor}`} ${so.operator}#${so.index}`,
    })),
    ...s.scaleIns.map((si) => ({ atMs: si.atMs, text: `in ${si.operator}#${si.index}` })),
  ].sort((a, b) => a.atMs - b.atMs);
  return `${s.stateTransfer}: ${all.map((r) => `${r.text} @${(r.atMs / 1000).toFixed(1)}s`).join(", ")}`;
}
