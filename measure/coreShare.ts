// The share of a core that a run's local workers had while they were ready to run, from
// the scheduler's own accounting (/proc/<pid>/schedstat): on a machine shared with other
// processes, the speed at which a simulated VM standing for a worker runs (sim-vs-real).

import type { LocalProcessPool } from "../cloud/localProcessPool.js";
import type { CloudVm } from "../cloud/vmPool.js";

/** A worker's CPU time and its wait for a core so far (ms), as LocalProcessPool.schedStat gives them. */
type SchedStat = { readonly onCpuMs: number; readonly waitingMs: number };

/**
 * The share of a core a run's local workers had while they were ready to run: their CPU
 * time over their CPU time and their time waiting for a core, sampled from
 * /proc/<pid>/schedstat while the run runs (a worker's last sample is the last before it
 * exited). On a machine shared with other processes a simulated VM standing for a worker
 * runs at this speed.
 */
export class CoreShare {
  private readonly first = new Map<string, SchedStat>();
  private readonly last = new Map<string, SchedStat>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pool: LocalProcessPool,
    private readonly vms: () => readonly CloudVm[],
    everyMs = 20,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    for (const vm of this.vms()) {
      const s = this.pool.schedStat(vm);
      if (s === null) continue;
      if (!this.first.has(vm.id)) this.first.set(vm.id, s);
      this.last.set(vm.id, s);
    }
  }

  /** Stop sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Each worker's CPU ms and waiting ms between its first and last samples, and the share over all. */
  result(): { readonly onCpuMs: number[]; readonly waitingMs: number[]; readonly share: number } {
    const onCpuMs: number[] = [];
    const waitingMs: number[] = [];
    for (const [id, a] of this.first) {
      const b = this.last.get(id) as SchedStat;
      onCpuMs.push(b.onCpuMs - a.onCpuMs);
      waitingMs.push(b.waitingMs - a.waitingMs);
    }
    const on = onCpuMs.reduce((x, y) => x + y, 0);
    const waiting = waitingMs.reduce((x, y) => x + y, 0);
    return { onCpuMs, waitingMs, share: on + waiting === 0 ? 1 : on / (on + waiting) };
  }
}
