// One rated Linear Road run in the simulator, for `seep lrb rate --mode sim`: the window's
// input file replayed on a simulated cluster with the `lrb` preset's calibrated cost
// model. Event time 0 arrives at virtual time 0 (eventTimeOffsetMs 0), so a window that
// starts at `fromS` is replayed from virtual time `fromS` on at event-time pace, and the
// answers' Emit times (virtual) compare directly with their inputs' Time, as the deadline
// needs. The virtual time before the window costs a few idle source polls, nothing more.

import {
  type Experiment,
  PRESETS,
  parseExperiment,
  type SimProgress,
  type SimSummary,
  Simulation,
} from "../sim/index.js";
import { workloadPlan } from "../workloads/index.js";
import { LrbAnswersFile } from "./lrbAnswersFile.js";

/** The simulated cluster of a rating: `vms` VMs of one core each, at `speed`. */
export interface SimCluster {
  readonly vms: number;
  /** Speed of each VM: 1 is one core of the machine the cost model was measured on. */
  readonly speed: number;
}

/** One simulated window run: the input, the answers file to write, and the cluster. */
export interface SimWindowRun {
  readonly xways: number;
  readonly seed: number;
  readonly input: string;
  readonly answersPath: string;
  readonly fromS: number;
  /** Virtual time after the window's start at which the run is cut off. */
  readonly runS: number;
  readonly cluster: SimCluster;
}

/** The experiment of a simulated window run: the `lrb` preset with this run's input and cluster. */
export function windowExperiment(r: SimWindowRun): Experiment {
  const preset = structuredClone(PRESETS.lrb) as Record<string, unknown>;
  return parseExperiment(
    {
      ...preset,
      name: `lrb-rate-L${r.xways}`,
      seed: r.seed,
      workload: {
        name: "lrb",
        params: {
          input: r.input,
          // The tolls come from the seed as the queries need them, as on workers; the
          // validator reads the file.
          tollsSeed: r.seed,
          xways: r.xways,
          carsParallelism: r.cluster.vms,
          segmentsParallelism: r.cluster.vms,
          accountsParallelism: r.cluster.vms,
        },
      },
      cluster: { vms: r.cluster.vms, cores: 1, speed: r.cluster.speed },
      fidelity: { batchSize: 1024, sourcePollMs: 100, eventTimeOffsetMs: 0, sampleOneIn: 1 },
      untilS: r.fromS + r.runS,
    },
    "lrb rate",
  );
}

/** What a simulated window run came to: its summary, and whether it was cut off before its sinks ended. */
export interface SimWindowOutcome {
  readonly summary: SimSummary;
  readonly cutOff: boolean;
}

/** Simulate the window and write its answers (Emit in virtual seconds); `onProgress` as `Simulation.run`'s. */
export function simulateWindow(r: SimWindowRun, onProgress?: (p: SimProgress) => void): SimWindowOutcome {
  const experiment = windowExperiment(r);
  const plan = workloadPlan("lrb", experiment.workload.params, experiment.seed);
  const answers = new LrbAnswersFile(r.answersPath);
  try {
    const sim = new Simulation(experiment, plan, (o) => answers.add(o.timeMs, o.value));
    const summary = sim.run(onProgress);
    answers.close();
    // The run stops at untilS; it was cut off if a live sink had not seen the end of its input.
    const cutOff = sim.runtime.hosts.some(
      (h) => h.alive && h.instance.operator.kind === "sink" && h.instance.state !== "finished",
    );
    return { summary, cutOff };
  } catch (err) {
    answers.abandon();
    throw err;
  }
}

/** The cost model a simulated rating uses, in one line: the calibrated per-operator costs. */
export function describeCostModel(): string {
  const cost = windowExperiment({
    xways: 1,
    seed: 0,
    input: "-",
    answersPath: "-",
    fromS: 0,
    runS: 1,
    cluster: { vms: 1, speed: 1 },
  }).cost;
  const ops = Object.entries(cost.operators ?? {})
    .map(([name, c]) => `${name} ${c.tupleUs ?? "default"}`)
    .join(", ");
  return (
    `cost model: the lrb preset's per-operator costs in us per tuple, measured in-process on one core ` +
    `by 'npm run bench -- --only lrb-queries' (${ops}); other work at the defaults of sim/costModel.ts`
  );
}
