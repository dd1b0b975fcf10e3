// `seep lrb rate --mode sim` as a user runs it, over a small early window (its traffic is
// light and quick to generate): the search, the table with its reason column, the final
// line, the files of each L, and one-line refusals of flags that belong to the other mode.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seep } from "./spawnSeep.js";

const dir = mkdtempSync(join(tmpdir(), "seep-lrb-rate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rows of the rate table: L, valid, late, reason. */
function rows(stdout: string): { xways: number; valid: string; late: number; reason: string }[] {
  return stdout
    .split("\n")
    .map((line) => /^\s+(\d+)\s+\d+\s+\d+\s+(yes|no)\s+(\d+)\s+\S+\s+\S+ {2}(.+)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ xways: Number(m[1]), valid: m[2], late: Number(m[3]), reason: m[4] }));
}

describe("seep lrb rate --mode sim", () => {
  it("rates the simulator: every L up to the cap validates, and the rating is the cap", async () => {
    const out = join(dir, "fast");
    const r = await seep([
      "lrb",
      "rate",
      "--mode",
      "sim",
      "--from",
      "600",
      "--duration",
      "10",
      "--max-xways",
      "2",
      "--out",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rating the simulator: 2 simulated VMs of 1 core at speed 1 /);
    expect(r.stdout).toMatch(/\ncost model: the lrb preset's .*cars \d/);
    expect(r.stdout).toContain("reason\n");
    expect(rows(r.stdout)).toEqual([
      { xways: 1, valid: "yes", late: 0, reason: "-" },
      { xways: 2, valid: "yes", late: 0, reason: "-" },
    ]);
    expect(r.stdout).toMatch(
      /\nL-rating: 2 \(simulator, 2 simulated VMs .*over event time \[600, 610\) s;.*--max-xways 2 reached, it may be higher\)\n$/,
    );
    for (const l of ["L1", "L2"]) {
      expect(existsSync(join(out, l, "input.csv"))).toBe(true);
      expect(readFileSync(join(out, l, "report.txt"), "utf8")).toMatch(/^Linear Road validation: VALID\n/);
      // Emit is virtual time, within the window and its 5 s deadline.
      const emits = readFileSync(join(out, l, "answers.csv"), "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => Number(line.split(",")[2]));
      expect(emits.length).toBeGreaterThan(0);
      expect(Math.min(...emits)).toBeGreaterThanOrEqual(600);
      expect(Math.max(...emits)).toBeLessThanOrEqual(615);
    }
  });

  it("keeps a rating already in --out unless --force, in one line, before any run", async () => {
    const held = join(dir, "held");
    mkdirSync(join(held, "L1"), { recursive: true });
    writeFileSync(join(held, "L1", "report.txt"), "keep me");
    const r = await seep([
      "lrb",
      "rate",
      "--mode",
      "sim",
      "--duration",
      "10",
      "--max-xways",
      "1",
      "--out",
      held,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^seep: --out .*held: holds a rating \(L1\/\); --force overwrites it, or choose another --out\n$/,
    );
    expect(readFileSync(join(held, "L1", "report.txt"), "utf8")).toBe("keep me");
  });

  it("says why an L fails: a VM far too slow for the window is cut off with answers missing", async () => {
    const r = await seep([
      "lrb",
      "rate",
      "--mode",
      "sim",
      "--from",
      "1800",
      "--duration",
      "10",
      "--max-xways",
      "4",
      "--vms",
      "1",
      "--vm-speed",
      "0.001",
      "--out",
      join(dir, "slow"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rating the simulator: 1 simulated VM of 1 core at speed 0.001 /);
    const [first, ...rest] = rows(r.stdout);
    expect(rest).toEqual([]);
    expect(first.xways).toBe(1);
    expect(first.valid).toBe("no");
    // 10 s of window and a 30 s margin: cut off 40 s after the window's start.
    const late = first.late === 0 ? "" : `late ${first.late}, `;
    expect(first.reason).toMatch(new RegExp(`^cut off after 40 s, ${late}missing [1-9]\\d*$`));
    expect(r.stdout).toMatch(/\nL-rating: 0 \(simulator, /);
  });

  it("refuses a flag of the other mode in one line", async () => {
    const sim = await seep(["lrb", "rate", "--mode", "sim", "--workers", "3"]);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toBe("seep: --workers is for --mode real (this is --mode sim)\n");
    const real = await seep(["lrb", "rate", "--vms", "3"]);
    expect(real.code).toBe(2);
    expect(real.stderr).toBe("seep: --vms is for --mode sim (this is --mode real)\n");
    const bad = await seep(["lrb", "rate", "--mode", "sim", "--vm-speed", "fast"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("seep: --vm-speed expects a number > 0, got 'fast'\n");
    const slow = await seep(["lrb", "rate", "--mode", "sim", "--vm-speed", "0.0001"]);
    expect(slow.code).toBe(2);
    expect(slow.stderr).toBe("seep: --vm-speed expects a number from 0.001 to 1000, got 0.0001\n");
  });
});
