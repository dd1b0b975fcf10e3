// Linear Road's records and answers (Arasu et al., VLDB 2004), as the rest of the
// workload shares them: the 15 input fields in file order, the record types, the world's
// dimensions, and the output lines. An input record travels through the engine as one
// tuple whose numeric fields are the 15 fields in this order.

/** The fields of an input line, in file order. */
export const LR_FIELDS = [
  "type",
  "time",
  "vid",
  "spd",
  "xway",
  "lane",
  "dir",
  "seg",
  "pos",
  "qid",
  "sinit",
  "send",
  "dow",
  "tod",
  "day",
] as const;

/** Index of each field in a record row. */
export const F = Object.fromEntries(LR_FIELDS.map((name, i) => [name, i])) as {
  readonly [K in (typeof LR_FIELDS)[number]]: number;
};

/** Record types. */
export const RecordType = { position: 0, balance: 2, expenditure: 3, travelTime: 4 } as const;

/** The world. */
export const LR = {
  /** Segments per expressway and direction. */
  segments: 100,
  /** Feet per segment. */
  segmentFeet: 5280,
  /** Largest position, in feet. */
  maxPos: 527_999,
  /** Lanes: 0 entrance, 1-3 travel, 4 exit. */
  exitLane: 4,
  entranceLane: 0,
  /** Seconds between two reports of one car. */
  reportIntervalS: 30,
  /** A run's length, in seconds. */
  runS: 10_800,
  /** Days of history for type 3 queries. */
  historyDays: 69,
  /** Highest speed, mph. */
  maxSpeed: 100,
  /** Seconds within which an answer must leave the system. */
  deadlineS: 5,
} as const;

/** A toll notification: `0,VID,Time,Emit,LAV,Toll`. */
export interface TollNotification {
  readonly type: 0;
  readonly vid: number;
  readonly time: number;
  readonly emit: number;
  readonly lav: number;
  readonly toll: number;
}

/** An accident notification: `1,Time,Emit,Seg,VID,XWay,Dir` (VID, XWay and Dir added, as most implementations do). */
export interface AccidentNotification {
  readonly type: 1;
  readonly time: number;
  readonly emit: number;
  readonly seg: number;
  readonly vid: number;
  readonly xway: number;
  readonly dir: number;
}

/** An account balance answer: `2,Time,Emit,ResultTime,QID,Bal`. */
export interface BalanceAnswer {
  readonly type: 2;
  readonly time: number;
  readonly emit: number;
  readonly resultTime: number;
  readonly qid: number;
  readonly bal: number;
}

/** A daily expenditure answer: `3,Time,Emit,QID,Bal`. */
export interface ExpenditureAnswer {
  readonly type: 3;
  readonly time: number;
  readonly emit: number;
  readonly qid: number;
  readonly bal: number;
}

/** Any answer of the benchmark. */
export type LrAnswer = TollNotification | AccidentNotification | BalanceAnswer | ExpenditureAnswer;

/** The output line of an answer. */
export function formatAnswer(a: LrAnswer): string {
  switch (a.type) {
    case 0:
      return `0,${a.vid},${a.time},${a.emit},${a.lav},${a.toll}`;
    case 1:
      return `1,${a.time},${a.emit},${a.seg},${a.vid},${a.xway},${a.dir}`;
    case 2:
      return `2,${a.time},${a.emit},${a.resultTime},${a.qid},${a.bal}`;
    case 3:
      return `3,${a.time},${a.emit},${a.qid},${a.bal}`;
  }
}

/** Minute of a report: floor(time / 60) + 1. */
export function minuteOf(timeS: number): number {
  return Math.floor(timeS / 60) + 1;
}
