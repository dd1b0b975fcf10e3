// `seep report`: writes a report where asked (or, by default, to a directory of its own) and
// prints where it is; an unknown report, a
// wrong flag or a report in the way (without --force) is a one-line error with a non-zero
// exit, never a stack trace.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("seep report", () => {
  it("writes the quick failure timeline where asked, and prints where it is", async () => {
    const out = await seep([
      "report",
      "failure-timeline",
      "--quick",
      "--seed",
      "1",
      "--quiet",
      "--out",
      join(scratch, "ft"),
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^report failure-timeline written in [\d.]+ s: .*ft\/index\.html\n$/);
    expect(existsSync(join(scratch, "ft", "figures", "throughput.png"))).toBe(true);
    // Its runs are kept beside it, for a report started again to go on from.
    expect(existsSync(join(scratch, "ft", "runs", "timeline"))).toBe(true);
  });

  it("without --out, writes each report to a new reports/<name>-quick/<time>, latest linking to the newest", async () => {
    const cwd = join(scratch, "cwd");
    mkdirSync(cwd);
    const args = ["report", "failure-timeline", "--quick", "--seed", "1", "--quiet"];
    const outs = [await seep(args, { cwd }), await seep(args, { cwd })];
    expect(outs.map((o) => o.code)).toEqual([0, 0]);
    const dirs = outs.map((o) => o.stdout.replace(/^.*: (.*)\/index\.html\n$/s, "$1"));
    for (const d of dirs) expect(d).toMatch(/^reports\/failure-timeline-quick\/\d{8}-\d{6}(-\d+)?$/);
    expect(dirs[0]).not.toBe(dirs[1]);
    for (const d of dirs) expect(existsSync(join(cwd, d, "index.html"))).toBe(true);
    expect(readlinkSync(join(cwd, "reports", "failure-timeline-quick", "latest"))).toBe(basename(dirs[1]));
  });

  it("refuses to overwrite a report without --force, before running anything", async () => {
    const dir = join(scratch, "kept");
    mkdirSync(dir);
    writeFileSync(join(dir, "index.html"), "keep me");
    const out = await seep(["report", "failure-timeline", "--quick", "--quiet", "--out", dir]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /^seep: --out .*kept: holds a report \(index\.html\); --force overwrites it, or choose another --out\n$/,
    );
    expect(readFileSync(join(dir, "index.html"), "utf8")).toBe("keep me");
  });

  it("refuses an unknown report and a wrong seed in one line, listing the reports", async () => {
    for (const [args, pattern] of [
      [["report", "nope"], /^seep: no report named 'nope' \(known: .*lrb-scaleout.*\)$/],
      [["report", "lrb-scaleout", "--seed", "x"], /^seep: --seed expects an integer >= 0, got 'x'$/],
    ] as const) {
      const out = await seep([...args]);
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr.trim().split("\n"), args.join(" ")).toEqual([expect.stringMatching(pattern)]);
    }
  });
});
