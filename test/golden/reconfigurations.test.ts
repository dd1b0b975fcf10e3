// The golden record of issue 16's refactor: the trace hash and output digest of a fixed
// set of simulated runs, recorded at the commit before the protocols left the instance and
// the coordinator's large files (50b110a), and checked to be identical at every commit
// since. The trace holds every delivery, control message, checkpoint and reconfiguration
// step in virtual time, so a protocol that takes one step differently changes its hash.
//
// The runs: every preset (its first 20 s) and lrb-scaleout shrunk so that its policy
// splits; each fault-tolerance strategy with a VM crash; scale out (pause and live), scale
// in, migration, a policy's scale outs and parallel recovery; coordinator crashes (issue
// 20) under each strategy, in a scale out, and in 16 chaos seeds; and chaos runs: 20
// seeds of each fault kind under rsm, and one of each under the other strategies. `npm test` checks
// all but the chaos seeds past the first two of each kind (past the first four under the
// other strategies) and the shrunk lrb-scaleout; `GOLDEN_ALL=1 npx vitest run test/golden`
// checks every one (a few minutes), and `GOLDEN_WRITE=1 npx vitest run test/golden` writes
// the record anew: only for a change meant to change behaviour, said so in its commit.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  chaosShapeOf,
  drawFaultSchedule,
  FAULT_KINDS,
  HANG_STEP_FACTOR,
  HANG_STEP_MARGIN,
  HANG_TIME_FACTOR,
  HANG_TIME_MARGIN_S,
} from "../../sim/chaos/index.js";
import { type Experiment, parseExperiment } from "../../sim/experiment.js";
import { PRESETS, presetNames, Simulation, StepLimitError } from "../../sim/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { SMALL_WORD_COUNT } from "../sim/chaos/smallWordCount.js";

const RECORD = join(import.meta.dirname, "reconfigurations.json");
const WRITE = process.env.GOLDEN_WRITE === "1";
const ALL = process.env.GOLDEN_ALL === "1";

/** What a run leaves: enough to tell any change of behaviour. */
interface Fingerprint {
  readonly traceHash: string;
  readonly outputDigest: string;
  readonly events: number;
  readonly end: string;
}

/** Every preset is cut to this many simulated seconds. */
const PRESET_S = 20;
/** Chaos seeds of each fault kind under rsm. */
const CHAOS_PER_KIND = 20;
const STRATEGIES = ["none", "rsm", "upstream-backup", "source-replay", "global-snapshot"] as const;

const planOf = (e: Experiment) => workloadPlan(e.workload.name, e.workload.params, e.seed);

function run(e: Experiment): Fingerprint {
  const sim = new Simulation(e, planOf(e));
  try {
    const s = sim.run();
    return {
      traceHash: s.traceHash,
      outputDigest: s.outputDigest,
      events: s.events,
      end: sim.completed ? "completed" : `stopped at ${s.simulatedSeconds} s`,
    };
  } catch (err) {
    // A stop is behaviour too (a step limit, or a scenario not handled yet): its trace so far.
    const end =
      err instanceof StepLimitError ? "step limit" : `${(err as Error).name}: ${(err as Error).message}`;
    return { traceHash: sim.trace.hash(), outputDigest: sim.digest.digest(), events: -1, end };
  }
}

/** The chaos campaign's small word count (test/sim/chaos/campaign.test.ts). */
function wordCount(over: Record<string, unknown>, seed = 1): Experiment {
  return parseExperiment(
    {
      name: "golden-wc",
      seed,
      ...SMALL_WORD_COUNT,
      ...over,
    },
    "golden",
  );
}

function ft(strategy: string, more: Record<string, unknown> = {}) {
  return { faultTolerance: { strategy, checkpointIntervalMs: 2000, detectionMs: 500, ...more } };
}

const crash = (vm: number, atMs: number) => ({ type: "crash", vm, atMs });

/** The faulty run of chaos seed `seed` (sim/chaos/campaign.ts's runChaos, without the comparison). */
function chaos(strategy: string, seed: number, coordinatorCrashes = false): Fingerprint {
  const base = wordCount(ft(strategy), seed);
  const baseRun = new Simulation(base, planOf(base)).run();
  // The record's first chaos runs predate coordinator crashes: VM faults only, unless asked.
  const shape = chaosShapeOf(base, baseRun.simulatedSeconds * 1000);
  const schedule = drawFaultSchedule(seed, shape, FAULT_KINDS, coordinatorCrashes);
  return run({
    ...base,
    faults: [...schedule.faults],
    untilS: HANG_TIME_FACTOR * baseRun.simulatedSeconds + HANG_TIME_MARGIN_S,
    maxSteps: Math.min(base.maxSteps, HANG_STEP_FACTOR * baseRun.events + HANG_STEP_MARGIN),
  });
}

/** Every run of the record, by name; `always` marks those `npm test` checks. */
function runs(): [string, () => Fingerprint, boolean][] {
  const list: [string, () => Fingerprint, boolean][] = [];
  const push = (name: string, f: () => Fingerprint, always = true) => list.push([name, f, always]);
  for (const name of presetNames()) {
    push(`preset ${name}`, () =>
      run(parseExperiment({ ...(PRESETS[name] as object), untilS: PRESET_S }, name)),
    );
  }
  // lrb-scaleout shrunk (test/sim/presets.test.ts): the policy splits Linear Road's operators.
  push(
    "preset lrb-scaleout, shrunk to 6 minutes of 75 expressways on slow VMs",
    () => {
      const raw = PRESETS["lrb-scaleout"] as { workload: { name: string; params: object } };
      const params = { ...raw.workload.params, xways: 75, xwayOpenEveryS: 4, durationS: 360 };
      const cluster = { vms: 3, speed: 0.01, edge: { cores: 4, speed: 0.5 } };
      return run(parseExperiment({ ...raw, cluster, workload: { ...raw.workload, params } }, "lrb-scaleout"));
    },
    false,
  );
  for (const strategy of STRATEGIES) {
    push(`${strategy}, a crash of VM 1 at 6 s`, () =>
      run(wordCount({ ...ft(strategy), faults: [crash(1, 6000)] })),
    );
  }
  push("rsm with backups in a store, a crash of VM 2 at 9 s", () =>
    run(wordCount({ ...ft("rsm", { backupPlacement: "store" }), faults: [crash(2, 9000)] })),
  );
  push("rsm, parallel recovery onto 2 VMs, a crash of VM 1 at 7 s", () =>
    run(wordCount({ ...ft("rsm", { parallelRecovery: 2 }), faults: [crash(1, 7000)] })),
  );
  const count = (atMs: number, factor: number, index = 0) => ({ operator: "count", index, atMs, factor });
  for (const [strategy, stateTransfer] of [
    ["none", "pause"],
    ["rsm", "pause"],
    ["none", "live"],
    ["rsm", "live"],
  ] as const) {
    const scaling = (more: Record<string, unknown>) => ({
      ...ft(strategy),
      scaling: { stateTransfer, ...more },
    });
    push(`${strategy} ${stateTransfer}: scale out count#0 into 3 at 5 s`, () =>
      run(wordCount(scaling({ scaleOuts: [count(5000, 3)] }))),
    );
    push(`${strategy} ${stateTransfer}: migrate count#1 at 8 s`, () =>
      run(wordCount(scaling({ scaleOuts: [count(8000, 1, 1)] }))),
    );
    // Scale out and scale in work with none and rsm (sim/supportedCombinations.ts).
    push(`${strategy} ${stateTransfer}: scale out count#1 at 4 s, scale in count#0 at 12 s`, () =>
      run(
        wordCount(
          scaling({
            scaleOuts: [count(4000, 2, 1)],
            scaleIns: [{ operator: "count", index: 0, atMs: 12_000 }],
          }),
        ),
      ),
    );
  }
  push("rsm: scale out count#0 at 5 s, a crash of VM 1 at 5.5 s", () =>
    run(wordCount({ ...ft("rsm"), scaling: { scaleOuts: [count(5000, 2)] }, faults: [crash(1, 5500)] })),
  );
  push("none: the threshold policy on capacity scales count out", () =>
    run(
      wordCount({
        ...ft("none"),
        scaling: {
          policy: "threshold",
          reportIntervalMs: 1000,
          cooldownMs: 3000,
          rules: [{ operator: "count", metric: "cpu", threshold: 0, forMs: 1000, factor: 2, maxVms: 5 }],
        },
      }),
    ),
  );
  // Coordinator crashes (issue 20): a new leader rebuilds the coordinator from its journal.
  const coordinatorCrash = (atMs: number) => ({ type: "coordinatorCrash", atMs });
  for (const strategy of STRATEGIES) {
    push(`${strategy}, a crash of VM 1 at 6 s, the coordinator's at 7.7 s`, () =>
      run(wordCount({ ...ft(strategy), faults: [crash(1, 6000), coordinatorCrash(7700)] })),
    );
  }
  push("rsm live: scale out count#0 into 3 at 5 s, the coordinator crashes 300 ms in", () =>
    run(
      wordCount({
        ...ft("rsm"),
        scaling: { stateTransfer: "live", scaleOuts: [count(5000, 3)] },
        faults: [{ type: "reconfigurationCoordinatorCrash", nth: 1, afterMs: 300 }],
      }),
    ),
  );
  for (let seed = 1; seed <= 2 * FAULT_KINDS.length; seed++) {
    push(
      `chaos with coordinator crashes rsm seed ${seed}`,
      () => chaos("rsm", seed, true),
      seed <= FAULT_KINDS.length,
    );
  }
  for (let seed = 1; seed <= CHAOS_PER_KIND * FAULT_KINDS.length; seed++) {
    push(`chaos rsm seed ${seed}`, () => chaos("rsm", seed), seed <= 2 * FAULT_KINDS.length);
  }
  for (const strategy of STRATEGIES.filter((s) => s !== "rsm")) {
    for (let seed = 1; seed <= FAULT_KINDS.length; seed++) {
      push(`chaos ${strategy} seed ${seed}`, () => chaos(strategy, seed), seed <= FAULT_KINDS.length / 2);
    }
  }
  return list;
}

describe("the golden record of simulated runs (issue 16)", () => {
  const all = runs();
  const checked = ALL ? all : all.filter(([, , always]) => always);
  if (WRITE) {
    it(`writes ${all.length} runs to ${RECORD}`, () => {
      const record: Record<string, Fingerprint> = {};
      for (const [name, f] of all) record[name] = f();
      writeFileSync(RECORD, `${JSON.stringify(record, null, 2)}\n`);
    });
    return;
  }
  const record: Record<string, Fingerprint> = existsSync(RECORD)
    ? JSON.parse(readFileSync(RECORD, "utf8"))
    : {};
  it("holds every run of the list, and only those", () => {
    expect(Object.keys(record).sort()).toEqual(all.map(([name]) => name).sort());
  });
  for (const [name, f] of checked) {
    it(`${name}: the same trace and output as recorded`, () => {
      expect(f()).toEqual(record[name]);
    });
  }
});
