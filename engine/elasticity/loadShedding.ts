// Load shedding (ETRI's QoS rule): while a scale out is blocked by the VM budget, the
// sources drop an evenly spread share of their tuples, raised towards what brings the
// hottest blocked instance under its rule's threshold and never above the acceptable
// rate; once every instance is well under (80% of the lowest threshold), the share is
// halved, and dropped below 1%. The rate is a pure function of the decisions and reports
// seen; the runtime tells the sources (the `shed` control message).

import type { ScalingDecision } from "./bottleneckDetector.js";
import type { LoadReport } from "./loadReport.js";
import type { ScalingRule } from "./scalingPolicy.js";

/** The share of their tuples the sources should drop, from one report to the next. */
export class LoadShedder {
  /** The share dropped now. */
  rate = 0;

  constructor(
    /** Never shed more than this share (0: never shed). */
    private readonly maxRate: number,
    private readonly rules: readonly ScalingRule[],
  ) {}

  /** The new rate after this report's decisions (it is taken on); null when it is unchanged. */
  next(decisions: readonly ScalingDecision[], report: LoadReport): number | null {
    if (this.maxRate === 0) return null;
    let rate = this.rate;
    const blocked = decisions.filter((d) => d.blockedBy !== null);
    if (blocked.length > 0) {
      for (const d of blocked) {
        const keep = (1 - rate) * (this.rules[d.rule].threshold / d.value);
        rate = Math.max(rate, 1 - keep);
      }
      rate = Math.min(this.maxRate, rate);
    } else if (rate > 0) {
      const threshold = Math.min(...this.rules.map((r) => r.threshold));
      if (report.instances.every((l) => l.cpu < 0.8 * threshold)) rate = rate / 2 < 0.01 ? 0 : rate / 2;
    }
    if (rate === this.rate) return null;
    this.rate = rate;
    return rate;
  }
}
