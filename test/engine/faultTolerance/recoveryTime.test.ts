// Recovery time's caught-up rule: the bound is max(50%, 100 ms) over the p99 level of the
// intervals before the failure; the moment is the first delivery within the bound after the
// last one over it that follows the restore, up to the next failure (a late output of the
// final drain, after the input ended, does not count as over). Deliveries are built by hand.

import { describe, expect, it } from "vitest";
import {
  CAUGHT_UP_ABSOLUTE_MS,
  caughtUpAtMs,
  caughtUpBoundMs,
  DeliveryLog,
  latencyLevelMs,
  Metrics,
  type MetricsRow,
  type RecoveryRecord,
  recoverySummaries,
} from "../../../engine/index.js";

function row(timeS: number, p99: number, tuplesOut = 10): MetricsRow {
  return {
    timeS,
    tuplesIn: 10,
    tuplesOut,
    latencyP50Ms: p99 / 2,
    latencyP99Ms: p99,
    latencyMaxMs: p99,
    queueLength: 0,
    vmsInUse: 1,
    cpuMean: 0.5,
    cpuMax: 0.5,
    cpuByVm: new Map(),
  };
}

/** A log of `[timeMs, highestLatencyMs]` deliveries, in the order given. */
function log(deliveries: readonly (readonly [number, number])[]): DeliveryLog {
  const l = new DeliveryLog();
  for (const [t, ms] of deliveries) l.add(t, ms);
  return l;
}

const NO_END = { untilMs: Number.POSITIVE_INFINITY, inputEndMs: Number.POSITIVE_INFINITY };

describe("the latency bound", () => {
  const rows = [row(1, 200), row(2, 220), row(3, 210), row(4, 5000), row(5, 900)];

  it("takes the median p99 of the intervals before the failure as the level", () => {
    expect(latencyLevelMs(rows, 3000)).toBe(210);
    expect(latencyLevelMs(rows, 500)).toBeNaN();
  });

  it("is the level and 50% of it, or 100 ms when that is more; infinite without a level", () => {
    expect(caughtUpBoundMs(rows, 3000)).toBe(315);
    expect(caughtUpBoundMs([row(1, 40), row(2, 60)], 2000)).toBe(50 + CAUGHT_UP_ABSOLUTE_MS);
    expect(caughtUpBoundMs(rows, 500)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("the caught-up moment", () => {
  const BOUND = 315;

  it("is after the recovering instance's last late output, not the unaffected one's first timely one", () => {
    // Restored at 4000; an unaffected instance delivers every 100 ms at 50 ms latency all
    // along, the recovered one at 4150, 4320, 4450 with its latency falling to 400 (still
    // over the bound) and then at 4730 within it.
    const unaffected = [4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800].map((t) => [t, 50] as const);
    const recovering = [
      [4150, 2000],
      [4320, 1200],
      [4450, 400],
      [4730, 120],
    ] as const;
    const deliveries = log([...unaffected, ...recovering].sort((a, b) => a[0] - b[0]));
    const w = { restoredAtMs: 4000, ...NO_END };
    expect(caughtUpAtMs(deliveries, BOUND, w)).toBe(4500);
    // The same deliveries in another order (a real run's batches reach the coordinator so).
    expect(caughtUpAtMs(log([...recovering, ...unaffected]), BOUND, w)).toBe(4500);
    // Not a multiple of anything: a delivery's own time.
    const odd = log([
      [4100.25, 50],
      [4150.5, 2000],
      [4213.75, 50],
    ]);
    expect(caughtUpAtMs(odd, BOUND, w)).toBe(4213.75);
  });

  it("counts only deliveries after the restore, and a delivery at the bound as within it", () => {
    const deliveries = log([
      [3900, 5000],
      [4000, 5000],
      [4100, BOUND],
    ]);
    expect(caughtUpAtMs(deliveries, BOUND, { restoredAtMs: 4000, ...NO_END })).toBe(4100);
  });

  it("is null with no output after the restore, or when the last one is still over the bound", () => {
    const deliveries = log([
      [3000, 100],
      [4500, 900],
      [5000, 700],
    ]);
    expect(caughtUpAtMs(deliveries, BOUND, { restoredAtMs: 6000, ...NO_END })).toBeNull();
    expect(caughtUpAtMs(deliveries, BOUND, { restoredAtMs: 4000, ...NO_END })).toBeNull();
  });

  it("is the first output after the restore when there was no level to come back to", () => {
    const deliveries = log([
      [4500, 9000],
      [4600, 8000],
    ]);
    expect(caughtUpAtMs(deliveries, Number.POSITIVE_INFINITY, { restoredAtMs: 4000, ...NO_END })).toBe(4500);
  });

  it("looks for it up to the next failure only", () => {
    // Caught up at 4600; the failure at 5000 makes later outputs late again: they are its recovery's.
    const deliveries = log([
      [4500, 900],
      [4600, 100],
      [4700, 100],
      [5100, 3000],
      [5800, 100],
    ]);
    const w = { restoredAtMs: 4000, untilMs: 5000, inputEndMs: Number.POSITIVE_INFINITY };
    expect(caughtUpAtMs(deliveries, BOUND, w)).toBe(4600);
    expect(caughtUpAtMs(deliveries, BOUND, { ...w, untilMs: Number.POSITIVE_INFINITY })).toBe(5800);
    // Still late when the next failure came: never caught up.
    expect(caughtUpAtMs(deliveries, BOUND, { ...w, untilMs: 4550 })).toBeNull();
  });

  it("does not put it after a late output of the final drain: those come late without failures too", () => {
    // Input ended at 5000; the last window, closed only by the end of the stream, comes late.
    const deliveries = log([
      [4500, 900],
      [4600, 100],
      [4700, 100],
      [5600, 650],
    ]);
    const w = { restoredAtMs: 4000, untilMs: Number.POSITIVE_INFINITY, inputEndMs: 5000 };
    expect(caughtUpAtMs(deliveries, BOUND, w)).toBe(4600);
    // A drain output within the bound is a moment like any other (the input ended at 4550).
    expect(caughtUpAtMs(deliveries, BOUND, { ...w, inputEndMs: 4550 })).toBe(4600);
    // Restored after the input's end with only a late output after it: never caught up.
    expect(caughtUpAtMs(deliveries, BOUND, { ...w, restoredAtMs: 5200 })).toBeNull();
    // Nor when the recovered output is still late as the input ends.
    const late = log([
      [4500, 900],
      [4900, 700],
      [5600, 650],
    ]);
    expect(caughtUpAtMs(late, BOUND, w)).toBeNull();
    // With no level to come back to, any output is: the drain's first.
    expect(caughtUpAtMs(deliveries, Number.POSITIVE_INFINITY, { ...w, restoredAtMs: 5200 })).toBe(5600);
  });
});

describe("recoverySummaries", () => {
  /** Intervals of 100 ms at 100 ms p99 up to 1 s, then the deliveries given, input to `inputEndMs`. */
  function metricsOf(deliveries: readonly (readonly [number, number])[], inputEndMs: number): Metrics {
    const m = new Metrics({ intervalMs: 100 });
    for (let t = 100; t <= 1000; t += 100) {
      m.addTuplesIn(10, t);
      m.addLatency(100, 10);
      m.closeInterval(t, { queueLength: 0, cpuByVm: new Map() });
    }
    m.addTuplesIn(10, inputEndMs);
    for (const [t, ms] of deliveries) m.addDelivery(t, ms);
    return m;
  }
  const record = (failedAtMs: number, restoredAtMs: number | null, id: number): RecoveryRecord => ({
    failedAtMs,
    detectedAtMs: failedAtMs + 50,
    instances: [id],
    rolledBack: [],
    restoredAtMs,
  });

  it("gives each of several failures its own window, up to the next failure after its restore", () => {
    // Bound: max(150, 200) = 200 (the level is the 100 ms p99 of the first second).
    const m = metricsOf(
      [
        [1450, 800], // the first recovery's late outputs
        [1520.5, 90],
        [1700, 90],
        [2150, 900], // the second failure's
        [2300, 300],
        [2390.25, 95],
        [3000, 90],
      ],
      4000,
    );
    const failedFirst = record(1000, 1400, 1);
    const failedSecond = record(2000, 2100, 2);
    // A third failure while the second one's replacement started: folded into it, the same restore.
    const failedDuring = record(2050, 2100, 3);
    const [first, second, during] = recoverySummaries(
      [failedFirst, failedSecond, failedDuring],
      m,
      () => "op",
    );
    expect(first).toMatchObject({ caughtUpAtMs: 1520.5, recoveryMs: 520.5, instances: ["op#1"] });
    expect(second).toMatchObject({ caughtUpAtMs: 2390.25, recoveryMs: 390.25 });
    expect(during).toMatchObject({ caughtUpAtMs: 2390.25, recoveryMs: 340.25 });
  });

  it("is null for a recovery never restored and one with no output after its restore", () => {
    const m = metricsOf([[1200, 90]], 1300);
    const [never, silent] = recoverySummaries([record(1000, null, 1), record(1000, 1250, 2)], m, () => "op");
    expect(never).toMatchObject({ restoredAtMs: null, caughtUpAtMs: null, recoveryMs: null });
    expect(silent).toMatchObject({ restoredAtMs: 1250, caughtUpAtMs: null, recoveryMs: null });
  });
});
