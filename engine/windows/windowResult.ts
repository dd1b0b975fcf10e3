// What a time window emits per window and key: a file of its own, so that both time-window
// operators (timeWindow.ts, timeWindowRecords.ts) name it without importing each other.

/** The value of a tuple a time window emits (its key is the window's key). */
export interface WindowResult<R> {
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly result: R;
}
