// Segment statistics for the reference answers (README rule 1): per (XWay, Dir, Seg) and
// minute, the distinct cars and the sum and count of speeds of the reports. NOV(m) reads
// minute m-1 and LAV(m) minutes m-5 .. m-1, so only the last six minutes are kept.

/** The key of a segment: (XWay * 2 + Dir) * 100 + Seg, a number, as this is looked up for every report. */
export function segmentKey(xway: number, dir: number, seg: number): number {
  return (xway * 2 + dir) * 100 + seg;
}

/** What one segment saw in one minute. */
interface MinuteOfSegment {
  readonly cars: Set<number>;
  speedSum: number;
  reports: number;
}

/** Reports counted per segment and minute, with NOV and LAV read off them. */
export class SegmentStats {
  /** minute -> segment key -> counts. */
  private readonly minutes = new Map<number, Map<number, MinuteOfSegment>>();

  /** Counts a report of car `vid` at speed `spd` in segment `seg` during minute `minute`. */
  add(minute: number, seg: number, vid: number, spd: number): void {
    let bySegment = this.minutes.get(minute);
    if (bySegment === undefined) {
      bySegment = new Map();
      this.minutes.set(minute, bySegment);
      for (const old of this.minutes.keys()) if (old < minute - 5) this.minutes.delete(old);
    }
    let s = bySegment.get(seg);
    if (s === undefined) {
      s = { cars: new Set(), speedSum: 0, reports: 0 };
      bySegment.set(seg, s);
    }
    s.cars.add(vid);
    s.speedSum += spd;
    s.reports++;
  }

  /** NOV(m): distinct cars in `seg` during minute m-1. */
  nov(seg: number, m: number): number {
    return this.minutes.get(m - 1)?.get(seg)?.cars.size ?? 0;
  }

  /** LAV(m): mean speed of the reports in `seg` during minutes m-5 .. m-1, rounded half up; 0 without reports. */
  lav(seg: number, m: number): number {
    let sum = 0;
    let count = 0;
    for (let k = m - 5; k <= m - 1; k++) {
      const s = this.minutes.get(k)?.get(seg);
      if (s === undefined) continue;
      sum += s.speedSum;
      count += s.reports;
    }
    // floor(sum / count + 1/2) in integers, so that a mean of exactly x.5 rounds up without float doubt
    return count === 0 ? 0 : Math.floor((2 * sum + count) / (2 * count));
  }
}
