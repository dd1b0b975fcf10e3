// Load reports of a real run: what each instance did over one reporting interval, from its
// worker's heartbeats (each says, per hosted instance and incarnation, the wall-clock ms its
// turns took and the tuples of the batches it processed, in totals since it was deployed,
// and its queue now). An interval counts what the totals grew by in it, so a heartbeat
// whose reply was lost (a deadline missed on a busy machine) loses nothing.
// The coordinator takes a report every `scaling.reportIntervalMs` of run time for the
// elasticity controller, as the simulator does from its hosts' counters.
//
// Units: the report's interval is the nominal one, in run time (so a rule's `forMs` counts
// the same reports as in the simulator, whatever the heartbeats' jitter); an instance's
// cpu is its busy wall time over the wall time the interval really took, and its busyMs
// is that share of the nominal interval (so capacity = busyMs / interval, as simulated).

import type { InstanceLoad, LoadReport } from "../engine/index.js";
import type { InstanceStats } from "./gen/seep/v1/seep.js";

/** Where an instance's live incarnation runs, as the coordinator knows it. */
export interface LiveInstance {
  readonly instance: number;
  readonly operator: number;
  readonly worker: number;
  readonly incarnation: number;
}

interface Sums {
  busyMs: number;
  processedTuples: number;
  queuedTuples: number;
}

/** Sums the heartbeats' per-instance stats into load reports. */
export class InstanceLoads {
  /** Per "instance/incarnation": the stats since the last report. */
  private sums = new Map<string, Sums>();
  /** Per "instance/incarnation": the largest totals heard (replies may cross). */
  private readonly totals = new Map<string, { busyMs: number; processedTuples: number }>();
  /** Per "instance/incarnation": the tuples it shed in total (the largest figure heard). */
  private readonly shed = new Map<string, number>();
  /** Incarnations live at the last report: only they have a whole interval to report. */
  private seen = new Set<string>();
  private lastWallMs: number | null = null;

  /** Take in the per-instance totals of one heartbeat. */
  add(stats: readonly InstanceStats[]): void {
    for (const s of stats) {
      const key = `${s.instance}/${s.incarnation}`;
      const total = this.totals.get(key) ?? { busyMs: 0, processedTuples: 0 };
      const busyMs = Math.max(0, s.busyMs - total.busyMs);
      const processedTuples = Math.max(0, s.processedTuples - total.processedTuples);
      total.busyMs = Math.max(total.busyMs, s.busyMs);
      total.processedTuples = Math.max(total.processedTuples, s.processedTuples);
      this.totals.set(key, total);
      const sums = this.sums.get(key);
      if (sums === undefined) this.sums.set(key, { busyMs, processedTuples, queuedTuples: s.queuedTuples });
      else {
        sums.busyMs += busyMs;
        sums.processedTuples += processedTuples;
        sums.queuedTuples = s.queuedTuples;
      }
      this.shed.set(key, Math.max(this.shed.get(key) ?? 0, s.shedTuples));
    }
  }

  /**
   * The report of the interval ending now (run time `atMs`, wall time `wallMs`), over the
   * `live` incarnations that were live at the last report too and whose worker answered
   * meanwhile; then a new interval starts.
   */
  take(atMs: number, intervalMs: number, wallMs: number, live: readonly LiveInstance[]): LoadReport {
    const wallIntervalMs = this.lastWallMs === null ? 0 : wallMs - this.lastWallMs;
    this.lastWallMs = wallMs;
    const instances: InstanceLoad[] = [];
    const seen = new Set<string>();
    for (const l of live) {
      const key = `${l.instance}/${l.incarnation}`;
      seen.add(key);
      const s = this.sums.get(key);
      if (!this.seen.has(key) || s === undefined || wallIntervalMs <= 0) continue;
      const cpu = s.busyMs / wallIntervalMs;
      instances.push({
        instance: l.instance,
        operator: l.operator,
        vm: l.worker,
        cpu,
        queuedTuples: s.queuedTuples,
        processedTuples: s.processedTuples,
        busyMs: cpu * intervalMs,
      });
    }
    this.seen = seen;
    this.sums = new Map();
    return { atMs, intervalMs, instances };
  }

  /** Tuples the sources shed so far, as their heartbeats said. */
  get shedTuples(): number {
    let n = 0;
    for (const v of this.shed.values()) n += v;
    return n;
  }
}
