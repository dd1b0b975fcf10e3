// A Linear Road run that replays a file, as a user starts it: a malformed line is one line
// naming the file and the line before the run starts (no stack trace, no run directory),
// for `seep sim` and for `seep run`; `workload.params.clampSpeeds` accepts a speed of -1
// and says how many lines it changed.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clampedSpeedsLine } from "../../cli/lrbInput.js";
import { seep } from "./spawnSeep.js";

const dir = mkdtempSync(join(tmpdir(), "seep-lrb-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `lines` to `name` in the scratch folder and returns its path. */
function file(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

// Car 7 enters segment 3 at t=0 and segment 4 at t=30, braking hard at t=30 in the second file.
const good = ["0,0,7,55,0,1,0,3,15900,-1,-1,-1,-1,-1,-1", "0,30,7,50,0,1,0,4,21200,-1,-1,-1,-1,-1,-1"];
const malformed = file("malformed.csv", [good[0], "0,30,7,50,0,1,0,4"]);
const braking = file("braking.csv", [good[0], "0,30,7,-1,0,1,0,4,21200,-1,-1,-1,-1,-1,-1"]);

/** `seep <command> lrb` replaying `input`, with `more` arguments, into a fresh directory. */
async function replay(command: "sim" | "run", input: string, ...more: string[]) {
  const out = join(dir, `${command}-${Math.random().toString(36).slice(2)}`);
  const args = [command, "lrb", "--set", `workload.params.input=${input}`, "--out", out, "--yes", "--quiet"];
  const r = await seep([...args, ...more]);
  return { ...r, out };
}

describe("an lrb run replaying a file", () => {
  for (const command of ["sim", "run"] as const) {
    it(`seep ${command} reports a malformed line in one line naming the file and the line, and starts nothing`, async () => {
      const r = await replay(command, malformed);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `seep: preset lrb: workload.params.input: ${malformed}:2: line: expected 15 fields, got 8\n`,
      );
      expect(existsSync(r.out)).toBe(false);
    });
  }

  it("seep sim refuses a speed of -1, and with clampSpeeds reads it as 0 and says how many lines it changed", async () => {
    const refused = await replay("sim", braking);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /braking\.csv:2: spd: -1 is out of range 0\.\.100 \(workload\.params\.clampSpeeds/,
    );
    const r = await replay("sim", braking, "--set", "workload.params.clampSpeeds=true");
    expect(r.stderr).toBe(`seep: ${clampedSpeedsLine(braking, 1)}\n`);
    expect(r.code).toBe(0);
    // Car 7's two toll notifications: the second read a speed of 0.
    expect(readFileSync(join(r.out, "answers.csv"), "utf8")).toMatch(/^0,7,0,\d+,0,0\n0,7,30,\d+,0,0\n$/);
  });

  it("says a clamped line in the singular", () => {
    expect(clampedSpeedsLine("a.csv", 1)).toBe(
      "clamp speeds: 1 line of a.csv had a speed outside 0..100, clamped into it",
    );
    expect(clampedSpeedsLine("a.csv", 0)).toMatch(/^clamp speeds: 0 lines of a\.csv/);
  });
});
