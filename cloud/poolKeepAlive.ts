// The coordinator's side of the workers' leases for workers it has not taken yet: those a
// pool started ahead of need (prewarmed for a scheduled scale out, or up early while the
// rest of a prewarm still boots) get no heartbeat until a run takes them, so their leases
// would run out while they wait. A keep-alive call to each, several times per lease,
// renews it (cloud/coordinatorLease.ts). Workers a run has taken are kept alive by the
// run's own heartbeats, which carry stats and so are not sent to idle ones.

import type { Metadata } from "@grpc/grpc-js";
import type { ControlClient } from "./gen/seep/v1/seep.js";
import type { VmPool } from "./vmPool.js";

/** Keep-alive calls per lease: one or two may be lost or late without the lease running out. */
export const KEEP_ALIVES_PER_LEASE = 6;

/** The shortest period between keep-alive rounds (ms), whatever the lease. */
const PERIOD_MS_MIN = 100;

/** The period of the keep-alive rounds for workers given `leaseMs` (0: none needed). */
export function keepAlivePeriodMs(leaseMs: number): number | null {
  return leaseMs === 0 ? null : Math.max(PERIOD_MS_MIN, Math.floor(leaseMs / KEEP_ALIVES_PER_LEASE));
}

/** Keeps the leases of a pool's idle workers alive while a run is on. */
export class PoolKeepAlive {
  private readonly clients = new Map<string, ControlClient>();
  private timer: NodeJS.Timeout | null = null;
  /** Keep-alive calls made so far. */
  calls = 0;

  constructor(
    private readonly pool: VmPool,
    private readonly connect: (address: string) => ControlClient,
    private readonly metadata: Metadata,
    /** Between rounds; null: no round (the workers have no lease, or the pool has no idle list). */
    private readonly periodMs: number | null,
  ) {}

  /** Start the rounds. */
  start(): this {
    if (this.timer !== null || this.periodMs === null || this.pool.idle === undefined) return this;
    this.timer = setInterval(() => this.round(), this.periodMs);
    this.timer.unref();
    return this;
  }

  /** One round: a keep-alive call to every idle worker; clients of workers no longer idle are closed. */
  round(): void {
    const idle = this.pool.idle?.() ?? [];
    const addresses = new Set(idle.map((vm) => vm.address));
    for (const [address, client] of this.clients) {
      if (addresses.has(address)) continue;
      client.close();
      this.clients.delete(address);
    }
    for (const address of addresses) {
      let client = this.clients.get(address);
      if (client === undefined) {
        client = this.connect(address);
        this.clients.set(address, client);
      }
      this.calls++;
      // A failure is no matter: a worker that is gone is the pool's (or the run's) to notice.
      client.keepAlive({}, this.metadata, { deadline: Date.now() + (this.periodMs ?? 1000) }, () => {});
    }
  }

  /** Stop the rounds and close the clients. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
