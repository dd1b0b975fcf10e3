// The expected answers of a Linear Road input: a deliberately plain, single-threaded
// reading of workloads/linearRoad/README.md, sharing no code with the engine's queries
// (queries/), so that the two can only agree by both following the page. The input is
// streamed once in time order; per-car state, the last six minutes of segment statistics
// and the accidents are kept in Maps. Rule numbers below are the README's.

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

/** Options of expectedAnswers. */
export interface ExpectedOptions {
  /** What to do with a bad input line (default "stop": throw the reader's LrInputError). */
  readonly onBadLine?: BadLinePolicy;
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

/** Reports in one place that make a car stopped. */
const STOPPED_REPORTS = 4;
/** Below this LAV, and above this NOV, a segment is tolled. */
const TOLL_LAV_BELOW = 40;
const TOLL_NOV_ABOVE = 50;

/** Every answer `inputPath` calls for, by answerKey; type 3 balances come from `tollsPath` (VID,Day,XWay,Toll). */
export function expectedAnswers(
  inputPath: string,
  tollsPath: string | null,
  options: ExpectedOptions = {},
): Map<string, Expected> {
  const expected = new Map<string, Expected>();
  const cars = new Map<number, Car>();
  const stats = new SegmentStats();
  const accidents = new Accidents();
  const balanceQueries: { vid: number; time: number; qid: number; line: number }[] = [];
  const expenditureQueries: {
    vid: number;
    time: number;
    qid: number;
    xway: number;
    day: number;
    line: number;
  }[] = [];
  let reader: LrReader;
  try {
    reader = new LrReader(inputPath, { onBadLine: options.onBadLine ?? "stop" });
  } catch (err) {
    throw unreadable(inputPath, err);
  }

  /** Adds an answer; `line` is the triggering input line (the reader's current line unless told). */
  const expect = (answer: LrAnswer, valueKnown = true, line?: number): void => {
    const key = answerKey(answer);
    if (expected.has(key)) {
      const what =
        answer.type <= 1
          ? `car ${key.split(":")[1]} reports twice at time ${answer.time}`
          : `QID ${key.split(":")[1]} is used twice`;
      throw new LrFileError(
        inputPath,
        line ?? reader.stats().lines,
        `${what}: its answers cannot be told apart`,
      );
    }
    expected.set(key, { answer, valueKnown });
  };

  // Rule 7: a balance query sees every report with time <= its time, so it is answered
  // once the input has moved past its second (a report of the same second may follow it).
  const answerBalanceQueries = (): void => {
    for (const q of balanceQueries) {
      const bal = cars.get(q.vid)?.balance ?? 0;
      expect({ type: 2, time: q.time, emit: q.time, resultTime: q.time, qid: q.qid, bal }, true, q.line);
    }
    balanceQueries.length = 0;
  };

  const position = (r: Float64Array): void => {
    const [t, vid, spd] = [r[F.time], r[F.vid], r[F.spd]];
    const [xway, dir, seg, lane, pos] = [r[F.xway], r[F.dir], r[F.seg], r[F.lane], r[F.pos]];
    const m = minuteOf(t);
    const segment = segmentKey(xway, dir, seg);
    stats.add(m, segment, vid, spd);

    // Rules 2 and 3: stopped cars and accidents.
    const car = cars.get(vid);
    const samePlace =
      car !== undefined && car.xway === xway && car.dir === dir && car.lane === lane && car.pos === pos;
    const reportsHere = samePlace ? car.reportsHere + 1 : 1;
    if (car !== undefined && !samePlace && car.reportsHere >= STOPPED_REPORTS)
      accidents.move(vid, car.xway, car.dir, car.pos, t);
    if (reportsHere === STOPPED_REPORTS) accidents.stop(vid, xway, dir, pos, t);

    // Rules 4, 5 and 6: segment entry, notifications, charging.
    const entry = car === undefined || car.xway !== xway || car.dir !== dir || car.seg !== seg;
    let pendingToll = car?.pendingToll ?? null;
    let balance = car?.balance ?? 0;
    if (entry) {
      balance += pendingToll ?? 0;
      pendingToll = null;
      if (lane !== LR.exitLane) {
        const accidentSeg = accidents.ahead(xway, dir, seg, m);
        const lav = stats.lav(segment, m);
        const nov = stats.nov(segment, m);
        let toll = 0;
        if (accidentSeg !== null) {
          expect({ type: 1, time: t, emit: t, seg: accidentSeg, vid, xway, dir });
        } else if (lav < TOLL_LAV_BELOW && nov > TOLL_NOV_ABOVE) {
          toll = 2 * (nov - TOLL_NOV_ABOVE) ** 2;
        }
        expect({ type: 0, vid, time: t, emit: t, lav, toll });
        pendingToll = toll;
      }
    }
    cars.set(vid, { xway, dir, seg, lane, pos, reportsHere, pendingToll, balance });
  };

  const row = new Float64Array(F.day + 1);
  try {
    while (reader.next(row)) {
      const time = row[F.time];
      if (balanceQueries.length > 0 && time > balanceQueries[0].time) answerBalanceQueries();
      switch (row[F.type]) {
        case RecordType.position:
          position(row);
          break;
        case RecordType.balance:
          balanceQueries.push({ vid: row[F.vid], time, qid: row[F.qid], line: reader.stats().lines });
          break;
        case RecordType.expenditure:
          expenditureQueries.push({
            vid: row[F.vid],
            time,
            qid: row[F.qid],
            xway: row[F.xway],
            day: row[F.day],
            line: reader.stats().lines,
          });
          break;
        default:
          break; // rule 9: travel time (type 4) is not answered
      }
    }
    answerBalanceQueries();
  } finally {
    reader.close();
  }

  // Rule 8: daily expenditure, from the historical tolls.
  const wanted = new Set(expenditureQueries.map((q) => tollsKey(q.vid, q.day, q.xway)));
  const tolls = tollsPath === null ? null : readTollsTable(tollsPath, wanted);
  for (const q of expenditureQueries) {
    const bal = tolls?.get(tollsKey(q.vid, q.day, q.xway)) ?? 0;
    expect({ type: 3, time: q.time, emit: q.time, qid: q.qid, bal }, tolls !== null, q.line);
  }
  return expected;
}
