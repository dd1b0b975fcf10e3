// The experiment schema: defaults, the documented ranges (a value out of range names its
// path, the range and the value), the VM counts that must fit the pool, and the checks
// that need the workload's plan (edge VMs, operator names).

import { describe, expect, it } from "vitest";
import {
  checkExperimentPlan,
  ExperimentError,
  PRESETS,
  parseExperiment,
  presetNames,
  TIME_MS_MAX,
  VMS_MAX,
} from "../../sim/index.js";
import { workloadPlan } from "../../workloads/index.js";

const base = { workload: { name: "wordcount" } };

/** The ExperimentError's message for `raw`. */
function refusal(raw: unknown): string {
  try {
    parseExperiment(raw, "e.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ExperimentError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

describe("parseExperiment", () => {
  it("fills in every default of a minimal experiment", () => {
    const e = parseExperiment(base, "e.yaml");
    expect(e).toMatchObject({ name: "experiment", seed: 1, cluster: { vms: 4, cores: 1, speed: 1 } });
    expect(e.fidelity).toMatchObject({ batchSize: 1024, sourcePollMs: 100, sampleOneIn: 1 });
  });

  it("accepts every preset", () => {
    for (const name of presetNames()) expect(() => parseExperiment(PRESETS[name], name)).not.toThrow();
  });

  it("refuses a huge, tiny, negative or non-numeric value with its path, the range and the value", () => {
    expect(refusal({ ...base, cluster: { vms: 1e6 } })).toBe(
      "e.yaml: cluster.vms: must be an integer from 1 to 10000, got 1000000",
    );
    expect(refusal({ ...base, fidelity: { sourcePollMs: 1e-9 } })).toBe(
      "e.yaml: fidelity.sourcePollMs: must be a number from 0.001 to 3600000, got 1e-9",
    );
    expect(refusal({ ...base, cluster: { speed: -1 } })).toMatch(
      /^e\.yaml: cluster\.speed: must be a number from 0\.001 to 1000, got -1$/,
    );
    expect(refusal({ ...base, seed: Number.NaN })).toMatch(
      /^e\.yaml: seed: must be an integer from 0 to \d+, got NaN$/,
    );
    expect(refusal({ ...base, untilS: Number.POSITIVE_INFINITY })).toBe(
      `e.yaml: untilS: must be a number above 0 and at most ${TIME_MS_MAX / 1000}, got Infinity`,
    );
    expect(refusal({ ...base, faults: [{ type: "crash", vm: 1, atMs: 1e20 }] })).toMatch(
      /^e\.yaml: faults\.0\.atMs: must be a number from 0 to 1728000000, got 1/,
    );
    expect(refusal({ ...base, metricsIntervalMs: "1s" })).toMatch(/^e\.yaml: metricsIntervalMs: .*got "1s"$/);
  });

  it("refuses more VMs than the pool allows, saying how to raise the bound", () => {
    expect(refusal({ ...base, cluster: { vms: 1000 } })).toBe(
      "e.yaml: cluster.vms: the cluster's VMs (1000) must be at most pool.maxVms (100, the default); " +
        `raise pool.maxVms (up to ${VMS_MAX}) for more`,
    );
    expect(refusal({ ...base, pool: { prewarmed: 8, maxVms: 6 } })).toMatch(
      /^e\.yaml: pool\.prewarmed: the prewarmed VMs \(8\) must be at most pool\.maxVms \(6\)/,
    );
    expect(
      parseExperiment({ ...base, cluster: { vms: 1000 }, pool: { maxVms: 1000 } }, "e").cluster.vms,
    ).toBe(1000);
  });

  it("refuses a name that would leave the runs directory", () => {
    for (const name of ["a/b", "..", "x\\y", "tab\there"])
      expect(refusal({ ...base, name })).toMatch(/^e\.yaml: name: must not contain/);
    expect(parseExperiment({ ...base, name: "my run 2" }, "e").name).toBe("my run 2");
  });

  it("refuses too many faults or scheduled scale outs", () => {
    const faults = Array.from({ length: 10_001 }, () => ({ type: "crash", vm: 0, atMs: 0 }));
    expect(refusal({ ...base, faults })).toBe("e.yaml: faults: must have at most 10000 entries");
  });
});

describe("checkExperimentPlan", () => {
  const plan = workloadPlan("wordcount", {}, 1);

  it("counts an edge VM per source and sink against pool.maxVms", () => {
    const e = parseExperiment({ ...base, cluster: { vms: 99, edge: { cores: 1, speed: 1 } } }, "e.yaml");
    expect(() => checkExperimentPlan(e, plan, "e.yaml")).toThrow(
      /^e\.yaml: cluster\.edge: the cluster's 99 VMs and 2 edge VMs .* must be at most pool\.maxVms \(100, the default\)/,
    );
    const fits = parseExperiment({ ...base, cluster: { vms: 98, edge: { cores: 1, speed: 1 } } }, "e.yaml");
    expect(() => checkExperimentPlan(fits, plan, "e.yaml")).not.toThrow();
  });

  it("refuses scaling that names an operator the plan does not have, listing those it has", () => {
    const e = parseExperiment(
      {
        ...base,
        scaling: {
          scaleOuts: [
            { operator: "count", atMs: 5 },
            { operator: "nope", atMs: 5 },
          ],
        },
      },
      "e.yaml",
    );
    expect(() => checkExperimentPlan(e, plan, "e.yaml")).toThrow(
      'e.yaml: scaling.scaleOuts.1.operator: no operator "nope" in workload "wordcount" (operators: lines, split, count, sink)',
    );
    const rule = parseExperiment(
      { ...base, scaling: { rules: [{ operator: "x", threshold: 1, forMs: 0 }] } },
      "e",
    );
    expect(() => checkExperimentPlan(rule, plan, "e")).toThrow(
      /scaling\.rules\.0\.operator: no operator "x"/,
    );
  });
});
