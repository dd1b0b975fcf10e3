// Tests of the log-linear latency histogram against exact statistics computed by sorting,
// and of its snapshot: restored, it goes on as if never interrupted.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencyHistogram, quantileRank } from "../../../engine/metrics/latencyHistogram.js";
import {
  OutputStateError,
  SnapshotKind,
  SnapshotReader,
  SnapshotWriter,
} from "../../../engine/metrics/snapshotBytes.js";

const QUANTILES = [0, 0.01, 0.07, 0.25, 0.5, 0.9, 0.99, 0.999, 1];
// 1% of the value, plus one of the narrowest buckets (2^-17 ms) for values near zero.
const tolerance = (exact: number) => 0.01 * exact + 2 ** -17;

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[quantileRank(q, sorted.length) - 1];
}

const latency = fc.oneof(
  fc.double({ min: 0, max: 1e-2, noNaN: true }),
  fc.double({ min: 0, max: 1e3, noNaN: true }),
  fc.double({ min: 0, max: 1e9, noNaN: true }),
  fc.nat(5000),
);

describe("LatencyHistogram", () => {
  it("reads quantiles within 1% (plus one bucket) of the exact ones", () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 400 }), (values) => {
        const h = new LatencyHistogram();
        for (const v of values) h.add(v);
        const sorted = [...values].sort((x, y) => x - y);
        for (const q of QUANTILES) {
          const exact = exactQuantile(sorted, q);
          expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(tolerance(exact));
        }
        expect(h.max).toBe(sorted[sorted.length - 1]);
        expect(h.min).toBe(sorted[0]);
        expect(h.count).toBe(values.length);
      }),
    );
  });

  it("counts repeated observations as if each were added alone", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(latency, fc.integer({ min: 1, max: 5 })), { minLength: 1 }), (pairs) => {
        const weighted = new LatencyHistogram();
        const single = new LatencyHistogram();
        for (const [v, n] of pairs) {
          weighted.add(v, n);
          for (let i = 0; i < n; i++) single.add(v);
        }
        for (const q of QUANTILES) expect(weighted.quantile(q)).toBe(single.quantile(q));
        expect(weighted.count).toBe(single.count);
        expect(weighted.mean).toBeCloseTo(single.mean, 6);
      }),
    );
  });

  it("merges into the same histogram as adding everything to one", () => {
    fc.assert(
      fc.property(fc.array(latency), fc.array(latency), (xs, ys) => {
        const a = new LatencyHistogram();
        const b = new LatencyHistogram();
        const both = new LatencyHistogram();
        for (const x of xs) a.add(x);
        for (const y of ys) b.add(y);
        for (const v of [...xs, ...ys]) both.add(v);
        a.merge(b);
        expect(a.count).toBe(both.count);
        for (const q of QUANTILES) expect(a.quantile(q)).toEqual(both.quantile(q));
        expect(a.max).toEqual(both.max);
      }),
    );
  });

  it("keeps an exact mean and max, and forgets everything on reset", () => {
    const h = new LatencyHistogram();
    h.add(10);
    h.add(20, 3);
    expect(h.mean).toBe(17.5);
    expect(h.max).toBe(20);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.quantile(0.5)).toBeNaN();
    expect(h.max).toBeNaN();
    expect(h.mean).toBeNaN();
    h.add(3);
    expect(h.quantile(0.5)).toBeCloseTo(3, 1);
  });

  it("refuses negative, infinite and NaN latencies and quantiles outside [0, 1]", () => {
    const h = new LatencyHistogram();
    expect(() => h.add(-1)).toThrow(RangeError);
    expect(() => h.add(Number.NaN)).toThrow(RangeError);
    expect(() => h.add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => h.add(1, -1)).toThrow(RangeError);
    expect(() => h.quantile(1.5)).toThrow(RangeError);
  });
});

/** `h` written into a snapshot and loaded into a histogram that had other observations. */
function restored(h: LatencyHistogram): LatencyHistogram {
  const w = new SnapshotWriter(SnapshotKind.metrics);
  h.writeSnapshot(w);
  const r = new SnapshotReader(w.finish(), SnapshotKind.metrics);
  const out = new LatencyHistogram();
  out.add(123_456);
  out.loadSnapshot(r, "latency");
  r.end();
  return out;
}

const figures = (h: LatencyHistogram) => [
  ...QUANTILES.map((q) => h.quantile(q)),
  h.count,
  h.mean,
  h.min,
  h.max,
];

describe("LatencyHistogram's snapshot", () => {
  it("restored after any prefix of the observations, ends with the same figures", () => {
    fc.assert(
      fc.property(fc.array(latency, { maxLength: 200 }), fc.nat(), (values, at) => {
        const k = at % (values.length + 1);
        const whole = new LatencyHistogram();
        const before = new LatencyHistogram();
        for (const v of values) whole.add(v, 3);
        for (const v of values.slice(0, k)) before.add(v, 3);
        const h = restored(before);
        for (const v of values.slice(k)) h.add(v, 3);
        expect(figures(h)).toEqual(figures(whole));
      }),
    );
  });

  it("refuses buckets past the last", () => {
    const h = new LatencyHistogram();
    h.add(1e300);
    const w = new SnapshotWriter(SnapshotKind.metrics);
    h.writeSnapshot(w);
    const bytes = w.finish();
    new DataView(bytes.buffer).setUint32(6 + 32, 7000, true);
    expect(() =>
      new LatencyHistogram().loadSnapshot(new SnapshotReader(bytes, SnapshotKind.metrics), "run latency"),
    ).toThrow(OutputStateError);
  });
});
