// `seep lrb generate` as a user runs it: it writes the input file and the historical
// tolls beside it, the same bytes for the same seed, and refuses bad flags in one line.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seep } from "./spawnSeep.js";

const dir = mkdtempSync(join(tmpdir(), "seep-lrb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("seep lrb generate", () => {
  it("writes the records and the tolls, the same bytes twice", async () => {
    const runs = [];
    for (const name of ["a", "b"]) {
      const file = join(dir, name, "x.csv");
      mkdirSync(join(dir, name));
      const out = await seep(["lrb", "generate", "--xways", "1", "--duration", "60", "-o", file]);
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^\d+ records to .*x\.csv, \d+ historical tolls .* s wall clock\n$/);
      runs.push([readFileSync(file), readFileSync(`${file}.tolls`)]);
    }
    const [[records, tolls], [records2, tolls2]] = runs;
    expect(records.length).toBeGreaterThan(0);
    expect(tolls.length).toBeGreaterThan(0);
    expect(records.equals(records2)).toBe(true);
    expect(tolls.equals(tolls2)).toBe(true);
    const lines = records.toString("utf8").trimEnd().split("\n");
    for (const line of lines.slice(0, 100)) expect(line).toMatch(/^-?\d+(,-?\d+){14}$/);
    expect(tolls.toString("utf8").split("\n")[0]).toMatch(/^\d+,\d+,\d+,\d+$/);
  });

  it("reports its progress: the records by event time, then the tolls by car, each to its end", async () => {
    const { writeLrbFiles } = await import("../../cli/lrbFiles.js");
    const calls: [string, number, number][] = [];
    await writeLrbFiles(join(dir, "p.csv"), 1, 1, 300, 0, (phase, done, total) =>
      calls.push([phase, done, total]),
    );
    const phases = calls.map(([phase]) => phase);
    expect(phases.lastIndexOf("records")).toBeLessThan(phases.indexOf("tolls"));
    for (const phase of ["records", "tolls"]) {
      const mine = calls.filter(([p]) => p === phase);
      const total = mine[0][2];
      expect(
        mine.every(([, done, t], i) => t === total && done <= total && (i === 0 || done >= mine[i - 1][1])),
        phase,
      ).toBe(true);
      expect(mine.at(-1)?.[1], phase).toBe(total);
    }
    expect(calls.find(([p]) => p === "records")?.[2]).toBe(300);
  });

  it("refuses a bad flag value in one line", async () => {
    const out = await seep(["lrb", "generate", "--xways", "0", "-o", join(dir, "y.csv")]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^seep: --xways .*'0'\n$/);
  });
});
