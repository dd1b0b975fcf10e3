// The streamed validation against the in-memory one: on a generated run whose answers come
// slightly out of order, with every kind of mistake in them, both find the same; the
// streamed one holds a number of answers bounded by its lookahead, not by the run's length;
// and an answer further out of order than the lookahead is missing, its line unexpected.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { historicalTolls } from "../../../../workloads/linearRoad/historicalTolls.js";
import { formatRecordCsv, LrGenerator } from "../../../../workloads/linearRoad/index.js";
import { formatAnswer, type LrAnswer } from "../../../../workloads/linearRoad/schema.js";
import {
  type Expected,
  expectedAnswers,
  type ValidationReport,
  validate,
  validateFiles,
} from "../../../../workloads/linearRoad/validator/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lr-matcher-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The input and tolls files of a generated L=1 run of `durationS` seconds. */
function generatedRun(durationS: number): { input: string; tolls: string } {
  const input = join(scratch, `input-${durationS}.csv`);
  const g = new LrGenerator({ seed: 3, xways: 1, durationS });
  const row = new Float64Array(15);
  const lines: string[] = [];
  while (g.next(row)) lines.push(formatRecordCsv(row));
  writeFileSync(input, `${lines.join("\n")}\n`);
  const rows: string[] = [];
  for (const [vid, day, xway, toll] of historicalTolls(3, g.maxVid, 1))
    rows.push(`${vid},${day},${xway},${toll}`);
  writeFileSync(`${input}.tolls`, `${rows.join("\n")}\n`);
  return { input, tolls: `${input}.tolls` };
}

/** A seeded stream of numbers in [0, 1) (a linear congruential generator: enough for shuffling lines). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The line of `a` with Emit `emit`. */
const line = (a: LrAnswer, emit: number) => ({ emit, text: formatAnswer({ ...a, emit } as LrAnswer) });

/** A value of `a` changed, so that the answer is wrong. */
function wrong(a: LrAnswer): LrAnswer {
  switch (a.type) {
    case 0:
      return { ...a, toll: a.toll + 2 };
    case 1:
      return { ...a, seg: a.seg + 1 };
    default:
      return { ...a, bal: a.bal + 1 };
  }
}

/**
 * The answers of `expected` as a run with faults might write them: in Emit order, each line
 * then moved up to 5 lines on; 1 in 100 missing, wrong, late (6 to 15 s) or twice; and 1 in
 * 200 a line nobody asked for.
 */
function faultyAnswers(expected: ReadonlyMap<string, Expected>, path: string): void {
  const rnd = random(11);
  const out: { emit: number; text: string }[] = [];
  for (const { answer } of expected.values()) {
    const r = rnd();
    const emit = answer.time + Math.floor(rnd() * 4);
    if (r < 0.01) continue;
    if (r < 0.02) out.push(line(wrong(answer), emit));
    else if (r < 0.03) out.push(line(answer, answer.time + 6 + Math.floor(rnd() * 10)));
    else if (r < 0.04) out.push(line(answer, emit), line(answer, emit + Math.floor(rnd() * 3)));
    else out.push(line(answer, emit));
    if (r > 0.995 && answer.type === 0) out.push(line({ ...answer, vid: answer.vid + 1_000_000 }, emit));
  }
  out.sort((a, b) => a.emit - b.emit);
  for (let i = 0; i + 5 < out.length; i++) {
    const j = i + Math.floor(rnd() * 6);
    [out[i], out[j]] = [out[j], out[i]];
  }
  writeFileSync(path, `${out.map((l) => l.text).join("\n")}\n`);
}

/** The report without its memory figure, to compare findings. */
const findings = ({ retainedMax: _, ...rest }: ValidationReport) => rest;

describe("validateFiles", () => {
  const run = generatedRun(300);
  const expected = expectedAnswers(run.input, run.tolls);
  const output = join(scratch, "faulty.csv");
  faultyAnswers(expected, output);
  const whole = validate(expected, output);

  it("finds what the in-memory validation finds, every kind of mismatch included", () => {
    for (const k of ["missing", "duplicate", "wrongValue", "late", "unexpected"] as const)
      expect(whole.mismatches[k].count, k).toBeGreaterThan(0);
    const streamed = validateFiles({ ...run, output }).report;
    expect(findings(streamed)).toEqual(findings(whole));
  });

  it("finds the same with a lookahead far smaller than the file, holding a fraction of it", () => {
    const streamed = validateFiles({ ...run, output }, { lookaheadS: 30, lookaheadLines: 500 }).report;
    expect(findings(streamed)).toEqual(findings(whole));
    expect(whole.retainedMax).toBeGreaterThan(expected.size);
    expect(streamed.retainedMax).toBeLessThan(expected.size / 4);
  });

  it("holds answers bounded by its lookahead, not by the length of the run", () => {
    const lookahead = { lookaheadS: 20, lookaheadLines: 500 };
    for (const durationS of [300, 480]) {
      const r = generatedRun(durationS);
      const key = expectedAnswers(r.input, r.tolls);
      const answers = [...key.values()].map((e) => e.answer).sort((a, b) => a.time - b.time);
      const path = join(scratch, `key-${durationS}.csv`);
      writeFileSync(path, `${answers.map((a) => formatAnswer(a)).join("\n")}\n`);
      // At most: the lines read past the horizon, and the answers of lookaheadS + 2 s of Time.
      const perSecond = new Map<number, number>();
      for (const a of answers) perSecond.set(a.time, (perSecond.get(a.time) ?? 0) + 1);
      let window = 0;
      for (const t of perSecond.keys()) {
        let n = 0;
        for (let s = t; s <= t + lookahead.lookaheadS + 2; s++) n += perSecond.get(s) ?? 0;
        window = Math.max(window, n);
      }
      const { report } = validateFiles({ ...r, output: path }, lookahead);
      expect(report.ok).toBe(true);
      expect(report.retainedMax, `${durationS} s`).toBeLessThanOrEqual(lookahead.lookaheadLines + window);
      expect(report.retainedMax, `${durationS} s`).toBeLessThan(answers.length / 4);
    }
  });

  it("counts an answer written further out of order than the lookahead as missing, and its line as unexpected", () => {
    const answers = [...expected.values()].map((e) => e.answer);
    const first = answers.findIndex((a) => a.type === 0 && a.time >= 100);
    const moved = answers[first];
    const rest = answers.filter((_, i) => i !== first).sort((a, b) => a.time - b.time);
    const late = { ...moved, emit: moved.time + 100 };
    const path = join(scratch, "too-late.csv");
    const lines = [...rest.map((a) => formatAnswer(a)), formatAnswer(late as LrAnswer)];
    writeFileSync(path, `${lines.join("\n")}\n`);
    const files = { input: run.input, tolls: null, output: path };
    const small = validateFiles(files, { lookaheadS: 30, lookaheadLines: 500 }).report;
    expect(small.mismatches.missing.count).toBe(1);
    expect(small.mismatches.unexpected.count).toBe(1);
    expect(small.mismatches.late.count).toBe(0);
    // Within a lookahead that covers it, the same line is a late answer.
    const wide = validateFiles(files, { lookaheadS: 200, lookaheadLines: 500 }).report;
    expect(wide.mismatches.late.count).toBe(1);
    expect(wide.mismatches.missing.count + wide.mismatches.unexpected.count).toBe(0);
  });
});
