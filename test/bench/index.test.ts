// The table of benchmarks: which are real (run on local worker processes, and so run
// several times over) and which run once.

import { describe, expect, it } from "vitest";
import { BENCHMARKS, isReal } from "../../bench/index.js";

describe("isReal", () => {
  it("takes the packet counter, worker start and every *-real benchmark for real ones", () => {
    for (const name of [
      "packet-counter",
      "worker-start",
      "rsm-recovery-real",
      "scale-out-pause-real",
      "takeover-real",
    ])
      expect(isReal(name), name).toBe(true);
  });

  it("takes the simulated and in-process benchmarks for ones that run once", () => {
    for (const name of [
      "keyed-count",
      "sim-engine",
      "scale-out-pause",
      "lrb-scaleout",
      "calibrate",
      "kernel",
    ]) {
      expect(Object.hasOwn(BENCHMARKS, name), name).toBe(true);
      expect(isReal(name), name).toBe(false);
    }
  });
});
