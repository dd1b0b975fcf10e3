// The Linear Road validator on a hand-made input whose answers are worked out by hand
// from README.md: a congested slow segment that tolls the next minute, the charge and a
// balance query, an accident and its notification, daily expenditure from a tolls file.
// Then the validator, given those answers, passes them and catches each kind of mistake.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatAnswer, type LrAnswer } from "../../../workloads/linearRoad/schema.js";
import {
  answerKey,
  type Expected,
  expectedAnswers,
  formatReport,
  LrFileError,
  parseAnswerLine,
  readAnswers,
  type ValidationReport,
  validate,
} from "../../../workloads/linearRoad/validator/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lr-validator-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A position report on expressway 0: `0,Time,VID,Spd,XWay,Lane,Dir,Seg,Pos,-1,...`. */
function report(
  time: number,
  vid: number,
  spd: number,
  pos: number,
  opts: { lane?: number; dir?: number } = {},
) {
  const seg = Math.floor(pos / 5280);
  return {
    time,
    line: `0,${time},${vid},${spd},0,${opts.lane ?? 1},${opts.dir ?? 0},${seg},${pos},-1,-1,-1,-1,-1,-1`,
  };
}
const balanceQuery = (time: number, vid: number, qid: number) => ({
  time,
  line: `2,${time},${vid},-1,-1,-1,-1,-1,-1,${qid},-1,-1,-1,-1,-1`,
});
const expenditureQuery = (time: number, vid: number, xway: number, day: number, qid: number) => ({
  time,
  line: `3,${time},${vid},-1,${xway},-1,-1,-1,-1,${qid},-1,-1,-1,-1,${day}`,
});

/** Segment 10, 20 and 17 of expressway 0, direction 0, in feet. */
const SEG10 = 10 * 5280;
const ACCIDENT_POS = 20 * 5280 + 500;

/**
 * - minute 1: 52 cars (VIDs 100..151) report once each in segment 10 at 20 or 21 mph:
 *   NOV(2) = 52, LAV(2) = round(1066 / 52 = 20.5) = 21;
 * - car 1 enters segment 10 at t=60 (minute 2): toll 2 * (52 - 50)^2 = 8, charged when it
 *   enters segment 11 at t=90; balance queries at t=90 (listed before that report) and 120;
 * - cars 200 and 201 report 4 times at one position of segment 20: the accident is detected
 *   at t=95 (minute 2), active from minute 3; car 200 moves at t=150, clearing it in minute 3;
 * - car 203 enters segment 18 at t=100 (minute 2: too early), car 202 segment 17 at t=130
 *   (minute 3: notified), car 204 segment 19 at t=190 (minute 4: cleared);
 * - daily expenditure queries of car 1 on day 5 (in the tolls file) and day 7 (not in it).
 */
function handMadeInput(): string[] {
  const records = [];
  for (let i = 0; i < 52; i++) records.push(report(i, 100 + i, i % 2 === 0 ? 20 : 21, SEG10 + 100));
  records.push(report(60, 1, 30, SEG10 + 200));
  records.push(balanceQuery(90, 1, 1)); // same second as the charging report, listed first
  records.push(report(90, 1, 30, 11 * 5280 + 120));
  records.push(balanceQuery(120, 1, 2));
  for (const t of [0, 30, 60, 90]) records.push(report(t, 200, 0, ACCIDENT_POS));
  for (const t of [5, 35, 65, 95]) records.push(report(t, 201, 0, ACCIDENT_POS));
  records.push(report(100, 203, 50, 18 * 5280 + 10));
  records.push(report(130, 202, 50, 17 * 5280 + 10));
  records.push(expenditureQuery(140, 1, 0, 5, 3));
  records.push(report(150, 200, 10, 21 * 5280 + 10));
  records.push(expenditureQuery(150, 1, 0, 7, 4));
  records.push(report(190, 204, 50, 19 * 5280 + 10));
  return records.sort((a, b) => a.time - b.time).map((r) => r.line); // a stable sort keeps same-second order
}

const inputPath = join(scratch, "input.csv");
const tollsPath = join(scratch, "input.csv.tolls");
writeFileSync(inputPath, `${handMadeInput().join("\n")}\n`);
writeFileSync(tollsPath, "1,5,0,37\n1,6,0,11\n1,5,1,99\n");
const expected = expectedAnswers(inputPath, tollsPath);

/** The expected answer under `key`. */
function answer(key: string): LrAnswer {
  const e = expected.get(key);
  expect(e, `expected an answer ${key}`).toBeDefined();
  return e!.answer;
}

/** The correct output: every expected answer, Emit = Time. */
const correctLines = [...expected.values()].map((e) => formatAnswer(e.answer));

/** Validates `lines` written to a fresh file. */
let files = 0;
function validateLines(
  lines: readonly string[],
  exp: ReadonlyMap<string, Expected> = expected,
): ValidationReport {
  const path = join(scratch, `output-${files++}.csv`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return validate(exp, path);
}

/** `correctLines` with the line of `key` replaced by `f(line)` (or dropped when f returns null). */
function edit(key: string, f: (line: string) => string | string[] | null): string[] {
  const target = formatAnswer(answer(key));
  return correctLines.flatMap((l) => (l === target ? (f(l) ?? []) : [l]));
}

/** The kinds of mismatch with a non-zero count. */
function kinds(r: ValidationReport): string[] {
  return Object.entries(r.mismatches)
    .filter(([, m]) => m.count > 0)
    .map(([k]) => k);
}

describe("Linear Road reference answers", () => {
  it("tolls a car entering a congested slow segment 2 * (NOV - 50)^2 in the next minute, with the LAV rounded half up", () => {
    expect(formatAnswer(answer("0:1:60"))).toBe("0,1,60,60,21,8");
  });

  it("gives every segment entry a toll notification, toll 0 when the previous minute was quiet", () => {
    expect(formatAnswer(answer("0:100:0"))).toBe("0,100,0,0,0,0");
    expect(formatAnswer(answer("0:1:90"))).toBe("0,1,90,90,0,0");
    expect(expected.has("0:200:30")).toBe(false); // not a segment entry
  });

  it("charges the toll at the next segment entry, and a balance query sees the reports of its own second", () => {
    expect(formatAnswer(answer("2:1"))).toBe("2,90,90,90,1,8");
    expect(formatAnswer(answer("2:2"))).toBe("2,120,120,120,2,8");
  });

  it("notifies a car entering within 4 segments upstream of an accident in the minute after its detection", () => {
    expect(formatAnswer(answer("1:202:130"))).toBe("1,130,130,20,202,0,0");
    expect(formatAnswer(answer("0:202:130"))).toBe("0,202,130,130,0,0");
  });

  it("does not notify in the minute of detection, after the minute of clearing, or downstream of the accident", () => {
    expect(expected.has("1:203:100")).toBe(false);
    expect(expected.has("1:204:190")).toBe(false);
    expect(expected.has("1:200:150")).toBe(false); // segment 21 looks at 21..25
    expect(answer("0:204:190")).toMatchObject({ toll: 0 });
  });

  it("answers daily expenditure from the tolls file, 0 when the file has no such row", () => {
    expect(formatAnswer(answer("3:3"))).toBe("3,140,140,3,37");
    expect(formatAnswer(answer("3:4"))).toBe("3,150,150,4,0");
  });

  it("counts the expected answers of each type", () => {
    const byType = [0, 0, 0, 0];
    for (const e of expected.values()) byType[e.answer.type]++;
    // 52 + car 1 twice + cars 200, 201, 203, 202, 200 (moved), 204
    expect(byType).toEqual([60, 1, 2, 2]);
  });

  it("without a tolls file, expects daily expenditure answers whose balance it does not check", () => {
    const noTolls = expectedAnswers(inputPath, null);
    expect(noTolls.get("3:3")?.valueKnown).toBe(false);
    const r = validateLines(correctLines, noTolls);
    expect(r.ok).toBe(true);
    expect(r.unchecked).toBe(2);
  });
});

/**
 * Car 900 leaves by the exit lane and comes back by the entrance lane into the same segment,
 * a segment entry (README rule 4). 52 cars report once in segment 10 in minute 1 at 20 mph:
 * NOV(2) = 52, LAV(2) = 20. Car 900 enters segment 10 at t=60: toll 2 * (52 - 50)^2 = 8. At
 * t=90 it reports in the exit lane of segment 10: no entry, no answer, no charge. At t=130
 * (minute 3) it reports in the entrance lane of segment 10: an entry, so the 8 is charged
 * (rule 6) and it is notified with NOV(3) = 1 (car 900 alone in minute 2): toll 0, LAV(3) =
 * (52 * 20 + 20 + 20) / 54 = 20. A balance query at t=140 answers 8.
 */
function reentryInput(): string[] {
  const records = [];
  for (let i = 0; i < 52; i++) records.push(report(i, 100 + i, 20, SEG10 + 100));
  records.push(report(60, 900, 20, SEG10 + 200));
  records.push(report(90, 900, 20, SEG10 + 900, { lane: 4 }));
  records.push(report(130, 900, 20, SEG10 + 300, { lane: 0 }));
  records.push(balanceQuery(140, 900, 7));
  return records.map((r) => r.line);
}

describe("Linear Road reference answers, a car coming back into the segment it left", () => {
  const path = join(scratch, "reentry.csv");
  writeFileSync(path, `${reentryInput().join("\n")}\n`);
  const reentry = expectedAnswers(path, null);
  const lines = [...reentry.values()].map((e) => formatAnswer(e.answer));

  it("notifies the car entering again by the entrance lane, and charges its previous toll then", () => {
    expect(lines.filter((l) => l.startsWith("0,900,"))).toEqual(["0,900,60,60,20,8", "0,900,130,130,20,0"]);
    expect(reentry.has("0:900:90")).toBe(false); // the exit lane of the same segment: no entry
    expect(formatAnswer(reentry.get("2:7")!.answer)).toBe("2,140,140,140,7,8");
  });

  it("flags a run that misses the notification or the charge", () => {
    const r = validateLines(
      lines
        .filter((l) => l !== "0,900,130,130,20,0")
        .map((l) => (l.startsWith("2,") ? "2,140,140,140,7,0" : l)),
      reentry,
    );
    expect(kinds(r)).toEqual(["missing", "wrongValue"]);
    expect(r.mismatches.missing.examples[0].expected).toBe("0,900,130,130,20,0");
    expect(r.mismatches.wrongValue.examples[0]).toMatchObject({ expected: "2,140,140,140,7,8" });
    expect(validateLines(lines, reentry).ok).toBe(true);
  });
});

describe("validate", () => {
  it("passes the correct answers", () => {
    const r = validateLines(correctLines);
    expect(kinds(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.byType.map((c) => c.correct)).toEqual([60, 1, 2, 2]);
    expect(formatReport(r)).toMatch(/VALID/);
  });

  it("passes answers emitted exactly at the 5 s deadline, in any order", () => {
    const shifted = correctLines.map((l) => readLine(l)).map((a) => formatAnswer({ ...a, emit: a.time + 5 }));
    expect(validateLines(shifted.reverse()).ok).toBe(true);
  });

  it("catches a missing toll notification", () => {
    const r = validateLines(edit("0:1:60", () => null));
    expect(kinds(r)).toEqual(["missing"]);
    expect(r.mismatches.missing.examples[0]).toMatchObject({ expected: "0,1,60,60,21,8", got: [] });
    expect(r.byType[0]).toEqual({ expected: 60, found: 59, correct: 59 });
  });

  it("catches a wrong toll", () => {
    const r = validateLines(edit("0:1:60", () => "0,1,60,60,21,2"));
    expect(kinds(r)).toEqual(["wrongValue"]);
    expect(r.ok).toBe(false);
    expect(r.mismatches.wrongValue.examples[0].got[0]).toMatch(/0,1,60,60,21,2$/);
  });

  it("catches a wrong balance", () => {
    const r = validateLines(edit("2:2", () => "2,120,120,120,2,0"));
    expect(kinds(r)).toEqual(["wrongValue"]);
    expect(r.mismatches.wrongValue.examples[0].expected).toBe("2,120,120,120,2,8");
  });

  it("catches a duplicated answer", () => {
    const r = validateLines(edit("1:202:130", (l) => [l, l]));
    expect(kinds(r)).toEqual(["duplicate"]);
    expect(r.mismatches.duplicate.count).toBe(1);
    expect(r.mismatches.duplicate.examples[0].got).toHaveLength(2);
    expect(r.byType[1]).toEqual({ expected: 1, found: 2, correct: 0 });
  });

  it("catches a late answer, emitted 6 s after its input", () => {
    const r = validateLines(edit("3:3", () => "3,140,146,3,37"));
    expect(kinds(r)).toEqual(["late"]);
    expect(formatReport(r)).toMatch(/late .*: 1/);
  });

  it("catches an unexpected answer", () => {
    const r = validateLines([...correctLines, "1,100,100,20,203,0,0"]);
    expect(kinds(r)).toEqual(["unexpected"]);
    expect(r.mismatches.unexpected.examples[0]).toMatchObject({ expected: null });
  });

  it("keeps at most 5 examples of a kind but counts them all", () => {
    const r = validateLines(correctLines.filter((l) => !l.startsWith("0,1")));
    expect(r.mismatches.missing.count).toBe(54);
    expect(r.mismatches.missing.examples).toHaveLength(5);
    expect(formatReport(r)).toMatch(/missing: 54, first 5/);
  });
});

describe("readAnswers", () => {
  it("reads every answer type with its line number, passing over blank lines", () => {
    const path = join(scratch, "four.csv");
    writeFileSync(path, "0,1,60,61,21,8\n\n1,130,131,20,202,0,0\n2,90,90,90,1,8\n3,140,141,3,37\n");
    const got = readAnswers(path);
    expect(got.map((a) => a.line)).toEqual([1, 3, 4, 5]);
    expect(got.map((a) => formatAnswer(a.answer))).toEqual([
      "0,1,60,61,21,8",
      "1,130,131,20,202,0,0",
      "2,90,90,90,1,8",
      "3,140,141,3,37",
    ]);
    expect(answerKey(got[1].answer)).toBe("1:202:130");
  });

  it("rejects a malformed line with an error naming the file and the line", () => {
    const path = join(scratch, "bad.csv");
    writeFileSync(path, "0,1,60,61,21,8\n3,140,141,3\n");
    expect(() => readAnswers(path)).toThrow(LrFileError);
    expect(() => readAnswers(path)).toThrow(`${path}:2: type 3 has 5 fields, this line has 4`);
    writeFileSync(path, "0,1,60,6x,21,8\n");
    expect(() => readAnswers(path)).toThrow(`${path}:1: field 4 '6x' is not an integer`);
  });

  it("names a missing file in one line", () => {
    expect(() => readAnswers(join(scratch, "nope.csv"))).toThrow(/nope\.csv: no such file$/);
  });
});

/** The answer of a line known to be well formed. */
function readLine(line: string): LrAnswer {
  const a = parseAnswerLine(line);
  if (typeof a === "string") throw new Error(a);
  return a;
}
