// Load reports: what each instance did over one reporting interval, as the runtimes
// gather it from their VMs (SEEP's VMs report every few seconds; 5 s in their runs). The
// bottleneck detector reads nothing else, so it runs unchanged under the simulator and
// on real workers.

/** What one instance did over one reporting interval. */
export interface InstanceLoad {
  readonly instance: number;
  readonly operator: number;
  /** The VM (worker) it runs on. */
  readonly vm: number;
  /** Share of one core it used over the interval (busy time / interval; may pass 1 on a slow VM's backlog). */
  readonly cpu: number;
  /** Tuples waiting at its input when the interval ended. */
  readonly queuedTuples: number;
  /** Tuples it processed in the interval. */
  readonly processedTuples: number;
  /** Time it spent processing them, in ms. */
  readonly busyMs: number;
}

/** The loads of every live instance over one interval ending at `atMs`. */
export interface LoadReport {
  readonly atMs: number;
  readonly intervalMs: number;
  readonly instances: readonly InstanceLoad[];
}

/** The metrics a scaling rule can watch. */
export type LoadMetric = "cpu" | "capacity" | "queuedTuples";

/**
 * Typhoon's capacity of an instance: tuples processed x their average processing time /
 * measurement time. Near 1 the instance is saturated whatever its VM's CPU reads (it
 * counts only processing, not the runtime's overhead around it).
 */
export function capacityOf(load: InstanceLoad, intervalMs: number): number {
  if (load.processedTuples === 0 || intervalMs <= 0) return 0;
  const meanMs = load.busyMs / load.processedTuples;
  return (load.processedTuples * meanMs) / intervalMs;
}

/** The value of `metric` for one instance's load. */
export function metricOf(metric: LoadMetric, load: InstanceLoad, intervalMs: number): number {
  switch (metric) {
    case "cpu":
      return load.cpu;
    case "capacity":
      return capacityOf(load, intervalMs);
    case "queuedTuples":
      return load.queuedTuples;
  }
}
