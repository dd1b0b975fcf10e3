// The record of one reconfiguration of a run (scale out, migration or scale in), as
// summary.json reports it: what was asked and when, when the upstreams paused and
// resumed, or why it was refused before anything paused.

import type { InstanceSpec } from "../physicalPlan.js";

/** One scale out (or migration: a "scale out" into one instance on another VM), as summary.json reports it. */
export interface ScaleOutRecord {
  readonly kind: "scaleOut" | "migration" | "scaleIn";
  readonly operator: number;
  /** The instance split, and the instances it became (itself first). */
  readonly instance: number;
  /** Known once the parts are chosen (a scale out), or at once (a scale in). */
  instances: readonly number[];
  readonly requestedAtMs: number;
  /** When the upstreams were told to pause (its VMs were ready); the pause lasts until completedAtMs. */
  pausedAtMs: number | null;
  /** When the upstreams resumed: the scale out is done (null: never, the run ended first, or it was refused). */
  completedAtMs: number | null;
  /** Why it was given up before anything paused (no VM could be had); null: it was not. */
  refused: string | null;
}

/** The record of a reconfiguration of `spec` of `kind`, requested at `nowMs`. */
export function scaleOutRecord(
  kind: ScaleOutRecord["kind"],
  spec: InstanceSpec,
  instances: readonly number[],
  nowMs: number,
): ScaleOutRecord {
  return {
    kind,
    operator: spec.operator,
    instance: spec.id,
    instances,
    requestedAtMs: nowMs,
    pausedAtMs: null,
    completedAtMs: null,
    refused: null,
  };
}
