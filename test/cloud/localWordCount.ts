// What the real-run tests of a word count on local workers share: the 4 s word count they
// run, its failure-free output from the simulator (a real run's digest is the same), and
// local worker pools that are shut down (every process they started killed) after each test.

import { afterEach } from "vitest";
import type { CloudRunOptions } from "../../cloud/cloudRun.js";
import { LocalProcessPool } from "../../cloud/localProcessPool.js";
import { seepWorkerCommand } from "../../cloud/packageRoot.js";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";

/** 4 s of stream (4000 lines, one a millisecond), 500 ms windows sliding by 250 ms, two of each operator. */
export const WORD_COUNT_PARAMS = {
  lines: 4000,
  lineIntervalMs: 1,
  windowSizeMs: 500,
  windowSlideMs: 250,
  parallelism: 2,
};

/** The failure-free run of the word count with `params` (seed 1, 3 VMs), from the simulator. */
export function failureFree(params: typeof WORD_COUNT_PARAMS = WORD_COUNT_PARAMS) {
  const e = parseExperiment({ workload: { name: "wordcount", params }, cluster: { vms: 3 } }, "test");
  return new Simulation(e, workloadPlan("wordcount", params, 1)).run();
}

/**
 * Call at a test file's top level: returns a maker of local worker pools (running `seep
 * worker` with `token`, as `seep run` starts it: from the build while it is current, as on a
 * fresh clone after `npm ci`, else from the sources), each shut down after the test that made it.
 */
export function localPools(): (token: string) => LocalProcessPool {
  const pools: LocalProcessPool[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.shutdown();
  });
  return (token) => {
    const pool = new LocalProcessPool({ command: seepWorkerCommand(), token });
    pools.push(pool);
    return pool;
  };
}

/**
 * The options of a real run of the word count with `params` that every test here shares:
 * `workers` local workers of `pool` (started with `token`), seed 1, batches of 256 tuples,
 * sources polled every 20 ms.
 */
export function wordCountOn(
  pool: LocalProcessPool,
  token: string,
  workers = 3,
  params: typeof WORD_COUNT_PARAMS = WORD_COUNT_PARAMS,
) {
  return {
    pool,
    poolKind: "local",
    workers,
    token,
    workload: "wordcount",
    params,
    plan: workloadPlan("wordcount", params, 1),
    seed: 1,
    batchSize: 256,
    sourcePollMs: 20,
  } satisfies Partial<CloudRunOptions>;
}
