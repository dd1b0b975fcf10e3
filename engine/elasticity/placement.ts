// Load-aware placement of a scale out's new instances: put each on the VM in use whose
// instances used the least CPU in the last load report, if that is under half its cores,
// and take a VM from the pool only when none has room (`scaling.placement: loadAware`);
// `pool` always takes one. A VM chosen for a part of the scale out under way is not
// chosen again for another part of it. Which VMs are in use, and their cores, is the
// runtime's to say (simulated VMs, or worker processes).

import type { LoadReport } from "./loadReport.js";

/** Where a scale out's new instances go: the least loaded VM with room, else the pool; or always the pool. */
export type PlacementPolicy = "loadAware" | "pool";

/** A VM in use that may take new instances, and the cores it has. */
export interface VmCores {
  readonly vm: number;
  readonly cores: number;
}

/** Chooses VMs in use for new instances from the last load report. */
export class LoadAwarePlacement {
  private lastReport: LoadReport | null = null;
  /** VMs chosen for the scale out under way (one new instance each). */
  private readonly reserved = new Set<number>();

  constructor(
    private readonly policy: PlacementPolicy,
    /** The VMs in use now, in a fixed order (ties go to the first). */
    private readonly vms: () => readonly VmCores[],
  ) {}

  /** Take in a report; the choices of a scale out no longer under way are forgotten. */
  observe(report: LoadReport, scalingBusy: boolean): void {
    this.lastReport = report;
    if (!scalingBusy) this.reserved.clear();
  }

  /**
   * The VM in use with the least CPU in the last report, if under half its cores and not
   * chosen for another part meanwhile (it is reserved now); null when there is none, no
   * report yet, or the policy is `pool`: take a VM from the pool.
   */
  choose(): number | null {
    const report = this.lastReport;
    if (this.policy === "pool" || report === null) return null;
    const load = new Map<number, number>();
    const cores = new Map<number, number>();
    for (const v of this.vms()) {
      load.set(v.vm, 0);
      cores.set(v.vm, v.cores);
    }
    for (const l of report.instances) if (load.has(l.vm)) load.set(l.vm, load.get(l.vm)! + l.cpu);
    let best: number | null = null;
    for (const [vm, cpu] of load) {
      if (this.reserved.has(vm) || cpu >= 0.5 * cores.get(vm)!) continue;
      if (best === null || cpu < load.get(best)!) best = vm;
    }
    if (best !== null) this.reserved.add(best);
    return best;
  }
}
