// The bottleneck detector: reads each interval's load report and says which instance to
// split (scale out) or which two instances to merge (scale in), by the policy's rules.
// A rule fires once its condition has held over enough consecutive reports (SEEP: k = 2
// reports above 70% CPU); an instance missing from a report (down, or just deployed)
// starts its count again, and so do all instances of an operator once it is scaled, which
// is then left alone for the policy's cooldown. A scale out that would pass the rule's
// VM budget is still reported, as blocked: that is where load shedding takes over.
//
// Decisions are a pure function of the reports seen, in a fixed order (rules in order,
// operators and instances by id), so a seeded run decides the same every time.

import { type InstanceLoad, type LoadReport, metricOf } from "./loadReport.js";
import { reportsNeeded, type ScalingPolicy, type ScalingRule } from "./scalingPolicy.js";

/** How long an instance has met a rule. */
interface Streak {
  readonly operator: number;
  readonly reports: number;
}

/** What the detector asks for. */
export interface ScalingDecision {
  readonly atMs: number;
  readonly action: "scaleOut" | "scaleIn";
  readonly operator: number;
  /** scaleOut: the instance to split; scaleIn: the two instances to merge. */
  readonly instances: readonly number[];
  /** Instances the split makes (scale out), or 1 (scale in). */
  readonly factor: number;
  /** Index of the rule that fired in the policy. */
  readonly rule: number;
  /** The metric's value that decided (the instance's; for scale in, the operator's highest). */
  readonly value: number;
  /** Why it cannot be carried out: the rule's VM budget is spent (null: it can). */
  readonly blockedBy: "maxVms" | null;
}

/** What the detector knows of the plan when it decides. */
export interface PlanView {
  /** The operator's name, and whether it may scale (sources and sinks do not). */
  operatorName(operator: number): string;
  scalable(operator: number): boolean;
  /** The operator's live instances, in key-group order (neighbours can merge). */
  instancesOf(operator: number): readonly number[];
  /** VMs in use now. */
  vmsInUse(): number;
}

/** Reads load reports and decides scalings by a policy. */
export class BottleneckDetector {
  /** Per rule: instance -> its operator and the consecutive reports meeting the rule. */
  private readonly streaks: Map<number, Streak>[];
  /** Operator -> time of its last scaling. */
  private readonly lastScaledAtMs = new Map<number, number>();

  constructor(readonly policy: ScalingPolicy) {
    this.streaks = policy.rules.map(() => new Map());
  }

  /** Take in one report; returns the scaling to carry out now (at most one), and any blocked ones. */
  observe(report: LoadReport, plan: PlanView): ScalingDecision[] {
    const byOperator = new Map<number, InstanceLoad[]>();
    for (const l of [...report.instances].sort((a, b) => a.instance - b.instance)) {
      if (!plan.scalable(l.operator)) continue;
      const list = byOperator.get(l.operator);
      if (list === undefined) byOperator.set(l.operator, [l]);
      else list.push(l);
    }
    for (let r = 0; r < this.policy.rules.length; r++) {
      this.count(this.policy.rules[r], r, byOperator, report, plan);
    }
    // Per operator, the first rule that fires. The runtimes carry out one scaling at a
    // time, so only the most urgent is asked for (a scale out before a scale in, then the
    // highest metric against its threshold); the others keep their streaks and cooldowns
    // and come up again at the next report. Blocked ones are all reported (for shedding).
    const candidates: ScalingDecision[] = [];
    const vms = plan.vmsInUse();
    for (const operator of [...byOperator.keys()].sort((a, b) => a - b)) {
      const last = this.lastScaledAtMs.get(operator);
      if (last !== undefined && report.atMs - last < this.policy.cooldownMs) continue;
      for (let r = 0; r < this.policy.rules.length; r++) {
        const d = this.decide(r, operator, byOperator.get(operator)!, report, plan, vms);
        if (d === null) continue;
        candidates.push(d);
        break;
      }
    }
    const urgency = (d: ScalingDecision) =>
      d.action === "scaleIn" ? -1 : d.value / Math.max(this.policy.rules[d.rule].threshold, 1e-9);
    let chosen: ScalingDecision | null = null;
    for (const d of candidates) {
      if (d.blockedBy === null && (chosen === null || urgency(d) > urgency(chosen))) chosen = d;
    }
    const decisions = candidates.filter((d) => d.blockedBy !== null || d === chosen);
    if (chosen !== null) this.scaled(chosen.operator, report.atMs);
    return decisions;
  }

  /** Record that `operator` was scaled at `atMs` (the detector's own decisions are recorded already). */
  scaled(operator: number, atMs: number): void {
    this.lastScaledAtMs.set(operator, atMs);
    for (const streak of this.streaks) {
      for (const [id, s] of [...streak]) if (s.operator === operator) streak.delete(id);
    }
  }

  private count(
    rule: ScalingRule,
    r: number,
    byOperator: ReadonlyMap<number, readonly InstanceLoad[]>,
    report: LoadReport,
    plan: PlanView,
  ): void {
    const next = new Map<number, Streak>();
    const before = this.streaks[r];
    for (const [operator, loads] of byOperator) {
      if (rule.operator !== null && plan.operatorName(operator) !== rule.operator) continue;
      for (const l of loads) {
        const v = metricOf(rule.metric, l, report.intervalMs);
        const met = rule.action === "scaleOut" ? v > rule.threshold : v < rule.threshold;
        if (met) next.set(l.instance, { operator, reports: (before.get(l.instance)?.reports ?? 0) + 1 });
      }
    }
    // Instances absent from the report, or not meeting the rule, start again from zero.
    this.streaks[r] = next;
  }

  private decide(
    r: number,
    operator: number,
    loads: readonly InstanceLoad[],
    report: LoadReport,
    plan: PlanView,
    vms: number,
  ): ScalingDecision | null {
    const rule = this.policy.rules[r];
    if (rule.operator !== null && plan.operatorName(operator) !== rule.operator) return null;
    const need = reportsNeeded(rule, report.intervalMs);
    const streak = this.streaks[r];
    const value = (l: InstanceLoad) => metricOf(rule.metric, l, report.intervalMs);
    if (rule.action === "scaleOut") {
      // The most loaded instance among those that have been hot long enough.
      let hot: InstanceLoad | null = null;
      for (const l of loads) {
        if ((streak.get(l.instance)?.reports ?? 0) < need) continue;
        if (hot === null || value(l) > value(hot)) hot = l;
      }
      if (hot === null) return null;
      return {
        atMs: report.atMs,
        action: "scaleOut",
        operator,
        instances: [hot.instance],
        factor: rule.factor,
        rule: r,
        value: value(hot),
        blockedBy: vms + rule.factor - 1 > rule.maxVms ? "maxVms" : null,
      };
    }
    const live = plan.instancesOf(operator);
    if (live.length < 2 || loads.length !== live.length) return null;
    if (loads.some((l) => (streak.get(l.instance)?.reports ?? 0) < need)) return null;
    // Merge the neighbours (in key-group order) with the least load together.
    const load = new Map(loads.map((l) => [l.instance, value(l)]));
    let best = 0;
    for (let i = 1; i + 1 < live.length; i++) {
      const pair = load.get(live[i])! + load.get(live[i + 1])!;
      if (pair < load.get(live[best])! + load.get(live[best + 1])!) best = i;
    }
    return {
      atMs: report.atMs,
      action: "scaleIn",
      operator,
      instances: [live[best], live[best + 1]],
      factor: 1,
      rule: r,
      value: Math.max(...load.values()),
      blockedBy: null,
    };
  }
}
