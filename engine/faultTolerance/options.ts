// The fault-tolerance strategies a run can choose, and their parameters. The strategies
// are protocols of the engine's coordinator (faultTolerance.ts) built on the four state
// primitives; runtimes only detect failures and hand out VMs.
//
//   none             failures are detected and reported; what the lost instances held is lost
//   rsm              SEEP's recovery using state management: periodic checkpoints backed up
//                    to an upstream instance, buffers trimmed on acks, restore + replay
//   upstream-backup  no checkpoints of state: upstreams keep their output buffers, trimmed
//                    only as far as the receivers' state horizons allow (their windows);
//                    a failed instance is rebuilt by replaying them with its output
//                    suppressed up to its last mark (positions only), then goes on
//   source-replay    no checkpoints, no buffers: the failed instances and everything upstream
//                    of them restart from their initial state and the sources replay
//   global-snapshot  SAND's scheme: the coordinator starts a global checkpoint at the sources,
//                    markers flow downstream, each instance checkpoints once every input's
//                    marker is in; output buffers are kept until the global checkpoint is
//                    complete; a failure rolls the failed instances and everything downstream
//                    of them back to the last complete one, and their upstreams replay

/** A fault-tolerance strategy. */
export type FtStrategy = "none" | "rsm" | "upstream-backup" | "source-replay" | "global-snapshot";

/** Every strategy, for schemas and CLI choices. */
export const FT_STRATEGIES: readonly FtStrategy[] = [
  "none",
  "rsm",
  "upstream-backup",
  "source-replay",
  "global-snapshot",
];

/** Where checkpoints are backed up. */
export type BackupPlacement =
  /** SEEP: at an upstream instance on another VM (at the coordinator when there is none). */
  | "upstream"
  /** At the coordinator, standing for a replicated store that survives VM failures. */
  | "store";

/** Parameters of a run's fault tolerance. */
export interface FaultToleranceOptions {
  readonly strategy: FtStrategy;
  /** Time between two checkpoints of every instance (rsm), two marks (upstream-backup), or two global snapshots. */
  readonly checkpointIntervalMs: number;
  readonly backupPlacement: BackupPlacement;
  /**
   * rsm: recover a failed instance onto this many new instances at once, each on a VM of
   * its own, by partitioning its checkpoint (SEEP's parallel recovery); 1: onto one.
   */
  readonly parallelRecovery?: number;
}

/** Defaults: SEEP's Linear Road runs checkpointed every 20-30 s; 5 s keeps replays short. */
export const DEFAULT_FAULT_TOLERANCE: FaultToleranceOptions = {
  strategy: "none",
  checkpointIntervalMs: 5_000,
  backupPlacement: "upstream",
};

/** True when the strategy replays output buffers, so sent output must be kept until acked. */
export function keepsOutputBuffers(strategy: FtStrategy): boolean {
  return strategy === "rsm" || strategy === "upstream-backup" || strategy === "global-snapshot";
}
