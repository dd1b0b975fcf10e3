// Accidents for the reference answers (README rules 2, 3 and the look-ahead of 5): which
// cars are stopped where, when two or more stopped cars at one (XWay, Dir, Pos) make an
// accident and when it clears, and which accident a car entering a segment is told about.
// Activity is decided by minutes only (detected before minute m, not cleared before
// minute m), so the order of the records within one second does not matter.

import { LR, minuteOf } from "../schema.js";

/** An accident: where it is, when it was detected, and when it cleared (null while it lasts). */
export interface Accident {
  readonly xway: number;
  readonly dir: number;
  readonly pos: number;
  readonly seg: number;
  readonly detectedTime: number;
  clearedTime: number | null;
}

/** How far ahead, in segments, an accident is looked for. */
const LOOK_AHEAD_SEGMENTS = 4;

/** Stopped cars and the accidents they make. */
export class Accidents {
  /** `XWay:Dir:Pos` -> the cars stopped there. */
  private readonly stopped = new Map<string, Set<number>>();
  /** `XWay:Dir:Pos` -> the accident there, while it lasts. */
  private readonly current = new Map<string, Accident>();
  /** XWay * 2 + Dir -> accidents still worth looking at (lasting, or cleared in a minute not yet over). */
  private readonly byRoad = new Map<number, Accident[]>();

  /** Car `vid` became stopped at (xway, dir, pos) at `time`; may detect an accident. */
  stop(vid: number, xway: number, dir: number, pos: number, time: number): void {
    const place = `${xway}:${dir}:${pos}`;
    let cars = this.stopped.get(place);
    if (cars === undefined) {
      cars = new Set();
      this.stopped.set(place, cars);
    }
    cars.add(vid);
    if (cars.size === 2) {
      const accident: Accident = {
        xway,
        dir,
        pos,
        seg: Math.floor(pos / LR.segmentFeet),
        detectedTime: time,
        clearedTime: null,
      };
      this.current.set(place, accident);
      const road = xway * 2 + dir;
      const list = this.byRoad.get(road);
      if (list === undefined) this.byRoad.set(road, [accident]);
      else list.push(accident);
    }
  }

  /** Car `vid`, stopped at (xway, dir, pos), moved at `time`; may clear an accident. */
  move(vid: number, xway: number, dir: number, pos: number, time: number): void {
    const place = `${xway}:${dir}:${pos}`;
    const cars = this.stopped.get(place);
    if (cars === undefined || !cars.delete(vid)) throw new Error(`car ${vid} was not stopped at ${place}`);
    if (cars.size === 1) {
      const accident = this.current.get(place)!;
      accident.clearedTime = time;
      this.current.delete(place);
    }
    if (cars.size === 0) this.stopped.delete(place);
  }

  /**
   * The segment of the nearest accident active in minute `m` within the look-ahead of a
   * car entering (xway, dir, seg), or null. Ties go to the lower segment.
   */
  ahead(xway: number, dir: number, seg: number, m: number): number | null {
    const road = xway * 2 + dir;
    const list = this.byRoad.get(road);
    if (list === undefined || list.length === 0) return null;
    const lo = dir === 0 ? seg : Math.max(0, seg - LOOK_AHEAD_SEGMENTS);
    const hi = dir === 0 ? Math.min(LR.segments - 1, seg + LOOK_AHEAD_SEGMENTS) : seg;
    let best: number | null = null;
    for (const a of list) {
      const active = minuteOf(a.detectedTime) < m && (a.clearedTime === null || m <= minuteOf(a.clearedTime));
      if (!active || a.seg < lo || a.seg > hi) continue;
      const d = Math.abs(a.seg - seg);
      if (best === null || d < Math.abs(best - seg) || (d === Math.abs(best - seg) && a.seg < best))
        best = a.seg;
    }
    // Forget accidents cleared before minute m: time only moves forward, they are never active again.
    if (list.some((a) => a.clearedTime !== null && minuteOf(a.clearedTime) < m)) {
      this.byRoad.set(
        road,
        list.filter((a) => a.clearedTime === null || minuteOf(a.clearedTime) >= m),
      );
    }
    return best;
  }
}
