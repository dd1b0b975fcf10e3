// The sweep's statistics against values computed by hand and printed t tables: the t
// quantiles agree with the closed forms for 1 and 2 degrees of freedom and with SciPy's
// scipy.stats.t.ppf (the values below, to 6 decimals, match every printed table to its 3).

import { describe, expect, it } from "vitest";
import {
  logGamma,
  mean,
  median,
  regularizedBeta,
  sampleStdDev,
  studentTCdf,
  studentTQuantile,
  tInterval,
} from "../../lab/stats.js";

describe("mean, median and standard deviation", () => {
  it("are the textbook values", () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // Sum of squares about the mean 5 is 32; 32 / 7.
    expect(sampleStdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
    expect(sampleStdDev([1])).toBeNaN();
  });
});

describe("Student's t distribution", () => {
  it("has the closed-form quantiles of 1 and 2 degrees of freedom", () => {
    for (const p of [0.6, 0.9, 0.975, 0.995]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 9);
    }
  });

  it("has the 97.5% quantiles of a t table (SciPy's t.ppf to 6 decimals)", () => {
    const table: [number, number][] = [
      [1, 12.706205],
      [2, 4.302653],
      [3, 3.182446],
      [4, 2.776445],
      [5, 2.570582],
      [9, 2.262157],
      [10, 2.228139],
      [20, 2.085963],
      [29, 2.04523],
      [30, 2.042272],
      [120, 1.97993],
      [1000, 1.962339],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df), `df ${df}`).toBeCloseTo(t, 5);
  });

  it("is symmetric, and its CDF inverts its quantile", () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.262157, 5);
    expect(studentTCdf(0, 3)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(studentTQuantile(0.9, 6), 6)).toBeCloseTo(0.9, 12);
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
  });

  it("rests on a log gamma and an incomplete beta function that give known values", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.5(a, a) = 0.5.
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedBeta(0.3, 3, 1)).toBeCloseTo(0.027, 12);
    expect(regularizedBeta(0.5, 4.5, 4.5)).toBeCloseTo(0.5, 12);
  });
});

describe("tInterval", () => {
  it("is mean +- t(0.975, n-1) s / sqrt(n), by hand for 1..5", () => {
    // Mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445: half width 2.776445 * 1.581139 / 2.236068.
    const ci = tInterval([1, 2, 3, 4, 5]);
    const half = (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(ci?.low).toBeCloseTo(3 - half, 5);
    expect(ci?.high).toBeCloseTo(3 + half, 5);
    expect(ci?.low).toBeCloseTo(1.036757, 5);
  });

  it("is null below two values and a point for equal ones", () => {
    expect(tInterval([7])).toBeNull();
    expect(tInterval([])).toBeNull();
    expect(tInterval([4, 4, 4])).toEqual({ low: 4, high: 4 });
  });
});
