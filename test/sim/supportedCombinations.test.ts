import { describe, expect, it } from "vitest";
import { FT_STRATEGIES } from "../../engine/index.js";
import { ExperimentError, parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { SUPPORTED_RECONFIGURATIONS, unsupportedCombination } from "../../sim/supportedCombinations.js";
import { workloadPlan } from "../../workloads/index.js";

/** A small word count under `strategy` with `scaling` (and `parallelRecovery`, if given). */
function experiment(strategy: string, scaling: Record<string, unknown> = {}) {
  const { parallelRecovery, ...rest } = scaling;
  return parseExperiment(
    {
      name: "combinations",
      workload: { name: "wordcount", params: { lines: 1000, parallelism: 2 } },
      cluster: { vms: 3 },
      faultTolerance: { strategy, ...(parallelRecovery === undefined ? {} : { parallelRecovery }) },
      scaling: rest,
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
const STOPPING = [...FT_STRATEGIES];
const TABLE: [string, Record<string, unknown>, string[]][] = [
  ["scaling.scaleOuts", scaleOut, STOPPING],
  ["scaling.scaleOuts (a migration, factor 1)", migration, STOPPING],
  ["scaling.rules (action scaleOut)", rule("scaleOut"), STOPPING],
  ["scaling.scaleIns", scaleIn, STOPPING],
  ["scaling.rules (action scaleIn)", rule("scaleIn"), STOPPING],
  ["scaling.stateTransfer: live", live, STOPPING],
  ["faultTolerance.parallelRecovery", { parallelRecovery: 2 }, ["rsm"]],
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

  it("names the unsupported reconfiguration among several asked for", () => {
    expect(
      unsupportedCombination(
        experiment("upstream-backup", { ...scaleIn, ...live, ...migration, parallelRecovery: 2 }),
      ),
    ).toMatch(/^faultTolerance\.parallelRecovery under strategy upstream-backup/);
  });

  it("is what the simulation refuses at construction, before any run", () => {
    const e = experiment("upstream-backup", { ...scaleOut, ...live, parallelRecovery: 2 });
    const plan = workloadPlan("wordcount", e.workload.params, e.seed);
    expect(() => new Simulation(e, plan)).toThrow(ExperimentError);
    expect(() => new Simulation(e, plan)).toThrow(unsupportedCombination(e) as string);
  });
});
