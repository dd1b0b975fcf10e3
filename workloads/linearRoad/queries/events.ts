// The tuples that flow between Linear Road's operators, as numeric rows (no object per
// tuple): what the per-car operator tells the per-expressway operator, and what both tell
// the accounts. Field positions are named here once.

/** cars -> segments, keyed by expressway and direction (xway * 2 + dir). */
export const SegmentEvent = {
  /** 0: the car left a place where it was stopped; 1: a position report. */
  kind: 0,
  time: 1,
  vid: 2,
  spd: 3,
  seg: 4,
  lane: 5,
  pos: 6,
  /** 1 for a segment entry (README.md rule 4: another (xway, dir, seg), or back from the exit lane by the entrance lane). */
  entry: 7,
  /** 1 for the car's first report in this segment in this minute (NOV counts these). */
  firstInMinute: 8,
  /** 1 when this report makes the car stopped (its 4th report at the same place). */
  stops: 9,
} as const;

/** Number of fields of a SegmentEvent. */
export const SEGMENT_EVENT_FIELDS = 10;

/** SegmentEvent kinds. */
export const SegmentEventKind = { leftStop: 0, report: 1 } as const;

/** cars and segments -> accounts, keyed by VID. */
export const AccountEvent = {
  /** 0: a segment entry with its toll; 1: a balance query. */
  kind: 0,
  time: 1,
  /** The entry's toll notification (-1: none, the exit lane), or the query's QID. */
  value: 2,
} as const;

/** Number of fields of an AccountEvent. */
export const ACCOUNT_EVENT_FIELDS = 3;

/** AccountEvent kinds: entries before queries at equal times. */
export const AccountEventKind = { entry: 0, query: 1 } as const;

/** The key of an expressway and direction. */
export function xwayDirKey(xway: number, dir: number): number {
  return xway * 2 + dir;
}
