// What the fault-tolerance protocol counts over a run (summary.json's
// faultToleranceCounts): checkpoints asked, backups made, acks sent, and the recoveries
// of each kind. Reports and tests read them.

/** Checkpoints taken, backups made, acks sent (for reports and tests). */
export interface FaultToleranceCounts {
  checkpoints: number;
  backups: number;
  acks: number;
  rebackups: number;
  snapshots: number;
  rebuilds: number;
  parallelRecoveries: number;
  /** Parallel recoveries given up for one replacement (output lost in flight before the checkpoint). */
  parallelFallbacks: number;
}

/** All counts at zero, in the order summary.json lists them. */
export function newCounts(): FaultToleranceCounts {
  return {
    checkpoints: 0,
    backups: 0,
    acks: 0,
    rebackups: 0,
    snapshots: 0,
    rebuilds: 0,
    parallelRecoveries: 0,
    parallelFallbacks: 0,
  };
}
