import { describe, expect, it } from "vitest";
import { InProcessRuntime, physicalPlan } from "../../../engine/index.js";
import { lrbPlan, type RecordStream } from "../../../workloads/linearRoad/queries/index.js";
import { LR_FIELDS } from "../../../workloads/linearRoad/schema.js";

type Rec = number[];

/** A record of `type` with the given fields set (by LR_FIELDS name) and -1 elsewhere. */
function record(type: number, fields: Partial<Record<(typeof LR_FIELDS)[number], number>>): Rec {
  return LR_FIELDS.map((name) => (name === "type" ? type : (fields[name] ?? -1)));
}

/** A type 0 report; Seg follows from Pos. */
const report = (
  time: number,
  vid: number,
  spd: number,
  xway: number,
  lane: number,
  dir: number,
  pos: number,
): Rec => record(0, { time, vid, spd, xway, lane, dir, seg: Math.floor(pos / 5280), pos });
const balance = (time: number, vid: number, qid: number): Rec => record(2, { time, vid, qid });
const expenditure = (time: number, vid: number, xway: number, qid: number, day: number): Rec =>
  record(3, { time, vid, xway, qid, day });

/** A small world: a congested segment, an accident, one car followed closely. */
function scenario(): Rec[] {
  const recs: Rec[] = [];
  for (let v = 1; v <= 60; v++) recs.push(report(v - 1, v, 30, 0, 1, 0, 10 * 5280 + 100));
  for (const t of [0, 30, 60, 90])
    recs.push(report(t, 200, 0, 0, 1, 0, 30_000), report(t, 201, 0, 0, 1, 0, 30_000));
  recs.push(report(70, 100, 50, 0, 1, 0, 9 * 5280 + 10));
  recs.push(report(100, 100, 50, 0, 1, 0, 10 * 5280 + 10));
  recs.push(report(125, 300, 50, 0, 1, 0, 2 * 5280 + 10));
  recs.push(report(130, 100, 50, 0, 1, 0, 11 * 5280 + 10));
  recs.push(balance(140, 100, 1));
  recs.push(expenditure(150, 100, 0, 2, 3));
  return recs.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
}

function stream(recs: readonly Rec[]): () => RecordStream {
  return () => {
    let i = 0;
    return {
      next(row: Float64Array) {
        if (i >= recs.length) return false;
        row.set(recs[i++]);
        return true;
      },
    };
  };
}

/**
 * Car 900 leaves by the exit lane and comes back by the entrance lane into the same segment
 * (README rule 4: a segment entry). 52 cars report once in segment 10 in minute 1 at 20 mph:
 * NOV(2) = 52, LAV(2) = 20. Car 900 enters segment 10 at t=60 (minute 2): toll
 * 2 * (52 - 50)^2 = 8. At t=90 it reports in the exit lane of segment 10: not an entry (no
 * notification, no charge). At t=130 (minute 3) it reports in the entrance lane of segment
 * 10: an entry, so the 8 is charged (rule 6) and it is notified with NOV(3) = 1 (only car
 * 900 was there in minute 2), so toll 0, and LAV(3) = (52 * 20 + 20 + 20) / 54 = 20. Its
 * balance at t=140 is 8.
 */
function reentry(): Rec[] {
  const seg10 = 10 * 5280;
  const recs: Rec[] = [];
  for (let v = 1; v <= 52; v++) recs.push(report(v - 1, v, 20, 0, 1, 0, seg10 + 100));
  recs.push(report(60, 900, 20, 0, 1, 0, seg10 + 200));
  recs.push(report(90, 900, 20, 0, 4, 0, seg10 + 900));
  recs.push(report(130, 900, 20, 0, 0, 0, seg10 + 300));
  recs.push(balance(140, 900, 7));
  return recs;
}

function run(parallelism: number, recs: readonly Rec[] = scenario()): unknown[] {
  const answers: unknown[] = [];
  const plan = lrbPlan({
    records: stream(recs),
    tolls: (vid, day, xway) => (vid === 100 && day === 3 && xway === 0 ? 42 : 0),
    carsParallelism: parallelism,
    segmentsParallelism: parallelism,
    accountsParallelism: parallelism,
    collect: (a) => answers.push(a),
  });
  const rt = new InProcessRuntime(physicalPlan(plan), { batchSize: 7 });
  rt.start();
  rt.run();
  return answers;
}

describe("Linear Road queries", () => {
  it("charges a toll where a segment was congested, notifies an accident ahead, and answers balances", () => {
    const answers = run(1) as Record<string, number>[];
    const of = (type: number, vid: number) => answers.filter((a) => a.type === type && a.vid === vid);
    // Car 100 enters segment 10 in minute 2: 60 cars there in minute 1 at 30 mph.
    expect(of(0, 100)).toEqual([
      { type: 0, vid: 100, time: 70, lav: 0, toll: 0 },
      { type: 0, vid: 100, time: 100, lav: 30, toll: 200 },
      { type: 0, vid: 100, time: 130, lav: 0, toll: 0 },
    ]);
    // Cars 200 and 201 stop at position 30000 (segment 5) by t=90; car 300 enters segment 2 in minute 3.
    expect(of(1, 300)).toEqual([{ type: 1, time: 125, seg: 5, vid: 300, xway: 0, dir: 0 }]);
    expect(of(0, 300)).toEqual([{ type: 0, vid: 300, time: 125, lav: 0, toll: 0 }]);
    // The 200 toll of segment 10 was charged when car 100 entered segment 11.
    expect(answers.filter((a) => a.type === 2)).toEqual([
      { type: 2, time: 140, resultTime: 140, qid: 1, bal: 200 },
    ]);
    expect(answers.filter((a) => a.type === 3)).toEqual([{ type: 3, time: 150, qid: 2, bal: 42 }]);
    expect(answers.filter((a) => a.type === 0)).toHaveLength(60 + 2 + 3 + 1);
  });

  it("treats a car back by the entrance lane after leaving by the exit lane as entering, even into the same segment", () => {
    for (const parallelism of [1, 3]) {
      const answers = run(parallelism, reentry()) as Record<string, number>[];
      expect(answers.filter((a) => a.vid === 900)).toEqual([
        { type: 0, vid: 900, time: 60, lav: 20, toll: 8 },
        { type: 0, vid: 900, time: 130, lav: 20, toll: 0 },
      ]);
      // The toll of t=60 was charged when the car came back at t=130.
      expect(answers.filter((a) => a.type === 2)).toEqual([
        { type: 2, time: 140, resultTime: 140, qid: 7, bal: 8 },
      ]);
    }
  });

  it("gives the same answers at any parallelism", () => {
    const key = (a: unknown) => JSON.stringify(a);
    const sorted = (xs: unknown[]) => xs.map(key).sort();
    expect(sorted(run(3))).toEqual(sorted(run(1)));
    expect(LR_FIELDS).toHaveLength(15);
  });
});
