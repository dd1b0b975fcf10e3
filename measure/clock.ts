// Clocks of measurements: the monotonic wall clock, this process's CPU time, and a wait.
// measure/ and bench/ may read the wall clock; engine/ and sim/ never do.

import { performance } from "node:perf_hooks";

/** Milliseconds since an arbitrary origin, from the monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** CPU microseconds this process has used (user and system, every thread). */
export function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Milliseconds of this process's CPU time (user and system, every thread). */
export function cpuMs(): number {
  return cpuUs() / 1000;
}

/** A promise that resolves after `ms` ms of wall time. */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}
