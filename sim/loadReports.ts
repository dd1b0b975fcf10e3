// Load reports of a simulated run: what each live instance did since the last report,
// read from its host's counters (virtual busy time, tuples processed) — what SEEP's VMs
// report to the bottleneck detector every few seconds.

import type { InstanceLoad, LoadReport } from "../engine/index.js";
import type { SimHost } from "./simHost.js";

/** Builds each interval's report from the hosts' counters. */
export class LoadReports {
  /** Per host: its counters at the last report. */
  private readonly last = new Map<SimHost, { busyMs: number; processedTuples: number }>();
  private lastAtMs = 0;

  /** The report of the interval ending at `atMs`, over the live, started instances of `hosts`. */
  take(atMs: number, hosts: readonly SimHost[]): LoadReport {
    const intervalMs = atMs - this.lastAtMs;
    this.lastAtMs = atMs;
    const instances: InstanceLoad[] = [];
    for (const h of hosts) {
      if (!h.alive) {
        this.last.delete(h);
        continue;
      }
      const before = this.last.get(h);
      this.last.set(h, { busyMs: h.busyMs, processedTuples: h.processedTuples });
      // An instance deployed since the last report is left out until it has a whole interval.
      if (before === undefined || intervalMs <= 0) continue;
      const busyMs = h.busyMs - before.busyMs;
      instances.push({
        instance: h.instance.id,
        operator: h.instance.operator.id,
        vm: h.vm.id,
        cpu: busyMs / intervalMs,
        queuedTuples: h.queuedTuples,
        processedTuples: h.processedTuples - before.processedTuples,
        busyMs,
      });
    }
    return { atMs, intervalMs, instances };
  }
}
