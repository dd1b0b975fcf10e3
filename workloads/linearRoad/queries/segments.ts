// The per-expressway operator (keyed by xway * 2 + dir): segment statistics (cars and
// speeds per segment and minute), cars stopped at each position, accidents, and from
// them the toll and accident notifications of every segment entry (README.md rules 1-5).
// Events are applied in event-time order (see heldEvents.ts). The statistics of a
// segment keep the last 6 minutes in a ring, which is all a toll needs.

import type { Batch, Operator, OperatorContext } from "../../../engine/index.js";
import { LR, minuteOf } from "../schema.js";
import {
  ACCOUNT_EVENT_FIELDS,
  AccountEventKind,
  SEGMENT_EVENT_FIELDS,
  SegmentEvent,
  SegmentEventKind,
} from "./events.js";
import { hold, takeDueAcross } from "./heldEvents.js";

const RING = 6;
const STRIDE = 1 + SEGMENT_EVENT_FIELDS;

/** The state of one expressway and direction: plain arrays, so clones and codecs are simple. */
export interface XwayDirState {
  /** Events not yet applied, flat (event time, then the SegmentEvent fields). */
  held: number[];
  /** Per segment and ring slot (seg * 6 + minute % 6): the slot's minute, speed sum, reports, cars. */
  statMinute: number[];
  statSpeed: number[];
  statReports: number[];
  statCars: number[];
  /** Positions with stopped cars, and how many are stopped at each. */
  stoppedPos: number[];
  stoppedCount: number[];
  /** Accidents: position, minute detected, minute cleared (-1 while not cleared). */
  accPos: number[];
  accDetected: number[];
  accCleared: number[];
}

/** A fresh expressway-direction state. */
export function newXwayDirState(): XwayDirState {
  const n = LR.segments * RING;
  return {
    held: [],
    statMinute: new Array(n).fill(-1),
    statSpeed: new Array(n).fill(0),
    statReports: new Array(n).fill(0),
    statCars: new Array(n).fill(0),
    stoppedPos: [],
    stoppedCount: [],
    accPos: [],
    accDetected: [],
    accCleared: [],
  };
}

/** A deep copy, for checkpoints taken while the state changes. */
export function cloneXwayDirState(s: XwayDirState): XwayDirState {
  return {
    held: [...s.held],
    statMinute: [...s.statMinute],
    statSpeed: [...s.statSpeed],
    statReports: [...s.statReports],
    statCars: [...s.statCars],
    stoppedPos: [...s.stoppedPos],
    stoppedCount: [...s.stoppedCount],
    accPos: [...s.accPos],
    accDetected: [...s.accDetected],
    accCleared: [...s.accCleared],
  };
}

/** Output ports of the segments operator. */
export const SegmentsPort = { answers: 0, accounts: 1 } as const;

const ORDER = [SegmentEvent.vid, SegmentEvent.kind];

/** The segments operator. */
export class Segments implements Operator<XwayDirState> {
  private readonly accRow = new Float64Array(ACCOUNT_EVENT_FIELDS);
  /** Events are whole seconds: release only when the watermark enters a new second. */
  private releasedThroughMs = Number.NEGATIVE_INFINITY;

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<XwayDirState>): void {
    const row = new Float64Array(SEGMENT_EVENT_FIELDS);
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i];
      let s = ctx.state.mutable(key);
      if (s === undefined) {
        s = newXwayDirState();
        ctx.state.set(key, s);
      }
      for (let f = 0; f < SEGMENT_EVENT_FIELDS; f++) row[f] = batch.fields[f][i];
      hold(s.held, batch.eventTimesMs[i], row, SEGMENT_EVENT_FIELDS);
    }
  }

  onWatermark(ctx: OperatorContext<XwayDirState>): void {
    const through = Math.ceil(ctx.eventTimeMs / 1000) * 1000;
    if (through <= this.releasedThroughMs) return;
    this.releasedThroughMs = through;
    const keys = [...ctx.state.keys()];
    const state = (key: number) => ctx.state.mutable(key)!;
    for (const d of takeDueAcross(keys, state, (s) => s.held, STRIDE, ctx.eventTimeMs, ORDER)) {
      this.apply(d.key, d.state, d.event, ctx);
    }
  }

  private apply(key: number, s: XwayDirState, e: number[], ctx: OperatorContext<XwayDirState>): void {
    const time = e[1 + SegmentEvent.time];
    const m = minuteOf(time);
    const pos = e[1 + SegmentEvent.pos];
    if (e[1 + SegmentEvent.kind] === SegmentEventKind.leftStop) {
      this.unstop(s, pos, m);
      return;
    }
    const seg = e[1 + SegmentEvent.seg];
    if (e[1 + SegmentEvent.entry] === 1) this.enter(key, s, e, m, ctx);
    // Statistics of minute m (they matter from minute m+1 on, so order within m does not).
    const slot = seg * RING + (m % RING);
    if (s.statMinute[slot] !== m) {
      s.statMinute[slot] = m;
      s.statSpeed[slot] = 0;
      s.statReports[slot] = 0;
      s.statCars[slot] = 0;
    }
    s.statSpeed[slot] += e[1 + SegmentEvent.spd];
    s.statReports[slot]++;
    s.statCars[slot] += e[1 + SegmentEvent.firstInMinute];
    if (e[1 + SegmentEvent.stops] === 1) this.stop(s, pos, m);
  }

  private enter(
    key: number,
    s: XwayDirState,
    e: number[],
    m: number,
    ctx: OperatorContext<XwayDirState>,
  ): void {
    const vid = e[1 + SegmentEvent.vid];
    const time = e[1 + SegmentEvent.time];
    const seg = e[1 + SegmentEvent.seg];
    const t = e[0];
    let toll = -1; // the exit lane: no notification, only the previous toll is charged
    if (e[1 + SegmentEvent.lane] !== LR.exitLane) {
      const dir = key % 2;
      const xway = (key - dir) / 2;
      const accSeg = this.accidentAhead(s, seg, dir, m);
      const lav = this.lav(s, seg, m);
      if (accSeg >= 0) {
        toll = 0;
        ctx.out(SegmentsPort.answers).emit(vid, t, { type: 1, time, seg: accSeg, vid, xway, dir });
      } else {
        const nov = this.nov(s, seg, m);
        toll = lav < 40 && nov > 50 ? 2 * (nov - 50) ** 2 : 0;
      }
      ctx.out(SegmentsPort.answers).emit(vid, t, { type: 0, vid, time, lav, toll });
    }
    const row = this.accRow;
    row[0] = AccountEventKind.entry;
    row[1] = time;
    row[2] = toll;
    ctx.out(SegmentsPort.accounts).emitRow(vid, t, row);
  }

  /** Cars of (seg) in minute m-1. */
  private nov(s: XwayDirState, seg: number, m: number): number {
    const slot = seg * RING + ((m - 1) % RING);
    return s.statMinute[slot] === m - 1 ? s.statCars[slot] : 0;
  }

  /** Mean speed in (seg) over minutes m-5 .. m-1, rounded half up; 0 without reports. */
  private lav(s: XwayDirState, seg: number, m: number): number {
    let sum = 0;
    let n = 0;
    for (let k = 1; k <= 5; k++) {
      const slot = seg * RING + ((((m - k) % RING) + RING) % RING);
      if (s.statMinute[slot] === m - k) {
        sum += s.statSpeed[slot];
        n += s.statReports[slot];
      }
    }
    return n === 0 ? 0 : Math.round(sum / n);
  }

  /** The segment of the nearest accident active in minute m within 4 segments ahead, or -1. */
  private accidentAhead(s: XwayDirState, seg: number, dir: number, m: number): number {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let a = 0; a < s.accPos.length; a++) {
      if (!(s.accDetected[a] < m && (s.accCleared[a] === -1 || m <= s.accCleared[a]))) continue;
      const accSeg = Math.floor(s.accPos[a] / LR.segmentFeet);
      const distance = dir === 0 ? accSeg - seg : seg - accSeg;
      if (distance < 0 || distance > 4) continue;
      if (distance < bestDistance || (distance === bestDistance && accSeg < best)) {
        best = accSeg;
        bestDistance = distance;
      }
    }
    return best;
  }

  private stop(s: XwayDirState, pos: number, m: number): void {
    let i = s.stoppedPos.indexOf(pos);
    if (i < 0) {
      i = s.stoppedPos.length;
      s.stoppedPos.push(pos);
      s.stoppedCount.push(0);
    }
    if (++s.stoppedCount[i] === 2) {
      s.accPos.push(pos);
      s.accDetected.push(m);
      s.accCleared.push(-1);
    }
  }

  private unstop(s: XwayDirState, pos: number, m: number): void {
    const i = s.stoppedPos.indexOf(pos);
    if (i < 0) return;
    if (--s.stoppedCount[i] === 1) {
      for (let a = 0; a < s.accPos.length; a++)
        if (s.accPos[a] === pos && s.accCleared[a] === -1) s.accCleared[a] = m;
    }
    if (s.stoppedCount[i] === 0) {
      s.stoppedPos.splice(i, 1);
      s.stoppedCount.splice(i, 1);
    }
    // Accidents cleared before this minute no longer matter.
    for (let a = s.accPos.length - 1; a >= 0; a--) {
      if (s.accCleared[a] !== -1 && s.accCleared[a] < m) {
        s.accPos.splice(a, 1);
        s.accDetected.splice(a, 1);
        s.accCleared.splice(a, 1);
      }
    }
  }
}
