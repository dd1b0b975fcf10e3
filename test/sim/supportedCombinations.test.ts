import { describe, expect, it } from "vitest";
import { FT_STRATEGIES } from "../../engine/index.js";
import { ExperimentError, parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { SUPPORTED_RECONFIGURATIONS, unsupportedCombination } from "../../sim/supportedCombinations.js";
import { workloadNamed } from "../../workloads/index.js";

/** A small word count under `strategy` with `scaling`. */
function experiment(strategy: string, scaling: Record<string, unknown> = {}) {
  return parseExperiment(
    {
      name: "combinations",
      workload: { name: "wordcount", params: { lines: 1000, parallelism: 2 } },
      cluster: { vms: 3 },
      faultTolerance: { strategy },
      scaling,
    },
    "test",
  );
}

const scaleOut = { scaleOuts: [{ operator: "count", atMs: 1000, factor: 2 }] };
const migration = { scaleOuts: [{ operator: "count", atMs: 1000, factor: 1 }] };
const scaleIn = { scaleIns: [{ operator: "count", atMs: 1000 }] };
const rule = (action: string) => ({
  policy: "threshold",
  rules: [{ action, metric: "cpu", threshold: 0.5, forMs: 1000 }],
});
const live = { stateTransfer: "live" };

/** Each reconfiguration of the table, how an experiment asks for it, and where it works today. */
const TABLE: [string, Record<string, unknown>, string[]][] = [
  ["scaling.scaleOuts", scaleOut, ["none", "rsm"]],
  ["scaling.scaleOuts (a migration, factor 1)", migration, ["none", "rsm"]],
  ["scaling.rules (action scaleOut)", rule("scaleOut"), ["none", "rsm"]],
  ["scaling.scaleIns", scaleIn, ["none"]],
  ["scaling.rules (action scaleIn)", rule("scaleIn"), ["none"]],
  ["scaling.stateTransfer: live", live, ["none", "rsm"]],
];

describe("unsupportedCombination", () => {
  it("an experiment that does not reconfigure is supported under every strategy", () => {
    for (const strategy of FT_STRATEGIES) expect(unsupportedCombination(experiment(strategy))).toBeNull();
  });

  for (const [setting, scaling, supported] of TABLE) {
    it(`${setting} is supported under ${supported.join(" and ")} only, and refused in one line naming it and the strategy`, () => {
      for (const strategy of FT_STRATEGIES) {
        const refused = unsupportedCombination(experiment(strategy, scaling));
        if (supported.includes(strategy)) expect(refused, strategy).toBeNull();
        else
          expect(refused, strategy).toBe(
            `${setting} under strategy ${strategy} is not supported yet (supported: ${supported.join(", ")})`,
          );
      }
    });
  }

  it("the table has one row per reconfiguration, each with the strategies of the header", () => {
    expect(SUPPORTED_RECONFIGURATIONS.map((r) => [r.setting, r.strategies])).toEqual(
      TABLE.map(([setting, , supported]) => [setting, supported]),
    );
  });

  it("counts a policy's rules only under the threshold policy (the default rules are there under none)", () => {
    expect(unsupportedCombination(experiment("global-snapshot"))).toBeNull();
    expect(experiment("global-snapshot").scaling.rules.length).toBeGreaterThan(0);
    expect(unsupportedCombination(experiment("global-snapshot", { policy: "threshold" }))).toMatch(
      /^scaling\.rules \(action scaleOut\) under strategy global-snapshot/,
    );
  });

  it("names the first unsupported reconfiguration when several are asked for", () => {
    expect(unsupportedCombination(experiment("rsm", { ...scaleOut, ...scaleIn, ...live }))).toMatch(
      /^scaling\.scaleIns under strategy rsm/,
    );
  });

  it("is what the simulation refuses at construction, before any run", () => {
    const e = experiment("upstream-backup", scaleOut);
    const plan = workloadNamed("wordcount").plan(e.workload.params, e.seed);
    expect(() => new Simulation(e, plan)).toThrow(ExperimentError);
    expect(() => new Simulation(e, plan)).toThrow(unsupportedCombination(e) as string);
  });
});
