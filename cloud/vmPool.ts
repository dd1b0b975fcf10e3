// The VM pool of the real runtime: where a run's workers come from. Two implementations
// share it, local worker processes on 127.0.0.1 (the default) and EC2 instances, so the
// coordinator never knows which one it runs on.

/** A VM (or local process) running a `seep worker`, ready for control calls. */
export interface CloudVm {
  /** Unique within the pool (an EC2 instance id, or "local-<n>"). */
  readonly id: string;
  /** host:port of its worker's gRPC server. */
  readonly address: string;
}

/** Where a run's workers come from. */
export interface VmPool {
  /** Start `n` VMs ahead of need; resolves when they are ready. */
  prewarm(n: number): Promise<void>;
  /** A ready VM: a prewarmed one if any, else a new one (resolves when it is ready). */
  acquire(): Promise<CloudVm>;
  /** Give a VM back: it is terminated. */
  release(vm: CloudVm): Promise<void>;
  /** Terminate every VM this pool started; idempotent; safe to call from a signal handler. */
  shutdown(): Promise<void>;
  /**
   * Ready VMs not handed out yet. Their workers get no calls from a run, so the run's
   * coordinator keeps their leases alive (cloud/poolKeepAlive.ts). Pools without leases leave it out.
   */
  idle?(): readonly CloudVm[];
  /**
   * Kill a VM's worker at once, as a crash would (fault injection: no goodbye, no cleanup).
   * False when it was not running. Pools that cannot do it leave it out.
   */
  kill?(vm: CloudVm): boolean;
  /**
   * Under coordinator failover: what a new leader needs to manage a VM another leader's pool
   * started (a local worker's pid), kept in the run's record. Pools that cannot hand a VM
   * over leave both out.
   */
  handOver?(vm: CloudVm): string | undefined;
  /** Take over the VM `vm`, started by another leader's pool, with what its `handOver` gave. */
  adopt?(vm: CloudVm, handle: string): void;
  /** A deposed leader's pool: leave every VM running, for the new leader, and hold on to nothing. */
  letGo?(): void;
}
