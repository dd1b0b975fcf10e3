// Scaling policies: small declarative rules, as an experiment file states them ("scale out
// by 2 when CPU is above 70% for 10 s, never above 50 VMs; scale in when below 20% for
// 60 s"). The defaults are SEEP's: reports every 5 s, a bottleneck is an instance above
// 70% CPU for two consecutive reports, and an operator is not scaled again within 30 s.

import type { LoadMetric } from "./loadReport.js";

/** One rule: when `metric` stays on one side of a threshold for `forMs`, act. */
export interface ScalingRule {
  /** The operator (by name) it watches; null: every operator but sources and sinks. */
  readonly operator: string | null;
  readonly metric: LoadMetric;
  /** scaleOut: split an instance that stays above `threshold` into `factor` instances. scaleIn: merge two instances of an operator all of whose instances stay below it. */
  readonly action: "scaleOut" | "scaleIn";
  readonly threshold: number;
  /** How long the condition must hold: this many ms of consecutive reports. */
  readonly forMs: number;
  /** Instances an instance is split into (scale out); at least 2. */
  readonly factor: number;
  /** Never more VMs than this in use (scale out). */
  readonly maxVms: number;
}

/** A run's scaling policy. */
export interface ScalingPolicy {
  /** Time between two load reports. */
  readonly reportIntervalMs: number;
  /** Least time between two scalings of the same operator. */
  readonly cooldownMs: number;
  readonly rules: readonly ScalingRule[];
}

/** SEEP's policy: scale out above 70% CPU for two reports of 5 s, in below 20% for a minute. */
export const DEFAULT_SCALING_POLICY: ScalingPolicy = {
  reportIntervalMs: 5_000,
  cooldownMs: 30_000,
  rules: [
    {
      operator: null,
      metric: "cpu",
      action: "scaleOut",
      threshold: 0.7,
      forMs: 10_000,
      factor: 2,
      maxVms: 50,
    },
    {
      operator: null,
      metric: "cpu",
      action: "scaleIn",
      threshold: 0.2,
      forMs: 60_000,
      factor: 2,
      maxVms: 50,
    },
  ],
};

/** Consecutive reports a rule needs (at least one). */
export function reportsNeeded(rule: ScalingRule, reportIntervalMs: number): number {
  return Math.max(1, Math.ceil(rule.forMs / reportIntervalMs - 1e-9));
}
