// What the example jobs' tests share: an example's experiment file as an Experiment (its
// `workload.module` swapped for the job's name, since the experiment schema still names
// workloads; the job comes from the module itself), runs of it that collect the sinks'
// records, a checkpoint's state through the real runtime's encoding (the simulator keeps
// checkpoints as objects, so only this shows a state codec at work), and the exactly-once
// check of a chaos campaign under a recovering strategy.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse } from "yaml";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  InProcessRuntime,
  instancesOf,
  type Job,
  jobPlan,
  type OutputRecord,
  operatorNamed,
  physicalPlan,
} from "../../engine/index.js";
import { runCampaign } from "../../sim/chaos/campaign.js";
import type { FaultKind } from "../../sim/chaos/index.js";
import { type Experiment, parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import type { SimSummary } from "../../sim/summary.js";

/** The folder of the examples. */
export const EXAMPLES = join(import.meta.dirname, "../../examples");

/** The experiment of file `file` of `examples/`, run with `job` (the module it names). */
export function exampleExperiment(file: string, job: Job<unknown>): Experiment {
  const raw = parse(readFileSync(join(EXAMPLES, file), "utf8")) as Record<string, unknown>;
  const { module, params } = raw.workload as { module: string; params: unknown };
  expect(module).toBe("./job.ts");
  return parseExperiment({ ...raw, workload: { name: job.name, params } }, file);
}

/** A simulation of `e` with `job`, its summary, and every record its sinks received, in order. */
export function simulate(job: Job<unknown>, e: Experiment): { summary: SimSummary; records: OutputRecord[] } {
  const records: OutputRecord[] = [];
  const sim = new Simulation(e, jobPlan(job, e.workload.params, e.seed), (r) => records.push(r));
  const summary = sim.run();
  return { summary, records };
}

/** The records' values by key, each key's in the order received. */
export function valuesByKey(records: readonly OutputRecord[]): Map<number, unknown[]> {
  const byKey = new Map<number, unknown[]>();
  for (const r of records) {
    let values = byKey.get(r.key);
    if (values === undefined) {
      values = [];
      byKey.set(r.key, values);
    }
    values.push({ eventTimeMs: r.eventTimeMs, ...(r.value as object) });
  }
  return byKey;
}

/** A campaign of `runs` seeds from `firstSeed` under `e`'s strategy: every run exactly the failure-free output. */
export function expectCampaignExact(
  job: Job<unknown>,
  e: Experiment,
  firstSeed: number,
  runs: number,
  draw: { readonly kinds?: readonly FaultKind[]; readonly drawScaling?: boolean } = {},
): void {
  const result = runCampaign({
    experiment: e,
    planOf: (x) => jobPlan(job, x.workload.params, x.seed),
    runs,
    firstSeed,
    ...draw,
  });
  for (const run of result.runs) {
    const detail = `${e.faultTolerance.strategy}, seed ${run.seed} (${run.faults}): ${run.error ?? run.hang ?? ""}`;
    expect(
      { lost: run.lost, duplicated: run.duplicated, spurious: run.spurious, reordered: run.reordered },
      detail,
    ).toEqual({ lost: 0, duplicated: 0, spurious: 0, reordered: 0 });
    expect(run.passed, detail).toBe(true);
    expect(run.outputs, detail).toBeGreaterThan(0);
  }
  // The schedules crashed VMs, and the crashed runs recovered.
  const crashed = result.runs.filter((r) => r.crashes > 0);
  expect(crashed.length).toBeGreaterThanOrEqual(Math.ceil(runs / 2));
  for (const r of crashed) expect(r.recoveriesMs.length).toBeGreaterThan(0);
}

/**
 * The state of each instance of operator `name`, checkpointed after `steps` steps of an
 * in-process run of `job`, is not empty and comes back equal through encodeCheckpoint and
 * decodeCheckpoint with the operator's state codec (what `seep run` ships).
 */
export function expectStateSurvivesEncoding(
  job: Job<unknown>,
  params: unknown,
  name: string,
  steps: number,
): void {
  const plan = physicalPlan(jobPlan(job, params, 1));
  const rt = new InProcessRuntime(plan, { batchSize: 64 });
  rt.start();
  for (let k = 0; k < steps; k++) rt.step();
  const op = operatorNamed(plan.logical, name);
  for (const spec of instancesOf(plan, op.id)) {
    const cp = rt.instance(spec.id).checkpoint(1);
    const entries = [...cp.processing.entries()];
    expect(entries.length, `instance ${spec.id}`).toBeGreaterThan(0);
    const back = decodeCheckpoint(encodeCheckpoint(cp, op.stateCodec), op.stateCodec);
    expect([...back.processing.entries()]).toEqual(entries);
  }
}

/**
 * The tests every example shares: a small chaos campaign exact under each recovering
 * strategy but rsm (whose campaign each example runs at its own length), the state of
 * `operator` after `steps` steps through the real runtime's encoding, and one trace per seed.
 */
export function itRecoversEncodesAndRepeats(
  job: Job<unknown>,
  e: Experiment,
  operator: string,
  steps: number,
): void {
  for (const strategy of ["upstream-backup", "source-replay", "global-snapshot"] as const) {
    it(`under ${strategy}, gives every run of a small chaos campaign exactly the failure-free output`, () => {
      const ft = { ...e.faultTolerance, strategy };
      expectCampaignExact(job, { ...e, faultTolerance: ft }, 1, 3);
    });
  }

  it("keeps its state in checkpoints that the real runtime's encoding carries unchanged", () => {
    expectStateSurvivesEncoding(job, e.workload.params, operator, steps);
  });

  it("gives the same trace for the same seed, another for another seed", () => {
    const a = simulate(job, e).summary;
    const b = simulate(job, e).summary;
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.outputDigest).toBe(a.outputDigest);
    const c = simulate(job, { ...e, seed: 2 }).summary;
    expect(c.traceHash).not.toBe(a.traceHash);
    expect(c.outputDigest).not.toBe(a.outputDigest);
  });
}
