// A seeded, streaming Linear Road input generator: position reports of cars entering,
// driving and leaving L expressways, accidents, re-entries, and type 2 / type 3 queries,
// in non-decreasing Time. One alea stream drives every choice, so a seed gives the same
// records. Memory depends on the cars on the road, never on the duration: per-car state
// lives in typed arrays indexed by slot, and since every car reports every 30 s each car
// stays in one of 30 per-second buckets (a time wheel) from entry to exit.
//
// Simplifications against the original MITSIM-based generator:
// - cars do not interact except through density: a car's speed is its free speed scaled
//   down by the number of cars in its segment (traffic.ts); no lane changes, no queues
//   behind an accident;
// - a trip enters at a uniformly drawn segment, drives 5..60 segments (clipped at the end
//   of the road) in one travel lane, and reports once in the exit lane of its last segment;
// - an accident is made, not emergent: at seeded intervals one car stops where it is, and
//   the next car that would reach that spot from behind stops there too, both until the
//   same clear time (10-20 minutes later); a stop without a partner within 5 minutes stays
//   a lone breakdown;
// - a leaving car re-enters with probability 10%, exactly 15 minutes later, on another
//   expressway (the same one when L = 1);
// - queries follow a report of the asking car at the same Time; a type 3 query names the
//   expressway the historical table has for that (VID, Day) (historicalTolls.ts);
// - no type 4 (travel time) queries.
//
// Sampling (`sampleOneIn` n > 1, for simulations at reduced fidelity): only the cars whose
// VID a 1-in-n key sample keeps (`hashKey(vid) % n === 0`, as the engine samples) are
// simulated, n times fewer per expressway, each counting for n in its segment's density,
// so that speeds, jams and the rate per kept car stay those of the full road. The cost of
// a run falls by n; what a kept car reports is not the record it would have in the full
// stream (the draws differ), nor do accidents find a partner as often.

import seedrandom from "seedrandom";
import { hashKey } from "../../engine/index.js";
import { historyXway } from "./historicalTolls.js";
import { F, LR, RecordType } from "./schema.js";
import { feetPerReport, speedMph, targetCars } from "./traffic.js";

/** Options of a generator run. */
export interface LrGeneratorOptions {
  readonly seed: number;
  /** Expressways, L. */
  readonly xways: number;
  /** Event-time length of the run, seconds (default 10,800: three hours). */
  readonly durationS?: number;
  /**
   * Expressway x opens at x times this many seconds (0, the default: all at once); before
   * it opens it has no traffic. SEEP's scale-out experiment grew L over the run this way.
   */
  readonly xwayOpenEveryS?: number;
  /** Simulate only the cars a 1-in-this sample of VIDs keeps (default 1: every car). */
  readonly sampleOneIn?: number;
}

/** Expressways open at `timeS` when expressway x opens at x times `openEveryS` (0: all at once). */
export function openXways(timeS: number, xways: number, openEveryS: number): number {
  if (openEveryS <= 0) return xways;
  return Math.min(xways, Math.floor(timeS / openEveryS) + 1);
}

/** Share of reports followed by a type 2 (account balance) query. */
export const BALANCE_QUERY_SHARE = 0.005;
/** Share of reports followed by a type 3 (daily expenditure) query. */
export const EXPENDITURE_QUERY_SHARE = 0.001;
/** Chance that a leaving car comes back. */
export const REENTRY_SHARE = 0.1;
/** Seconds between a car's exit and its re-entry. */
export const REENTRY_DELAY_S = 900;

const WHEEL = LR.reportIntervalS;
const SEGS = LR.segments;
const TRIP_SEGS_MIN = 5;
const TRIP_SEGS_SPAN = 56;
const ACCIDENT_GAP_S_MIN = 900;
const ACCIDENT_GAP_S_SPAN = 1800;
const PARTNER_WAIT_S = 300;

/** Accident phase of an expressway: waiting for the next, seeking the first car, seeking its partner. */
const IDLE = 0;
const SEEK_FIRST = 1;
const SEEK_PARTNER = 2;

/** Streams Linear Road input records, one per `next` call, in non-decreasing Time. */
export class LrGenerator {
  /** Expressways. */
  readonly xways: number;
  /** Length of the run, seconds. */
  readonly durationS: number;
  /** Seconds between two expressways opening (0: all open at once). */
  readonly openEveryS: number;
  /** Cars kept: 1 in this many VIDs. */
  readonly sampleOneIn: number;
  private readonly rnd: () => number;
  private t = 0;
  private done = false;
  private cursor = 0;
  private nextVid = 0;
  private nextQid = 0;
  // A pending query (type 0 = none) follows the report just emitted.
  private pendingType = 0;
  private pendingVid = 0;
  // Per-car state, by slot.
  private cap = 0;
  private vid = new Int32Array(0);
  private xway = new Int32Array(0);
  private pos = new Int32Array(0);
  private stoppedUntilS = new Int32Array(0);
  private dir = new Uint8Array(0);
  private lane = new Uint8Array(0);
  private fresh = new Uint8Array(0);
  private exitSeg = new Uint8Array(0);
  private freeMph = new Uint8Array(0);
  private mph = new Uint8Array(0);
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  // The time wheel: cars reporting at seconds congruent to b mod 30.
  private readonly wheel: Int32Array[] = [];
  private readonly wheelLen = new Int32Array(WHEEL);
  // Per expressway and second of the window: cars still to enter; cars on the road.
  private readonly spawns: Int32Array;
  private readonly onRoad: Int32Array;
  // Cars per (xway, dir, seg).
  private readonly segCars: Int32Array;
  // Re-entries, a FIFO (exit times are non-decreasing, so due times are too).
  private reVid = new Int32Array(1024);
  private reDueS = new Int32Array(1024);
  private reXway = new Int32Array(1024);
  private reHead = 0;
  private reTail = 0;
  // Accidents, per expressway.
  private readonly accPhase: Uint8Array;
  private readonly accNextS: Int32Array;
  private readonly accDir: Uint8Array;
  private readonly accLane: Uint8Array;
  private readonly accPos: Int32Array;
  private readonly accClearS: Int32Array;
  private readonly accGiveUpS: Int32Array;

  constructor(o: LrGeneratorOptions) {
    if (!Number.isInteger(o.xways) || o.xways < 1) throw new RangeError(`xways must be >= 1, got ${o.xways}`);
    const durationS = o.durationS ?? LR.runS;
    if (!Number.isInteger(durationS) || durationS < 0) {
      throw new RangeError(`durationS must be an integer >= 0, got ${durationS}`);
    }
    this.xways = o.xways;
    this.durationS = durationS;
    const every = o.xwayOpenEveryS ?? 0;
    if (!Number.isInteger(every) || every < 0) {
      throw new RangeError(`xwayOpenEveryS must be an integer >= 0, got ${o.xwayOpenEveryS}`);
    }
    this.openEveryS = every;
    const oneIn = o.sampleOneIn ?? 1;
    if (!Number.isInteger(oneIn) || oneIn < 1) {
      throw new RangeError(`sampleOneIn must be an integer >= 1, got ${o.sampleOneIn}`);
    }
    this.sampleOneIn = oneIn;
    this.rnd = seedrandom.alea(`${o.seed}/linear-road`);
    const L = o.xways;
    for (let b = 0; b < WHEEL; b++) this.wheel.push(new Int32Array(64));
    this.spawns = new Int32Array(L * WHEEL);
    this.onRoad = new Int32Array(L);
    this.segCars = new Int32Array(L * 2 * SEGS);
    this.accPhase = new Uint8Array(L);
    this.accNextS = new Int32Array(L);
    this.accDir = new Uint8Array(L);
    this.accLane = new Uint8Array(L);
    this.accPos = new Int32Array(L);
    this.accClearS = new Int32Array(L);
    this.accGiveUpS = new Int32Array(L);
    for (let x = 0; x < L; x++) this.accNextS[x] = x * this.openEveryS + this.accidentGapS();
    this.grow(1024);
    if (durationS === 0) this.done = true;
    else this.startSecond(0);
  }

  /** Highest VID issued so far (-1 before the first car); final once `next` returned false. */
  get maxVid(): number {
    return this.nextVid - 1;
  }

  /** Fill `row` (15 fields, LR_FIELDS order, -1 where unused) with the next record; false at the end. */
  next(row: Float64Array): boolean {
    if (this.pendingType !== 0) {
      this.fillQuery(row);
      return true;
    }
    if (this.done) return false;
    for (;;) {
      const b = this.t % WHEEL;
      if (this.cursor < this.wheelLen[b]) {
        this.report(row, b);
        return true;
      }
      if (++this.t >= this.durationS) {
        this.done = true;
        return false;
      }
      this.startSecond(this.t);
    }
  }

  private startSecond(t: number): void {
    this.cursor = 0;
    const L = this.xways;
    const off = t % WHEEL;
    if (off === 0) this.planWindow(t);
    for (let x = 0; x < L; x++) {
      for (let n = this.spawns[x * WHEEL + off]; n > 0; n--) this.enter(this.takeVid(), x, t);
      this.spawns[x * WHEEL + off] = 0;
      if (this.accPhase[x] === IDLE && t >= this.accNextS[x]) this.accPhase[x] = SEEK_FIRST;
      if (this.accPhase[x] === SEEK_PARTNER && t >= this.accGiveUpS[x]) this.endAccidentSearch(x, t);
    }
    while (this.reHead < this.reTail && this.reDueS[this.reHead % this.reVid.length] <= t) {
      const i = this.reHead++ % this.reVid.length;
      this.enter(this.reVid[i], this.reXway[i], t);
    }
  }

  /** Spread over the next 30 s the cars each expressway needs to reach its target. */
  private planWindow(t: number): void {
    const target = Math.floor(targetCars(Math.min(t + WHEEL, this.durationS)) / this.sampleOneIn);
    for (let x = 0; x < this.xways; x++) {
      // Cars enter an expressway only once it is open (from the 30 s window it opens in).
      if (x * this.openEveryS >= t + WHEEL) continue;
      for (let n = target - this.onRoad[x]; n > 0; n--) {
        this.spawns[x * WHEEL + Math.floor(this.rnd() * WHEEL)]++;
      }
    }
  }

  /** The next VID, skipping those the sample leaves out. */
  private takeVid(): number {
    const n = this.sampleOneIn;
    if (n > 1) while (hashKey(this.nextVid) % n !== 0) this.nextVid++;
    return this.nextVid++;
  }

  /** Cars in segment `index` as the traffic model sees them (a kept car counts for its sample). */
  private density(index: number): number {
    return this.segCars[index] * this.sampleOneIn;
  }

  private enter(vid: number, x: number, t: number): void {
    const rnd = this.rnd;
    const s = this.allocSlot();
    const dir = rnd() < 0.5 ? 0 : 1;
    const trip = TRIP_SEGS_MIN + Math.floor(rnd() * TRIP_SEGS_SPAN);
    const seg = dir === 0 ? Math.floor(rnd() * (SEGS - 1)) : 1 + Math.floor(rnd() * (SEGS - 1));
    this.vid[s] = vid;
    this.xway[s] = x;
    this.dir[s] = dir;
    this.pos[s] = seg * LR.segmentFeet + Math.floor(rnd() * LR.segmentFeet);
    this.exitSeg[s] = dir === 0 ? Math.min(SEGS - 1, seg + trip) : Math.max(0, seg - trip);
    this.lane[s] = 1 + Math.floor(rnd() * 3);
    this.freeMph[s] = 60 + Math.floor(rnd() * (LR.maxSpeed - 59));
    this.fresh[s] = 1;
    this.stoppedUntilS[s] = 0;
    this.segCars[(x * 2 + dir) * SEGS + seg]++;
    this.onRoad[x]++;
    const b = t % WHEEL;
    if (this.wheelLen[b] === this.wheel[b].length) {
      const bigger = new Int32Array(this.wheel[b].length * 2);
      bigger.set(this.wheel[b]);
      this.wheel[b] = bigger;
    }
    this.wheel[b][this.wheelLen[b]++] = s;
  }

  /** Emit the report of the car at the cursor, move it, and take it off the road if it exits. */
  private report(row: Float64Array, b: number): void {
    const t = this.t;
    const s = this.wheel[b][this.cursor];
    const x = this.xway[s];
    const dir = this.dir[s];
    const segBase = (x * 2 + dir) * SEGS;
    let pos = this.pos[s];
    let seg = Math.floor(pos / LR.segmentFeet);
    let lane = this.lane[s];
    let mph: number;
    let exits = false;
    if (this.fresh[s] === 1) {
      this.fresh[s] = 0;
      lane = LR.entranceLane;
      mph = speedMph(this.freeMph[s], this.density(segBase + seg));
    } else if (t < this.stoppedUntilS[s]) {
      mph = 0;
    } else {
      const step = feetPerReport(this.mph[s]);
      let next = dir === 0 ? pos + step : pos - step;
      let stopsUntilS = 0;
      const phase = this.accPhase[x];
      if (phase === SEEK_PARTNER && this.isPartner(s, x, pos, next)) {
        next = this.accPos[x];
        this.lane[s] = lane = this.accLane[x];
        stopsUntilS = this.accClearS[x];
        this.endAccidentSearch(x, t);
      }
      const nextSeg = Math.floor(next / LR.segmentFeet);
      if (nextSeg !== seg) {
        this.segCars[segBase + seg]--;
        this.segCars[segBase + nextSeg]++;
      }
      pos = next;
      seg = nextSeg;
      if (seg === this.exitSeg[s]) {
        exits = true;
        lane = LR.exitLane;
        mph = speedMph(this.freeMph[s], this.density(segBase + seg));
      } else if (stopsUntilS > 0) {
        this.stoppedUntilS[s] = stopsUntilS;
        mph = 0;
      } else if (phase === SEEK_FIRST) {
        this.startAccident(s, x, t, pos);
        mph = 0;
      } else {
        mph = speedMph(this.freeMph[s], this.density(segBase + seg));
      }
    }
    this.pos[s] = pos;
    this.mph[s] = mph;
    row[F.type] = RecordType.position;
    row[F.time] = t;
    row[F.vid] = this.vid[s];
    row[F.spd] = mph;
    row[F.xway] = x;
    row[F.lane] = lane;
    row[F.dir] = dir;
    row[F.seg] = seg;
    row[F.pos] = pos;
    row[F.qid] = -1;
    row[F.sinit] = -1;
    row[F.send] = -1;
    row[F.dow] = -1;
    row[F.tod] = -1;
    row[F.day] = -1;
    const q = this.rnd();
    if (q < BALANCE_QUERY_SHARE) this.pendingType = RecordType.balance;
    else if (q < BALANCE_QUERY_SHARE + EXPENDITURE_QUERY_SHARE) this.pendingType = RecordType.expenditure;
    this.pendingVid = this.vid[s];
    if (exits) this.leave(s, b, segBase + seg);
    else this.cursor++;
  }

  private fillQuery(row: Float64Array): void {
    const type = this.pendingType;
    this.pendingType = 0;
    row.fill(-1);
    row[F.type] = type;
    row[F.time] = this.t;
    row[F.vid] = this.pendingVid;
    row[F.qid] = this.nextQid++;
    if (type === RecordType.expenditure) {
      const day = 1 + Math.floor(this.rnd() * LR.historyDays);
      row[F.day] = day;
      row[F.xway] = historyXway(this.pendingVid, day, this.xways);
    }
  }

  /** Take the car at the cursor off the road; the wheel's last car of this second fills its place. */
  private leave(s: number, b: number, segIndex: number): void {
    this.segCars[segIndex]--;
    this.onRoad[this.xway[s]]--;
    this.wheel[b][this.cursor] = this.wheel[b][--this.wheelLen[b]];
    this.freeSlots[this.freeCount++] = s;
    if (this.rnd() < REENTRY_SHARE) {
      this.scheduleReentry(this.vid[s], this.t + REENTRY_DELAY_S, this.reentryXway(this.xway[s]));
    }
  }

  private scheduleReentry(vid: number, dueS: number, x: number): void {
    if (this.reTail - this.reHead === this.reVid.length) {
      const n = this.reVid.length;
      const vids = new Int32Array(n * 2);
      const dues = new Int32Array(n * 2);
      const xs = new Int32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const j = (this.reHead + i) % n;
        vids[i] = this.reVid[j];
        dues[i] = this.reDueS[j];
        xs[i] = this.reXway[j];
      }
      this.reVid = vids;
      this.reDueS = dues;
      this.reXway = xs;
      this.reTail -= this.reHead;
      this.reHead = 0;
    }
    const i = this.reTail++ % this.reVid.length;
    this.reVid[i] = vid;
    this.reDueS[i] = dueS;
    this.reXway[i] = x;
  }

  /** An expressway other than `left` (the same one when L = 1), drawn uniformly. */
  private reentryXway(left: number): number {
    if (this.xways === 1) return left;
    return (left + 1 + Math.floor(this.rnd() * (this.xways - 1))) % this.xways;
  }

  /** Car `s` stops at `pos`: the first car of an accident. */
  private startAccident(s: number, x: number, t: number, pos: number): void {
    const clearS = t + 630 + Math.floor(this.rnd() * 571);
    this.stoppedUntilS[s] = clearS;
    this.accPhase[x] = SEEK_PARTNER;
    this.accDir[x] = this.dir[s];
    this.accLane[x] = this.lane[s];
    this.accPos[x] = pos;
    this.accClearS[x] = clearS;
    this.accGiveUpS[x] = t + PARTNER_WAIT_S;
  }

  /** Whether car `s`, moving from `from` to `to`, reaches the stopped car and does not exit before it. */
  private isPartner(s: number, x: number, from: number, to: number): boolean {
    if (this.dir[s] !== this.accDir[x]) return false;
    const at = this.accPos[x];
    const atSeg = Math.floor(at / LR.segmentFeet);
    if (this.accDir[x] === 0) return from < at && to >= at && this.exitSeg[s] > atSeg;
    return from > at && to <= at && this.exitSeg[s] < atSeg;
  }

  private endAccidentSearch(x: number, t: number): void {
    this.accPhase[x] = IDLE;
    this.accNextS[x] = t + this.accidentGapS();
  }

  private accidentGapS(): number {
    return ACCIDENT_GAP_S_MIN + Math.floor(this.rnd() * ACCIDENT_GAP_S_SPAN);
  }

  private allocSlot(): number {
    if (this.freeCount === 0) this.grow(this.cap * 2);
    return this.freeSlots[--this.freeCount];
  }

  private grow(cap: number): void {
    const old = this.cap;
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    this.vid = i32(this.vid);
    this.xway = i32(this.xway);
    this.pos = i32(this.pos);
    this.stoppedUntilS = i32(this.stoppedUntilS);
    this.dir = u8(this.dir);
    this.lane = u8(this.lane);
    this.fresh = u8(this.fresh);
    this.exitSeg = u8(this.exitSeg);
    this.freeMph = u8(this.freeMph);
    this.mph = u8(this.mph);
    const free = new Int32Array(cap);
    free.set(this.freeSlots.subarray(0, this.freeCount));
    for (let s = cap - 1; s >= old; s--) free[this.freeCount++] = s;
    this.freeSlots = free;
    this.cap = cap;
  }
}
