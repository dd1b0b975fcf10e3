// `seep report`: writes a report where asked and prints where it is; an unknown report or
// a wrong flag is a one-line error with a non-zero exit, never a stack trace.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("seep report", () => {
  it("writes the quick failure timeline where asked, and prints where it is", async () => {
    const out = await seep(
      ["report", "failure-timeline", "--quick", "--quiet", "--out", join(scratch, "ft")],
      {
        timeoutMs: 60_000,
      },
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^report failure-timeline written in [\d.]+ s: .*ft\/index\.html\n$/);
    expect(existsSync(join(scratch, "ft", "figures", "throughput.png"))).toBe(true);
  }, 60_000);

  it("refuses an unknown report and a wrong seed in one line, listing the reports", async () => {
    for (const [args, pattern] of [
      [["report", "nope"], /^seep: no report named 'nope' \(known: .*lrb-scaleout.*\)$/],
      [["report", "lrb-scaleout", "--seed", "x"], /^seep: --seed expects an integer >= 0, got 'x'$/],
    ] as const) {
      const out = await seep([...args]);
      expect(out.code, args.join(" ")).toBe(1);
      expect(out.stderr.trim().split("\n"), args.join(" ")).toEqual([expect.stringMatching(pattern)]);
    }
  });
});
