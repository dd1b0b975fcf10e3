// How a worker knows that its coordinator is gone, so that no worker outlives its run
// (a `kill -9` of `seep run` must not leave workers busy forever, nor an EC2 instance
// billed). Two watches, either of which ends the worker:
// - a lease: every call from the coordinator renews it (heartbeats come every 500 ms in a
//   run; idle workers waiting in a pool get keep-alive calls), and a worker without one
//   for `leaseMs` is orphaned. Default 30 s, generous for a busy machine;
// - for a local worker, its coordinator's process: when that process is gone (it no longer
//   exists, or this worker was reparented) the worker is orphaned at the next check, every
//   second.
// A check that runs late because the event loop was blocked (a long GC, a starved
// process) does not expire the lease: the calls that renew it may be waiting behind the
// block, so the decision waits for the next check, after they are read.
// The clock and the process probes are injected, so tests drive a lease without waiting.
//
// Under high availability (a run with a standby coordinator, `seep worker --ha`) a worker
// must outlive its coordinator's process, so that the standby can take over the run with the
// same workers still processing: the watch on that process is off, and the lease is longer,
// DEFAULT_HA_LEASE_MS (60 s) unless set (--lease-ms, SEEP_HA_LEASE_MS). A takeover takes the
// old leader's ZooKeeper session to expire (10 s by default, cloud/ha/zkSession.ts), then
// the election, the new leader's reading of the run's record and its first call to each
// worker, on a machine that may be as busy as the one that made 30 s the lease without HA:
// 60 s leaves that takeover the same margin. Only a run with no coordinator at all for
// that long ends its workers. A run without HA is as before.

import { msFromEnv } from "./timeouts.js";

/** The lease a worker gives its coordinator by default, in ms (`seep worker --lease-ms`, SEEP_LEASE_MS). */
export const DEFAULT_LEASE_MS = 30_000;

/** The lease a worker of a run with HA gives its coordinator by default, in ms (`seep worker --ha`). */
export const DEFAULT_HA_LEASE_MS = 60_000;

/** The environment variable that overrides the lease of a worker of a run with HA (ms; 0: no lease). */
export const HA_LEASE_ENV = "SEEP_HA_LEASE_MS";

/** How often a worker checks its lease and its coordinator's process, in ms (at most). */
export const PARENT_CHECK_MS = 1_000;

/** The environment variable that overrides the lease (ms; 0: no lease). */
export const LEASE_ENV = "SEEP_LEASE_MS";

/** The environment variable by which a local pool tells its workers the coordinator's pid. */
export const COORDINATOR_PID_ENV = "SEEP_COORDINATOR_PID";

/** The exit code of a worker that found itself orphaned. */
export const ORPHANED_EXIT_CODE = 3;

/** The clock and timer a lease runs on; tests pass a manual one. */
export interface LeaseClock {
  /** Milliseconds on a monotonic clock. */
  nowMs(): number;
  /** Calls `tick` every `periodMs` until the returned function is called. */
  every(periodMs: number, tick: () => void): () => void;
}

/** A real clock: performance.now and an unref'd interval (it never keeps a process alive). */
export const realLeaseClock: LeaseClock = {
  nowMs: () => performance.now(),
  every: (periodMs, tick) => {
    const timer = setInterval(tick, periodMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** Says why the coordinator's process is gone, or null while it is there. */
export type ParentProbe = () => string | null;

/** What a lease watches and what it does once the coordinator is gone. */
export interface CoordinatorLeaseOptions {
  /** A worker without a call from its coordinator for this long is orphaned; 0: no lease. */
  readonly leaseMs: number;
  /** The coordinator's process, for a local worker; absent: not watched. */
  readonly parent?: ParentProbe;
  readonly clock?: LeaseClock;
  /** The environment variable that sets the lease, named when it runs out (default SEEP_LEASE_MS). */
  readonly leaseEnv?: string;
  /** Called once, with a one-line reason, when the coordinator is found gone. */
  readonly onOrphaned: (reason: string) => void;
}

/** A worker's lease on its coordinator, and the watch on its coordinator's process. */
export class CoordinatorLease {
  private readonly clock: LeaseClock;
  /** The period of the checks: a second, or a quarter of a short lease. */
  readonly checkEveryMs: number;
  private renewedAtMs: number;
  private lastCheckMs: number;
  private stopTimer: (() => void) | null = null;
  private orphaned = false;

  constructor(private readonly options: CoordinatorLeaseOptions) {
    if (!Number.isFinite(options.leaseMs) || options.leaseMs < 0)
      throw new RangeError(`a lease must be a finite number of ms >= 0, got ${options.leaseMs}`);
    this.clock = options.clock ?? realLeaseClock;
    this.checkEveryMs =
      options.leaseMs === 0 ? PARENT_CHECK_MS : Math.min(PARENT_CHECK_MS, Math.max(10, options.leaseMs / 4));
    this.renewedAtMs = this.clock.nowMs();
    this.lastCheckMs = this.renewedAtMs;
  }

  /** Start checking; the lease runs from now (a worker nobody ever calls is orphaned too). */
  start(): this {
    if (this.stopTimer !== null || (this.options.leaseMs === 0 && this.options.parent === undefined))
      return this;
    this.renewedAtMs = this.clock.nowMs();
    this.lastCheckMs = this.renewedAtMs;
    this.stopTimer = this.clock.every(this.checkEveryMs, () => this.check());
    return this;
  }

  /** The coordinator called: the lease runs afresh from now. */
  renew(): void {
    this.renewedAtMs = this.clock.nowMs();
  }

  /** Stop checking (the worker is stopping anyway). */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
  }

  /** One check (the timer's tick): the coordinator's process, then the lease. */
  check(): void {
    if (this.orphaned) return;
    const now = this.clock.nowMs();
    const stalled = now - this.lastCheckMs > 2 * this.checkEveryMs;
    this.lastCheckMs = now;
    const gone = this.options.parent?.() ?? null;
    if (gone !== null) {
      this.orphan(gone);
      return;
    }
    const leaseMs = this.options.leaseMs;
    if (leaseMs === 0 || stalled) return;
    const silentMs = now - this.renewedAtMs;
    if (silentMs > leaseMs)
      this.orphan(
        `no call from the coordinator for ${Math.round(silentMs)} ms (lease ${leaseMs} ms, ` +
          `set by --lease-ms or ${this.options.leaseEnv ?? LEASE_ENV})`,
      );
  }

  private orphan(reason: string): void {
    this.orphaned = true;
    this.stop();
    this.options.onOrphaned(reason);
  }
}

/** What a parent probe needs of the process; injectable for tests. */
export interface ProcessView {
  /** The parent's pid now. */
  readonly ppid: () => number;
  /** process.kill(pid, 0): throws ESRCH when no such process exists. */
  readonly signal0: (pid: number) => void;
}

const realProcess: ProcessView = {
  ppid: () => process.ppid,
  signal0: (pid) => {
    process.kill(pid, 0);
  },
};

/**
 * A probe of the coordinator's process `pid`, as seen from a worker it started: gone once
 * no process has that pid, or once this process was reparented (its parent at the time of
 * the call died; checking the parent also catches a coordinator whose pid was reused).
 */
export function parentProbe(pid: number, view: ProcessView = realProcess): ParentProbe {
  const parentAtStart = view.ppid();
  return () => {
    if (view.ppid() !== parentAtStart)
      return `its parent process (pid ${parentAtStart}) is gone (reparented to pid ${view.ppid()})`;
    try {
      view.signal0(pid);
      return null;
    } catch (e) {
      // EPERM: it exists, as another user's process.
      return (e as NodeJS.ErrnoException).code === "ESRCH" ? `its coordinator (pid ${pid}) is gone` : null;
    }
  };
}

/** The lease workers are given: SEEP_LEASE_MS if set (0: none), else DEFAULT_LEASE_MS; a bad value is a TimeoutError. */
export function leaseMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(LEASE_ENV, DEFAULT_LEASE_MS, env, 0);
}

/** The lease workers of a run with HA are given: SEEP_HA_LEASE_MS if set (0: none), else DEFAULT_HA_LEASE_MS. */
export function haLeaseMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(HA_LEASE_ENV, DEFAULT_HA_LEASE_MS, env, 0);
}
