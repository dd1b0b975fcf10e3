// The failure-timeline report at its tiny size (two seeds), built once for this file:
// what every report holds (reportShape.ts); one dashed or solid line per strategy and the
// failure-free run, the crash and its detection marked; every run's recovery present and
// its output exactly the failure-free one; the recovery table recomputed here from the
// table of every run (a median and a Student t interval written out in this file, not
// lab/stats.ts); the timeline's rsm line recomputed from a simulation of the same run in
// this process (not the pool, metrics.csv and its reader); SEEP's ordering where these
// deterministic seeds make it meaningful; and every quotation in "Beside the papers"
// found in the papers' texts.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseHTML } from "linkedom";
import { beforeAll, describe, expect, it } from "vitest";
import { STRATEGIES, TINY, timelineExperiment } from "../../notebooks/failureTimelineSetting.js";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";
import { expectReportInChromium } from "./chromium.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

let report: WrittenReport;
beforeAll(async () => {
  report = await writeTinyReport("failure-timeline", mkdtempSync(join(tmpdir(), "report-")));
}, 120_000);

it("in headless Chromium: no console errors, figures drawn, texts apart, tooltips, tables scroll", (ctx) =>
  expectReportInChromium(ctx, report));

const data = <T>(name: string) =>
  JSON.parse(readFileSync(join(report.dir, "data", `${name}.json`), "utf8")) as T[];

interface RunRow {
  strategy: string;
  seed: number;
  lost: string;
  failedAtMs: number;
  detectedAtMs: number;
  restoredAtMs: number;
  caughtUpAtMs: number | null;
  recoveryMs: number | null;
  exact: string;
}
interface RecoveryRow {
  strategy: string;
  runs: number;
  medianMs: number;
  meanMs: number;
  ci95LowMs: number | null;
  ci95HighMs: number | null;
  perSeedMs: string;
  exact: string;
}
const LABELS = STRATEGIES.map((s) => s.label);

it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
  expectReportShape("failure-timeline", report);
});

it("draws every strategy and the failure-free run, dashed apart, around the crash and its detection", () => {
  const { document } = parseHTML(readFileSync(report.html, "utf8"));
  for (const id of ["throughput", "latency"]) {
    const svg = document.querySelector(`figure#${id} svg`)!;
    const paths = [...svg.querySelectorAll("path.series")];
    expect(paths.map((p) => p.getAttribute("data-name"))).toEqual([...LABELS, "failure-free"]);
    const dashes = paths.map((p) => p.getAttribute("stroke-dasharray") ?? "");
    // Every dashed line has a pattern of its own; at most one strategy is solid besides the failure-free run.
    expect(new Set(dashes.filter((d) => d !== "")).size).toBe(dashes.filter((d) => d !== "").length);
    expect(dashes.filter((d) => d === "").length).toBeLessThanOrEqual(2);
    const marks = [...svg.querySelectorAll("g.marker text")].map((t) => t.textContent).join(" | ");
    expect(marks).toMatch(/VM 3 crashes/);
    expect(marks).toMatch(/detected/);
  }
});

describe("the runs", () => {
  it("every strategy recovers count#3 with every seed, each output exactly the failure-free run's", () => {
    const runs = data<RunRow>("runs");
    expect(runs).toHaveLength(LABELS.length * TINY.seeds.length);
    expect(runs.map((r) => `${r.strategy}/${r.seed}`)).toEqual(
      LABELS.flatMap((l) => TINY.seeds.map((s) => `${l}/${s}`)),
    );
    for (const r of runs) {
      const what = `${r.strategy}, seed ${r.seed}`;
      expect(r.lost, what).toBe("count#3");
      expect(r.failedAtMs, what).toBe(TINY.crashAtMs);
      expect(r.detectedAtMs, what).toBeGreaterThan(r.failedAtMs);
      expect(r.restoredAtMs, what).toBeGreaterThan(r.detectedAtMs);
      expect(r.recoveryMs, what).not.toBeNull();
      // Summaries round times to µs: the two agree to that.
      expect(r.caughtUpAtMs, what).toBeCloseTo(r.failedAtMs + (r.recoveryMs as number), 3);
      expect(r.exact, what).toBe("true");
    }
  });

  it("recover in SEEP's order with each of these seeds: parallel rsm, rsm, upstream backup, source replay", () => {
    // The simulator is deterministic and these seeds fixed: the gaps (seconds) are the setting's, not chance's.
    const runs = data<RunRow>("runs");
    for (const seed of TINY.seeds) {
      const ms = (label: string) =>
        runs.find((r) => r.strategy === label && r.seed === seed)?.recoveryMs as number;
      expect(ms("parallel rsm"), `seed ${seed}`).toBeLessThan(ms("rsm"));
      expect(ms("rsm"), `seed ${seed}`).toBeLessThan(ms("upstream-backup"));
      expect(ms("upstream-backup"), `seed ${seed}`).toBeLessThan(ms("source-replay"));
    }
  });
});

describe("the tables, computed again", () => {
  it("each strategy's median, mean and 95% interval are those of its runs' recovery times", () => {
    const runs = data<RunRow>("runs");
    const table = data<RecoveryRow>("recoveries");
    expect(table.map((r) => r.strategy)).toEqual(LABELS);
    // Two seeds: one degree of freedom, whose t quantile has a closed form, tan(pi (p - 1/2)).
    expect(TINY.seeds).toHaveLength(2);
    const t975 = Math.tan(Math.PI * (0.975 - 0.5));
    for (const row of table) {
      const xs = runs.filter((r) => r.strategy === row.strategy).map((r) => r.recoveryMs as number);
      const [a, b] = xs;
      const m = (a + b) / 2;
      const sd = Math.abs(a - b) / Math.SQRT2;
      expect(row.runs).toBe(2);
      // The table keeps whole ms.
      expect(Math.abs(row.medianMs - m), row.strategy).toBeLessThanOrEqual(0.5);
      expect(Math.abs(row.meanMs - m), row.strategy).toBeLessThanOrEqual(0.5);
      expect(row.ci95LowMs, row.strategy).toBeCloseTo(m - (t975 * sd) / Math.SQRT2, 0);
      expect(row.ci95HighMs, row.strategy).toBeCloseTo(m + (t975 * sd) / Math.SQRT2, 0);
      expect(row.perSeedMs, row.strategy).toBe(xs.join(" "));
      expect(row.exact, row.strategy).toBe("2 of 2");
    }
  });

  it("the recovered figure steps at every run's recovery time", () => {
    const runs = data<RunRow>("runs");
    const rows = data<{ strategy: string; seed: number; recoveryS: number }>("recovered");
    expect(rows.map((r) => [r.strategy, r.seed, r.recoveryS])).toEqual(
      runs.map((r) => [r.strategy, r.seed, (r.recoveryMs as number) / 1000]),
    );
  });

  it("the rsm timeline is that of the same run simulated here, summed per second", () => {
    const seed = TINY.seeds[0];
    const rsm = STRATEGIES[0];
    const e = parseExperiment(timelineExperiment(TINY, rsm, seed), "failure-timeline");
    const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed));
    const summary = sim.run();
    // Its recovery is the report's run of the same strategy and seed.
    const run = data<RunRow>("runs").find((r) => r.strategy === rsm.label && r.seed === seed)!;
    expect(summary.recoveries[0].recoveryMs).toBe(run.recoveryMs);
    // Tuples out per second: the 100 ms intervals whose end falls in the second.
    const out = new Map<number, number>();
    const p99 = new Map<number, number>();
    for (const r of sim.metrics.rows()) {
      const second = Math.ceil(Number((r.timeS - 1e-6).toFixed(6)));
      out.set(second, (out.get(second) ?? 0) + r.tuplesOut);
      if (Number.isFinite(r.latencyP99Ms)) p99.set(second, Math.max(p99.get(second) ?? 0, r.latencyP99Ms));
    }
    const throughput = data<Record<string, number | null>>("throughput");
    const latency = data<Record<string, number | null>>("latency");
    const firstS = TINY.crashAtMs / 1000 - TINY.beforeS + 1;
    expect(throughput.map((r) => r.timeS)).toEqual(
      Array.from({ length: TINY.beforeS + TINY.afterS }, (_, i) => firstS + i),
    );
    expect(throughput.some((r) => r.rsm === 0)).toBe(true); // the crash's gap is drawn
    for (const [i, r] of throughput.entries()) {
      expect(r.rsm, `${r.timeS} s`).toBe(out.get(r.timeS as number) ?? 0);
      // metrics.csv keeps six significant digits.
      const want = p99.get(r.timeS as number);
      if (want === undefined) expect(latency[i].rsm, `${r.timeS} s`).toBeNull();
      else expect(latency[i].rsm as number, `${r.timeS} s`).toBeCloseTo(want, 1);
    }
  });
});

/** The papers' texts, whitespace made single spaces (null when shared/ is not beside the clone). */
function papers(): string | null {
  const dir = fileURLToPath(new URL("../../../shared/seeds", import.meta.url));
  if (!existsSync(dir)) return null;
  return readdirSync(dir)
    .filter((f) => f.startsWith("000_") || f.startsWith("004_"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n")
    .replace(/\s+/g, " ");
}

describe("beside the papers", () => {
  const note = () => {
    const { document } = parseHTML(readFileSync(report.html, "utf8"));
    const h = [...document.querySelectorAll("h2")].find((x) => x.textContent === "Beside the papers");
    expect(h).toBeDefined();
    const ps: string[] = [];
    for (let e = h?.nextElementSibling; e?.tagName === "P"; e = e.nextElementSibling)
      ps.push(e.textContent ?? "");
    return ps.join("\n");
  };

  it.skipIf(papers() === null)("quotes only what the papers' texts say", () => {
    const text = papers() as string;
    const quotes = [...note().matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(quotes.length).toBeGreaterThan(5);
    for (const q of quotes) expect(text, q).toContain(q.replace(/\s+/g, " "));
  });

  it("gives this run's medians, as the recovery table has them, and says the ordering is SEEP's", () => {
    const text = note();
    for (const row of data<RecoveryRow>("recoveries"))
      expect(text, row.strategy).toContain(
        `${row.strategy} ${(row.medianMs / 1000).toFixed(1)} s (mean ${(row.meanMs / 1000).toFixed(2)} s, 95% CI of the mean`,
      );
    expect(text).toContain("The ordering is SEEP's");
    expect(text).toContain("Parallel recovery onto 2 VMs is");
    expect(text).not.toContain("NOT");
  });
});
