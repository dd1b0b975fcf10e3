// Ranges the built-in jobs' parameters share: parallelism 1 to 128 (the key groups); at
// most 10^9 lines or packets; event times (intervals, windows) up to a day; a stream whose
// last tuple lies at most 10^15 ms of event time from its first, so that times stay exact.

import { DEFAULT_MAX_KEY_GROUPS, integerIn, JobError, numberIn } from "../engine/index.js";

/** Instances of an operator: 1 to the number of key groups. */
export const parallelism = integerIn(1, DEFAULT_MAX_KEY_GROUPS);
/** An event-time length: above 0 and at most a day, in ms. */
export const eventMs = numberIn(0, 86_400_000, { aboveMin: true });
/** Most lines or packets a stream has. */
export const TUPLES_MAX = 1e9;
/** Longest event time a generated stream spans, in ms (about 31,700 years): its times stay exact integers. */
const STREAM_MS_MAX = 1e15;

/** Refuses a generated stream whose last tuple lies past STREAM_MS_MAX of event time. */
export function checkStreamLength(workload: string, streamMs: number, what: string): void {
  if (streamMs <= STREAM_MS_MAX) return;
  throw new JobError(
    `workload "${workload}": ${what} span more than 10^15 ms of event time, the most a stream may`,
  );
}
