// The Linear Road generator: reproducible from its seed, in time order, every field in
// range, and with the benchmark's shape (a climbing rate, congestion, accidents,
// re-entries and a sprinkle of queries), plus the historical tolls its queries read.

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashKey } from "../../../engine/index.js";
import { LrGenerator } from "../../../workloads/linearRoad/generator.js";
import { historicalTolls, historyXway } from "../../../workloads/linearRoad/historicalTolls.js";
import { formatRecordCsv, writeRecordCsv } from "../../../workloads/linearRoad/recordCsv.js";
import { F, LR } from "../../../workloads/linearRoad/schema.js";

/** Hash of the first `n` records of a generator. */
function hashOf(seed: number, n: number): string {
  const gen = new LrGenerator({ seed, xways: 2, durationS: 1800 });
  const row = new Float64Array(15);
  const h = createHash("sha256");
  for (let i = 0; i < n && gen.next(row); i++) h.update(row);
  return h.digest("hex");
}

/** The set under `key` in `map`, made empty on first use. */
function setIn<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

/** Fields a record type uses; all others must be -1. */
const USED: Record<number, readonly number[]> = {
  0: [F.type, F.time, F.vid, F.spd, F.xway, F.lane, F.dir, F.seg, F.pos],
  2: [F.type, F.time, F.vid, F.qid],
  3: [F.type, F.time, F.vid, F.xway, F.qid, F.day],
};

describe("LrGenerator", () => {
  it("gives the same records for the same seed and others for another seed", () => {
    const a = hashOf(7, 200_000);
    expect(hashOf(7, 200_000)).toBe(a);
    expect(hashOf(8, 200_000)).not.toBe(a);
  });

  it("emits records in non-decreasing time with every field in range", () => {
    const L = 2;
    const gen = new LrGenerator({ seed: 3, xways: L, durationS: 1200 });
    const row = new Float64Array(15);
    let lastTime = 0;
    let lastQid = -1;
    let n = 0;
    const bad: string[] = [];
    while (gen.next(row)) {
      n++;
      const type = row[F.type];
      const used = USED[type] ?? [];
      let ok = used.length > 0 && row[F.time] >= lastTime && row[F.time] < 1200;
      for (let f = 0; f < 15; f++) if (!used.includes(f) && row[f] !== -1) ok = false;
      ok &&= row[F.vid] >= 0 && row[F.vid] <= gen.maxVid;
      if (type === 0) {
        ok &&=
          row[F.spd] >= 0 &&
          row[F.spd] <= LR.maxSpeed &&
          row[F.lane] >= 0 &&
          row[F.lane] <= 4 &&
          (row[F.dir] === 0 || row[F.dir] === 1) &&
          row[F.pos] >= 0 &&
          row[F.pos] <= LR.maxPos &&
          row[F.seg] === Math.floor(row[F.pos] / LR.segmentFeet) &&
          row[F.xway] >= 0 &&
          row[F.xway] < L;
      } else {
        ok &&= row[F.qid] === lastQid + 1;
        lastQid = row[F.qid];
        if (type === 3) {
          ok &&=
            row[F.day] >= 1 &&
            row[F.day] <= LR.historyDays &&
            row[F.xway] === historyXway(row[F.vid], row[F.day], L);
        }
      }
      lastTime = row[F.time];
      if (!ok && bad.length < 5) bad.push(formatRecordCsv(row));
    }
    expect(bad).toEqual([]);
    expect(n).toBeGreaterThan(100_000);
    expect(gen.next(row)).toBe(false);
  });

  it("over three hours at L = 1, climbs to 2,000-3,000 records/s with queries at about 0.5% and 0.1%", () => {
    const gen = new LrGenerator({ seed: 11, xways: 1 });
    const row = new Float64Array(15);
    const perMinute = new Int32Array(180);
    let n = 0;
    let balance = 0;
    let expenditure = 0;
    // Congestion late in the run: per (dir, seg), distinct cars and speeds over minutes 145..149.
    const cars = new Map<number, Set<number>>();
    const speedSum = new Float64Array(200);
    const reports = new Float64Array(200);
    while (gen.next(row)) {
      n++;
      perMinute[Math.floor(row[F.time] / 60)]++;
      if (row[F.type] === 2) balance++;
      else if (row[F.type] === 3) expenditure++;
      else if (row[F.time] >= 145 * 60 && row[F.time] < 150 * 60) {
        const k = row[F.dir] * 100 + row[F.seg];
        setIn(cars, k).add(row[F.vid]);
        speedSum[k] += row[F.spd];
        reports[k]++;
      }
    }
    expect(n).toBeGreaterThan(18_000_000);
    expect(n).toBeLessThan(24_000_000);
    expect(perMinute[0] / 60).toBeLessThan(100);
    expect(perMinute[0] / 60).toBeGreaterThan(5);
    expect(perMinute[149] / 60).toBeGreaterThan(2000);
    expect(perMinute[149] / 60).toBeLessThan(3000);
    expect(balance / n).toBeGreaterThan(0.004);
    expect(balance / n).toBeLessThan(0.006);
    expect(expenditure / n).toBeGreaterThan(0.0007);
    expect(expenditure / n).toBeLessThan(0.0013);
    let congested = 0;
    for (const [k, set] of cars) if (set.size / 5 > 50 && speedSum[k] / reports[k] < 40) congested++;
    expect(congested).toBeGreaterThan(0);
    expect(congested).toBeLessThan(200);
  });

  it("stops two cars at one position for accidents, moves cars their way, and re-enters cars on another expressway", () => {
    const gen = new LrGenerator({ seed: 5, xways: 2, durationS: 3600 });
    const row = new Float64Array(15);
    // Per VID (VIDs are issued densely from 0, so arrays indexed by VID, not maps: the
    // generator's 8.5M reports are bookkept in a fraction of the time).
    const lastPos: number[] = [];
    const lastXway: number[] = [];
    const same: number[] = [];
    const firstXway: number[] = [];
    const stoppedAt = new Map<string, Set<number>>();
    const reenteredVids = new Set<number>();
    let backwards = 0;
    while (gen.next(row)) {
      if (row[F.type] !== 0) continue;
      const vid = row[F.vid];
      const pos = row[F.pos];
      const xway = row[F.xway];
      const prev = lastPos[vid];
      const continuing = prev !== undefined && lastXway[vid] === xway && row[F.lane] !== 0;
      if (continuing && (row[F.dir] === 0 ? pos < prev : pos > prev)) backwards++;
      const run = continuing && prev === pos ? (same[vid] ?? 1) + 1 : 1;
      same[vid] = run;
      lastPos[vid] = pos;
      lastXway[vid] = xway;
      if (run >= 4) {
        const key = `${xway}/${row[F.dir]}/${pos}`;
        setIn(stoppedAt, key).add(vid);
      }
      const first = firstXway[vid];
      if (first === undefined) firstXway[vid] = xway;
      else if (first !== xway) reenteredVids.add(vid);
    }
    expect(backwards).toBe(0);
    const accidents = [...stoppedAt.values()].filter((s) => s.size >= 2).length;
    expect(accidents).toBeGreaterThanOrEqual(1);
    expect(reenteredVids.size).toBeGreaterThan(0);
  });

  it("opens expressway x at x times xwayOpenEveryS, and changes nothing without it", () => {
    const firstReportS = (every: number | undefined) => {
      const gen = new LrGenerator({ seed: 5, xways: 4, durationS: 400, xwayOpenEveryS: every });
      const row = new Float64Array(15);
      const first = new Map<number, number>();
      let n = 0;
      while (gen.next(row)) {
        n++;
        if (row[F.type] === 0 && !first.has(row[F.xway])) first.set(row[F.xway], row[F.time]);
      }
      return { first, n };
    };
    const ramp = firstReportS(90);
    for (const [x, t] of ramp.first) expect(t, `xway ${x}`).toBeGreaterThanOrEqual(x * 90 - 30);
    expect([...ramp.first.keys()].sort()).toEqual([0, 1, 2, 3]);
    const all = firstReportS(undefined);
    expect(all.n).toBe(firstReportS(0).n);
    expect(ramp.n).toBeLessThan(all.n);
  });

  it("with sampleOneIn n, simulates only the cars a 1-in-n key sample keeps: n times fewer records at the same speeds", () => {
    const run = (sampleOneIn: number) => {
      const gen = new LrGenerator({ seed: 8, xways: 1, durationS: 5400, sampleOneIn });
      const row = new Float64Array(15);
      let reports = 0;
      let mphSum = 0;
      let slow = 0;
      const vids = new Set<number>();
      while (gen.next(row)) {
        if (row[F.type] !== 0) continue;
        reports++;
        mphSum += row[F.spd];
        if (row[F.spd] < 40) slow++;
        // The VIDs are checked of the sampled run only: the full run's are not gathered.
        if (sampleOneIn > 1) vids.add(row[F.vid]);
      }
      return { reports, meanMph: mphSum / reports, slowShare: slow / reports, vids };
    };
    const full = run(1);
    const sampled = run(20);
    for (const vid of sampled.vids) expect(hashKey(vid) % 20, `vid ${vid}`).toBe(0);
    expect(sampled.reports / (full.reports / 20)).toBeGreaterThan(0.9);
    expect(sampled.reports / (full.reports / 20)).toBeLessThan(1.1);
    // Each kept car counts for 20 in its segment's density: traffic moves much as on the
    // full road (a little more jammed: a segment's density moves in steps of 20).
    expect(Math.abs(sampled.meanMph - full.meanMph) / full.meanMph).toBeLessThan(0.1);
    expect(full.slowShare).toBeGreaterThan(0.05);
    expect(sampled.slowShare / full.slowShare).toBeGreaterThan(0.5);
    expect(sampled.slowShare / full.slowShare).toBeLessThan(2);
    expect(() => new LrGenerator({ seed: 1, xways: 1, sampleOneIn: 0 })).toThrow(/sampleOneIn/);
  });

  it("writes a record's CSV line as bytes exactly as the string form", () => {
    const gen = new LrGenerator({ seed: 2, xways: 1, durationS: 120 });
    const row = new Float64Array(15);
    const buf = new Uint8Array(512);
    const decoder = new TextDecoder();
    for (let i = 0; i < 5000 && gen.next(row); i++) {
      const end = writeRecordCsv(row, buf, 0);
      expect(decoder.decode(buf.subarray(0, end))).toBe(`${formatRecordCsv(row)}\n`);
    }
  });
});

describe("historicalTolls", () => {
  it("gives every VID a toll of 0..99 for each of the 69 days, the same for the same seed", () => {
    const rows = [...historicalTolls(4, 99, 3)];
    expect(rows).toHaveLength(100 * LR.historyDays);
    for (const [vid, day, xway, toll] of rows) {
      expect(xway).toBe(historyXway(vid, day, 3));
      expect(toll >= 0 && toll <= 99 && day >= 1 && day <= 69).toBe(true);
    }
    expect([...historicalTolls(4, 99, 3)]).toEqual(rows);
    expect([...historicalTolls(5, 99, 3)]).not.toEqual(rows);
  });
});
