// The long tests: what `npm test` leaves to `npm run test:long` (SEEP_LONG_TESTS=1) so that
// it stays under six minutes on a 2-core machine. They are more of what the suite already
// checks, never the only check of a behaviour: the regression seeds of chaos campaigns
// beyond the one or two kept in every run for each kind of reconfiguration, and a second
// workload where the first already checks the mechanism. A skipped one shows in the report
// as skipped, its title saying how to run it.

import { describe, it } from "vitest";

/** Whether the long tests run (SEEP_LONG_TESTS=1). */
export const LONG_TESTS = process.env.SEEP_LONG_TESTS === "1";

/** An it() that runs only with the long tests (skipped otherwise, saying how to run it). */
export function itLong(title: string, fn: () => unknown, timeoutMs?: number): void {
  if (LONG_TESTS) it(title, fn, timeoutMs);
  else it.skip(`${title} (long: npm run test:long)`, fn);
}

/** it() when `everyRun`, itLong() otherwise: the seeds of a campaign, some of them kept in every run. */
export function itEveryRunOrLong(everyRun: boolean, title: string, fn: () => unknown): void {
  if (everyRun) it(title, fn);
  else itLong(title, fn);
}

/** A describe() that runs only with the long tests (skipped otherwise, saying how to run it). */
export function describeLong(title: string, body: () => void): void {
  if (LONG_TESTS) describe(title, body);
  else describe.skip(`${title} (long: npm run test:long)`, body);
}
