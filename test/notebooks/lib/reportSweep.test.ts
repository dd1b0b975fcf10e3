// A notebook's sweep: its runs kept under the report's runs directory and done once (a
// report started again goes on from them), counted over the report's runs, and a stopped
// sweep an interruption of the report, not a report of part of its runs.

import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReportInterrupted, withReportSweep } from "../../../notebooks/lib/reportSweep.js";

const raw = {
  name: "tiny",
  workload: { name: "wordcount", params: { lines: 400 } },
  cluster: { vms: 3 },
};
const sweep = { experiment: { raw, where: "test" }, points: [{ values: [] }], seeds: [1, 2], jobs: 1 };
const root = mkdtempSync(join(tmpdir(), "report-sweep-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("withReportSweep", () => {
  it("keeps the runs under runsDir/<name>, counts them, and does them once", async () => {
    const counted: string[] = [];
    let expected = 0;
    const runs = { expect: (n: number) => (expected += n), finished: (w: string) => counted.push(w) };
    const o = { quick: true, runsDir: join(root, "runs"), runs };
    const first = await withReportSweep(
      o,
      "s",
      sweep,
      (r) => `seed ${r.seed}`,
      (result, dir) => {
        for (const r of result.rows) expect(readdirSync(join(dir, r.run ?? ""))).toContain("summary.json");
        return result.rows.map((r) => r.summary?.outputDigest);
      },
    );
    expect(expected).toBe(2);
    expect(counted.sort()).toEqual(["seed 1", "seed 2"]);
    // Again: nothing left to run, the same results.
    const again = await withReportSweep(
      o,
      "s",
      sweep,
      () => "",
      (result) => result.rows.map((r) => r.summary?.outputDigest),
    );
    expect(again).toEqual(first);
    expect(expected).toBe(2);
  });

  it("tells how far the runs under way are, from the pool's processes, between their ends", async () => {
    const shares: number[] = [];
    const runs = { expect: () => {}, finished: () => {}, within: (n: number) => shares.push(n) };
    const long = {
      ...sweep,
      experiment: {
        raw: { ...raw, workload: { name: "wordcount", params: { lines: 10_000 } } },
        where: "test",
      },
      seeds: [3],
    };
    await withReportSweep(
      { quick: true, runs },
      "p",
      long,
      () => "",
      () => undefined,
    );
    // Shares of a run under way (0 to 1), the last after it ended: none left under way.
    expect(shares.some((x) => x > 0 && x <= 1)).toBe(true);
    expect(shares.at(-1)).toBe(0);
  });

  it("without runsDir, runs in a temporary directory removed afterwards", async () => {
    let seen = "";
    await withReportSweep(
      { quick: true },
      "t",
      sweep,
      () => "",
      (_r, dir) => {
        seen = dir;
        expect(existsSync(dir)).toBe(true);
      },
    );
    expect(existsSync(seen)).toBe(false);
  });

  it("an aborted signal stops it with ReportInterrupted, not a report of part of its runs", async () => {
    const controller = new AbortController();
    controller.abort();
    const use = () => "built";
    await expect(
      withReportSweep({ quick: true, signal: controller.signal }, "u", sweep, () => "", use),
    ).rejects.toThrow(ReportInterrupted);
  });
});
