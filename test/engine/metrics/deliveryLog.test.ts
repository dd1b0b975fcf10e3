// The delivery log: one entry per sink delivery (time, highest latency), a delivery at the
// time of the one before folded into it, in arrival order, growing past its first size; and
// restored from a snapshot, the same log, the last entry still folding what comes at its time.

import { describe, expect, it } from "vitest";
import { type Deliveries, DeliveryLog } from "../../../engine/metrics/deliveryLog.js";
import { SnapshotKind, SnapshotReader, SnapshotWriter } from "../../../engine/metrics/snapshotBytes.js";

function restored(log: DeliveryLog): DeliveryLog {
  const w = new SnapshotWriter(SnapshotKind.metrics);
  log.writeSnapshot(w);
  const r = new SnapshotReader(w.finish(), SnapshotKind.metrics);
  const out = new DeliveryLog();
  out.add(1, 1);
  out.loadSnapshot(r);
  r.end();
  return out;
}

function entries(d: Deliveries): [number, number][] {
  return Array.from({ length: d.length }, (_, i) => [d.timeMs(i), d.highestLatencyMs(i)]);
}

describe("DeliveryLog", () => {
  it("folds a delivery at the same time as the one before into it, keeping the highest latency", () => {
    const log = new DeliveryLog();
    log.add(100, 20);
    log.add(100, 70);
    log.add(100, 30);
    log.add(150, 5);
    log.add(100, 1); // the same time again, but not next to it: an entry of its own
    expect(entries(log)).toEqual([
      [100, 70],
      [150, 5],
      [100, 1],
    ]);
  });

  it("keeps every entry as it grows", () => {
    const log = new DeliveryLog();
    for (let i = 0; i < 5000; i++) log.add(i * 0.5, i % 7);
    expect(log.length).toBe(5000);
    expect([log.timeMs(0), log.timeMs(4999), log.highestLatencyMs(4999)]).toEqual([0, 2499.5, 4999 % 7]);
  });

  it("restored from a snapshot, holds the same entries and folds into its last one what comes at its time", () => {
    for (const n of [0, 3, 300]) {
      const whole = new DeliveryLog();
      const before = new DeliveryLog();
      for (let i = 0; i < n; i++) {
        whole.add(i * 10, i);
        before.add(i * 10, i);
      }
      const log = restored(before);
      expect(entries(log)).toEqual(entries(before));
      for (const d of [log, whole]) {
        d.add((n - 1) * 10, 1000);
        for (let i = 0; i < 300; i++) d.add(5000 + i, 1);
      }
      expect(entries(log)).toEqual(entries(whole));
    }
  });
});
