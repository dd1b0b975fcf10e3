// The expected answers of a Linear Road input: a deliberately plain, single-threaded
// reading of workloads/linearRoad/README.md, sharing no code with the engine's queries
// (queries/), so that the two can only agree by both following the page. The input is
// streamed once in time order and the answers come out as it goes, in the order of their
// Time (daily expenditures last: they need the tolls file, read once the input is done).
// What is kept: per-car state (every car seen: a balance never expires), the last six
// minutes of segment statistics, the accidents, and the daily expenditure queries. Rule
// numbers below are the README's.

import { type BadLinePolicy, LrReader } from "../reader.js";
import { F, LR, type LrAnswer, minuteOf, RecordType } from "../schema.js";
import { Accidents } from "./accidents.js";
import { answerKey } from "./answerKey.js";
import { LrFileError, unreadable } from "./fileError.js";
import { SegmentStats, segmentKey } from "./segmentStats.js";
import { readTollsTable, tollsKey } from "./tollsTable.js";

/** An answer the input calls for; its Emit is its Time (the ideal). */
export interface Expected {
  readonly answer: LrAnswer;
  /** False for a type 3 answer computed without a tolls file: only its presence and deadline can be checked. */
  readonly valueKnown: boolean;
}

/** Options of the reference. */
export interface ExpectedOptions {
  /** What to do with a bad input line (default "stop": throw the reader's LrInputError). */
  readonly onBadLine?: BadLinePolicy;
  /** Clamp position reports' speeds into 0..100 instead of refusing them (default false). */
  readonly clampSpeeds?: boolean;
}

/** What the reference remembers of a car. */
interface Car {
  xway: number;
  dir: number;
  seg: number;
  lane: number;
  pos: number;
  /** Consecutive reports at this (XWay, Dir, Lane, Pos), this one included; stopped from 4 (rule 2). */
  reportsHere: number;
  /** The toll of the last toll notification, until charged (rule 6). */
  pendingToll: number | null;
  balance: number;
}

/** A query waiting for its answer, with the input line that asked it. */
interface Query {
  readonly vid: number;
  readonly time: number;
  readonly qid: number;
  readonly line: number;
}

/** A daily expenditure query. */
interface ExpenditureQuery extends Query {
  readonly xway: number;
  readonly day: number;
}

/** Reports in one place that make a car stopped. */
const STOPPED_REPORTS = 4;
/** Below this LAV, and above this NOV, a segment is tolled. */
const TOLL_LAV_BELOW = 40;
const TOLL_NOV_ABOVE = 50;

/**
 * The answers an input file calls for, one at a time: types 0, 1 and 2 in non-decreasing
 * Time, then the daily expenditures (type 3; their balances from `tollsPath`, VID,Day,XWay,Toll).
 */
export class ReferenceAnswers {
  private readonly reader: LrReader;
  private readonly row = new Float64Array(F.day + 1);
  private readonly queue: Expected[] = [];
  private head = 0;
  private finished = false;
  private readonly cars = new Map<number, Car>();
  private readonly stats = new SegmentStats();
  private readonly accidents = new Accidents();
  private balanceQueries: Query[] = [];
  private readonly expenditureQueries: ExpenditureQuery[] = [];
  /** Keys of the notifications of the second being read, and of every query: no two answers may share one. */
  private readonly keysOfSecond = new Set<string>();
  private second = Number.NEGATIVE_INFINITY;
  private readonly queryKeys = new Set<string>();

  /** Opens the input (an LrFileError if it cannot be read). */
  constructor(
    readonly inputPath: string,
    private readonly tollsPath: string | null,
    options: ExpectedOptions = {},
  ) {
    try {
      this.reader = new LrReader(inputPath, {
        onBadLine: options.onBadLine ?? "stop",
        clampSpeeds: options.clampSpeeds ?? false,
      });
    } catch (err) {
      throw unreadable(inputPath, err);
    }
  }

  /** The next expected answer, or null when there are no more. */
  next(): Expected | null {
    while (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      if (!this.fill()) return null;
    }
    return this.queue[this.head++];
  }

  /** Cars seen so far (each is remembered to the end: its balance). */
  get carsSeen(): number {
    return this.cars.size;
  }

  /** Position reports whose speed was clamped into 0..100 so far (with `clampSpeeds`). */
  get clampedSpeeds(): number {
    return this.reader.stats().clamped;
  }

  /** Closes the input file. Safe to call twice. */
  close(): void {
    this.reader.close();
  }

  /** Reads records until some answer is due, or answers what is left at the end; false when none is. */
  private fill(): boolean {
    if (this.finished) return false;
    const row = this.row;
    const reader = this.reader;
    while (reader.next(row)) {
      const time = row[F.time];
      // Rule 7: a balance query sees every report with time <= its time, so it is answered
      // once the input has moved past its second (a report of the same second may follow it).
      if (time > this.second) {
        if (this.balanceQueries.length > 0) this.answerBalanceQueries();
        this.second = time;
        this.keysOfSecond.clear();
      }
      switch (row[F.type]) {
        case RecordType.position:
          this.position(row);
          break;
        case RecordType.balance:
          this.balanceQueries.push({ vid: row[F.vid], time, qid: row[F.qid], line: reader.line });
          break;
        case RecordType.expenditure:
          this.expenditureQueries.push({
            vid: row[F.vid],
            time,
            qid: row[F.qid],
            xway: row[F.xway],
            day: row[F.day],
            line: reader.line,
          });
          break;
        default:
          break; // rule 9: travel time (type 4) is not answered
      }
      if (this.queue.length > 0) return true;
    }
    this.finished = true;
    this.answerBalanceQueries();
    this.answerExpenditureQueries();
    return this.queue.length > 0;
  }

  /** Queues an answer; `line` is the input line that calls for it (two answers under one key are an error). */
  private expect(answer: LrAnswer, line: number, valueKnown = true): void {
    const key = answerKey(answer);
    const notification = answer.type === 0 || answer.type === 1;
    const keys = notification ? this.keysOfSecond : this.queryKeys;
    if (keys.has(key)) {
      const what = notification
        ? `car ${answer.vid} reports twice at time ${answer.time}`
        : `QID ${answer.qid} is used twice`;
      throw new LrFileError(this.inputPath, line, `${what}: its answers cannot be told apart`);
    }
    keys.add(key);
    this.queue.push({ answer, valueKnown });
  }

  private answerBalanceQueries(): void {
    for (const q of this.balanceQueries) {
      const bal = this.cars.get(q.vid)?.balance ?? 0;
      this.expect({ type: 2, time: q.time, emit: q.time, resultTime: q.time, qid: q.qid, bal }, q.line);
    }
    this.balanceQueries = [];
  }

  /** Rule 8: daily expenditure, from the historical tolls (only the rows the queries ask for are kept). */
  private answerExpenditureQueries(): void {
    const queries = this.expenditureQueries;
    if (queries.length === 0) return;
    const wanted = new Set(queries.map((q) => tollsKey(q.vid, q.day, q.xway)));
    const tolls = this.tollsPath === null ? null : readTollsTable(this.tollsPath, wanted);
    for (const q of queries) {
      const bal = tolls?.get(tollsKey(q.vid, q.day, q.xway)) ?? 0;
      this.expect({ type: 3, time: q.time, emit: q.time, qid: q.qid, bal }, q.line, tolls !== null);
    }
    queries.length = 0;
  }

  private position(r: Float64Array): void {
    const t = r[F.time];
    const vid = r[F.vid];
    const xway = r[F.xway];
    const dir = r[F.dir];
    const seg = r[F.seg];
    const lane = r[F.lane];
    const pos = r[F.pos];
    const m = minuteOf(t);
    const segment = segmentKey(xway, dir, seg);
    this.stats.add(m, segment, vid, r[F.spd]);

    // Rules 2 and 3: stopped cars and accidents.
    let car = this.cars.get(vid);
    const samePlace =
      car !== undefined && car.xway === xway && car.dir === dir && car.lane === lane && car.pos === pos;
    const reportsHere = car !== undefined && samePlace ? car.reportsHere + 1 : 1;
    if (car !== undefined && !samePlace && car.reportsHere >= STOPPED_REPORTS)
      this.accidents.move(vid, car.xway, car.dir, car.pos, t);
    if (reportsHere === STOPPED_REPORTS) this.accidents.stop(vid, xway, dir, pos, t);

    // Rule 4: a segment entry is a first report, a report in another segment, or a report in
    // the entrance lane after one in the exit lane (the car is back on the road: a new trip).
    const entry =
      car === undefined ||
      car.xway !== xway ||
      car.dir !== dir ||
      car.seg !== seg ||
      (lane === LR.entranceLane && car.lane === LR.exitLane);
    if (car === undefined) {
      car = { xway, dir, seg, lane, pos, reportsHere, pendingToll: null, balance: 0 };
      this.cars.set(vid, car);
    }
    if (entry) {
      // Rule 6: the previous notification's toll is charged at every entry, exit lane included.
      car.balance += car.pendingToll ?? 0;
      car.pendingToll = null;
      // Rule 5: notifications, but not in the exit lane.
      if (lane !== LR.exitLane) {
        const line = this.reader.line;
        const accidentSeg = this.accidents.ahead(xway, dir, seg, m);
        const lav = this.stats.lav(segment, m);
        const nov = this.stats.nov(segment, m);
        let toll = 0;
        if (accidentSeg !== null) {
          this.expect({ type: 1, time: t, emit: t, seg: accidentSeg, vid, xway, dir }, line);
        } else if (lav < TOLL_LAV_BELOW && nov > TOLL_NOV_ABOVE) {
          toll = 2 * (nov - TOLL_NOV_ABOVE) ** 2;
        }
        this.expect({ type: 0, vid, time: t, emit: t, lav, toll }, line);
        car.pendingToll = toll;
      }
    }
    car.xway = xway;
    car.dir = dir;
    car.seg = seg;
    car.lane = lane;
    car.pos = pos;
    car.reportsHere = reportsHere;
  }
}

/** Every answer `inputPath` calls for, by answerKey, in memory (small inputs and tests; validateFiles streams). */
export function expectedAnswers(
  inputPath: string,
  tollsPath: string | null,
  options: ExpectedOptions = {},
): Map<string, Expected> {
  const expected = new Map<string, Expected>();
  const reference = new ReferenceAnswers(inputPath, tollsPath, options);
  try {
    for (let e = reference.next(); e !== null; e = reference.next()) expected.set(answerKey(e.answer), e);
  } finally {
    reference.close();
  }
  return expected;
}
