// The names of the kinds of fault schedule (faultSchedule.ts draws them), apart from the
// drawing so that the CLI can list and check them without loading the simulator.

/** The kinds of fault schedule, in the order seeds rotate through them. */
export const FAULT_KINDS = [
  "crash",
  "checkpoint-crash",
  "recovery-crash",
  "two-vms",
  "straggler",
  "straggler+crash",
  "partition",
  "partition+crash",
] as const;

/** Kinds aimed at the run's reconfigurations (for experiments that scale). */
export const RECONFIGURATION_KINDS = ["reconfiguration-crash", "reconfiguration+recovery-crash"] as const;

/** Every kind `--kinds` can name. */
export const ALL_FAULT_KINDS = [...FAULT_KINDS, ...RECONFIGURATION_KINDS] as const;

/** A kind of fault schedule. */
export type FaultKind = (typeof ALL_FAULT_KINDS)[number];
