// Timing helpers for benchmarks (the wall clock is allowed here, never in engine/ or sim/).

import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Milliseconds since an arbitrary origin, from the monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** The median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run `fn` `runs` times and return the median of what it returns. */
export function medianOf(runs: number, fn: () => number): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(fn());
  return median(xs);
}

/** A deterministic stream of keys in [0, keys): a linear congruential sequence. */
export function keyStream(n: number, keys: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x % keys;
  }
  return out;
}

let gc: (() => void) | undefined;

/** A full garbage collection between runs, so that no run pays for the garbage of the one before. */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
