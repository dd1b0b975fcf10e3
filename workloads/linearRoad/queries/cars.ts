// The per-car operator (keyed by VID): it remembers each car's last report, tells a
// segment entry (README.md rule 4: a new segment, or back on the road by the entrance
// lane after leaving by the exit lane), a car's first report in a segment in a minute and
// a car that has just stopped (4 reports at one place) or left a place where it was
// stopped, and passes that on to the operator of the car's expressway and direction.
// Balance queries go to the accounts; daily expenditure queries are answered here from
// the historical tolls.

import type { Batch, Operator, OperatorContext } from "../../../engine/index.js";
import { F, LR, minuteOf, RecordType } from "../schema.js";
import {
  AccountEventKind,
  SEGMENT_EVENT_FIELDS,
  SegmentEvent,
  SegmentEventKind,
  xwayDirKey,
} from "./events.js";

/** A car's last report: time, xway, dir, seg, lane, pos, and reports in a row at that place. */
export type CarState = [
  time: number,
  xway: number,
  dir: number,
  seg: number,
  lane: number,
  pos: number,
  same: number,
];

/** A copy of a car's state, for checkpoints. */
export const cloneCarState = (s: CarState): CarState => [...s] as CarState;

/** The historical toll of (vid, day, xway), 0 when it has none. */
export type TollLookup = (vid: number, day: number, xway: number) => number;

/** Output ports of the cars operator. */
export const CarsPort = { segments: 0, accounts: 1, answers: 2 } as const;

/** Reports in a row at one place that make a car stopped. */
const STOPPED_REPORTS = 4;

/** The cars operator. */
export class Cars implements Operator<CarState> {
  private readonly segRow = new Float64Array(SEGMENT_EVENT_FIELDS);
  private readonly accRow = new Float64Array(3);

  constructor(private readonly tolls: TollLookup) {}

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<CarState>): void {
    const f = batch.fields;
    for (let i = 0; i < batch.length; i++) {
      const type = f[F.type][i];
      if (type === RecordType.position) this.report(batch, i, ctx);
      else if (type === RecordType.balance) {
        const row = this.accRow;
        row[0] = AccountEventKind.query;
        row[1] = f[F.time][i];
        row[2] = f[F.qid][i];
        ctx.out(CarsPort.accounts).emitRow(f[F.vid][i], batch.eventTimesMs[i], row);
      } else if (type === RecordType.expenditure) {
        const vid = f[F.vid][i];
        const bal = this.tolls(vid, f[F.day][i], f[F.xway][i]);
        const answer = { type: 3, time: f[F.time][i], qid: f[F.qid][i], bal };
        ctx.out(CarsPort.answers).emit(vid, batch.eventTimesMs[i], answer);
      }
      // Type 4 (travel time) is not implemented: see README.md.
    }
  }

  private report(batch: Batch, i: number, ctx: OperatorContext<CarState>): void {
    const f = batch.fields;
    const vid = f[F.vid][i];
    const time = f[F.time][i];
    const xway = f[F.xway][i];
    const dir = f[F.dir][i];
    const seg = f[F.seg][i];
    const lane = f[F.lane][i];
    const pos = f[F.pos][i];
    const prev = ctx.state.mutable(vid);
    const t = batch.eventTimesMs[i];
    const samePlace =
      prev !== undefined && prev[1] === xway && prev[2] === dir && prev[4] === lane && prev[5] === pos;
    const same = samePlace ? prev[6] + 1 : 1;
    const sameSegment = prev !== undefined && prev[1] === xway && prev[2] === dir && prev[3] === seg;
    // Left by the exit lane and back by the entrance lane: a new trip, an entry even into the same segment.
    const reentry = prev !== undefined && prev[4] === LR.exitLane && lane === LR.entranceLane;
    const row = this.segRow;
    if (prev !== undefined && !samePlace && prev[6] >= STOPPED_REPORTS) {
      // The car leaves a place where it was stopped.
      row.fill(0);
      row[SegmentEvent.kind] = SegmentEventKind.leftStop;
      row[SegmentEvent.time] = time;
      row[SegmentEvent.vid] = vid;
      row[SegmentEvent.seg] = prev[3];
      row[SegmentEvent.lane] = prev[4];
      row[SegmentEvent.pos] = prev[5];
      ctx.out(CarsPort.segments).emitRow(xwayDirKey(prev[1], prev[2]), t, row);
    }
    row[SegmentEvent.kind] = SegmentEventKind.report;
    row[SegmentEvent.time] = time;
    row[SegmentEvent.vid] = vid;
    row[SegmentEvent.spd] = f[F.spd][i];
    row[SegmentEvent.seg] = seg;
    row[SegmentEvent.lane] = lane;
    row[SegmentEvent.pos] = pos;
    row[SegmentEvent.entry] = sameSegment && !reentry ? 0 : 1;
    // NOV counts distinct cars: a car back in the segment it left in the same minute is counted once.
    row[SegmentEvent.firstInMinute] = sameSegment && minuteOf(prev[0]) === minuteOf(time) ? 0 : 1;
    row[SegmentEvent.stops] = same === STOPPED_REPORTS ? 1 : 0;
    ctx.out(CarsPort.segments).emitRow(xwayDirKey(xway, dir), t, row);
    if (prev === undefined) ctx.state.set(vid, [time, xway, dir, seg, lane, pos, same]);
    else {
      prev[0] = time;
      prev[1] = xway;
      prev[2] = dir;
      prev[3] = seg;
      prev[4] = lane;
      prev[5] = pos;
      prev[6] = same;
    }
  }
}
