// `seep lrb validate` as its command group runs it, in process: the report on stdout, exit
// 0 for a valid output and 1 otherwise, and one-line errors for missing or malformed files.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { lrbValidate, registerLrbValidate } from "../../cli/commands/lrbValidate.js";
import { reportError, routeParseErrors, UserError } from "../../cli/errors.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lrb-validate-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Writes `lines` to `name` in the scratch folder and returns its path. */
function file(name: string, lines: readonly string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

// Car 7 enters segment 3 at t=0 and segment 4 at t=30; it asks its balance at t=40 and
// its expenditure of day 2 at t=50.
const input = file("input.csv", [
  "0,0,7,55,0,1,0,3,15900,-1,-1,-1,-1,-1,-1",
  "0,30,7,55,0,1,0,4,21200,-1,-1,-1,-1,-1,-1",
  "2,40,7,-1,-1,-1,-1,-1,-1,1,-1,-1,-1,-1,-1",
  "3,50,7,-1,0,-1,-1,-1,-1,2,-1,-1,-1,-1,2",
]);
const tolls = file("tolls.csv", ["7,2,0,12"]);
const good = file("good.csv", ["0,7,0,1,0,0", "0,7,30,31,0,0", "2,40,42,40,1,0", "3,50,50,2,12"]);
const bad = file("bad.csv", ["0,7,0,1,0,0", "2,40,42,40,1,0", "3,50,50,2,11"]);

/** Runs `seep lrb validate ...args` in process; returns stdout and the exit code. */
async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((text) => {
    stdout += String(text);
    return true;
  });
  const program = new Command("seep");
  registerLrbValidate(program.command("lrb"));
  routeParseErrors(program);
  try {
    await program.parseAsync(["lrb", "validate", ...args], { from: "user" });
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } catch (err) {
    const code = reportError(err, (t) => {
      stderr += t;
    });
    return { code, stdout, stderr };
  }
}

describe("seep lrb validate", () => {
  it("prints the report and exits 0 when the output is valid", async () => {
    const r = await run(["--input", input, "--output", good, "--tolls", tolls]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/validation: VALID/);
    expect(r.code).toBe(0);
  });

  it("prints the mismatches and exits 1 when the output is not valid", async () => {
    const r = await run(["--input", input, "--output", bad, "--tolls", tolls]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/INVALID/);
    expect(r.stdout).toMatch(/missing: 1/);
    expect(r.stdout).toMatch(/expected 3,50,50,2,12/);
  });

  it("names a missing file in one line", async () => {
    const r = await run(["--input", join(scratch, "nope.csv"), "--output", good]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--input: cannot read .*nope\.csv/);
  });

  it("reports a bad input line with the reader's one-line message", async () => {
    const broken = file("broken.csv", [
      "0,0,7,55,0,1,0,3,15900,-1,-1,-1,-1,-1,-1",
      "0,30,7,555,0,1,0,4,21200",
    ]);
    await expect(lrbValidate({ input: broken, output: good }, () => {})).rejects.toThrow(UserError);
    const r = await run(["--input", broken, "--output", good]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/broken\.csv:2: /);
  });

  it("with --clamp-speeds, reads a speed of -1 as 0 and says on stderr how many lines it changed", async () => {
    const braking = file("braking.csv", [
      "0,0,7,-1,0,1,0,3,15900,-1,-1,-1,-1,-1,-1",
      "0,30,7,-1,0,1,0,4,21200,-1,-1,-1,-1,-1,-1",
      "2,40,7,-1,-1,-1,-1,-1,-1,1,-1,-1,-1,-1,-1",
      "3,50,7,-1,0,-1,-1,-1,-1,2,-1,-1,-1,-1,2",
    ]);
    const refused = await run(["--input", braking, "--output", good, "--tolls", tolls]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^seep: .*braking\.csv:1: spd: -1 is out of range 0\.\.100 \(--clamp-speeds .*\)\n$/,
    );
    let stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((text) => {
      stderr += String(text);
      return true;
    });
    const r = await run(["--input", braking, "--output", good, "--tolls", tolls, "--clamp-speeds"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validation: VALID/);
    expect(stderr).toBe(
      `seep: clamp speeds: 2 lines of ${braking} had a speed outside 0..100, clamped into it\n`,
    );
  });

  it("reports a malformed answer line naming the output file and the line", async () => {
    const malformed = file("malformed.csv", ["0,7,0,1,0,0", "9,1,2"]);
    const r = await run(["--input", input, "--output", malformed]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/malformed\.csv:2: unknown answer type '9'/);
  });

  it("requires --input and --output", async () => {
    const r = await run(["--input", input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--output/);
  });
});
