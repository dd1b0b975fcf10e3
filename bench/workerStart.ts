// Benchmark: how long a local worker takes to start, spawn to ready, as the local pool sees it
// (cloud/localProcessPool.ts): from spawning `seep worker` to its first line, `seep worker
// listening on HOST:PORT`, which is when the pool hands it out. Workers running the build
// (dist/cli/main.js: compiled JavaScript, what local workers run while the build is current)
// against the same workers running the sources through tsx (bin/seep.js: what they run when
// it is not), started in turn, one at a time, each stopped before the next: N of each (11;
// --quick: 5) after one of each not counted (the first start reads files cold and fills tsx's
// cache). The build must be current: a stale one would time something workers do not run.

import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { buildFreshness } from "../cloud/buildFreshness.js";
import { LocalProcessPool } from "../cloud/localProcessPool.js";
import { PACKAGE_ROOT, type WorkerRuntime, workerCommandOf } from "../cloud/packageRoot.js";
import { median } from "../measure/statistics.js";
import { BenchFailure, type BenchResult } from "./benchResult.js";

/** Starts of each kind counted (the first of each is not). */
const STARTS = 11;
const STARTS_QUICK = 5;

/** How long one worker running `runtime` took from spawn to ready, in ms. */
async function startMs(runtime: WorkerRuntime, token: string): Promise<number> {
  const pool = new LocalProcessPool({ command: workerCommandOf(runtime), token });
  try {
    const spawnedMs = performance.now();
    await pool.acquire();
    return performance.now() - spawnedMs;
  } finally {
    await pool.shutdown();
  }
}

/** The range of `xs` (ms), as text. */
function spread(xs: readonly number[]): string {
  return `range ${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))} ms`;
}

/** Run the worker-start benchmark. */
export async function benchWorkerStart(quick: boolean): Promise<BenchResult[]> {
  const freshness = buildFreshness(PACKAGE_ROOT);
  if (freshness !== "current") {
    const why = freshness === "missing" ? "there is no build in dist/" : "dist/ is older than the sources";
    throw new BenchFailure(`${why}, so local workers would not run it: run npm run build first`);
  }
  const token = randomBytes(16).toString("hex");
  const starts = quick ? STARTS_QUICK : STARTS;
  const ms: Record<WorkerRuntime, number[]> = { build: [], sources: [] };
  const startLoad = loadavg()[0];
  for (let i = 0; i <= starts; i++) {
    for (const runtime of ["build", "sources"] as const) {
      const took = await startMs(runtime, token);
      if (i > 0) ms[runtime].push(took);
    }
  }
  const load = `1-minute load ${startLoad.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`;
  return [
    {
      name: `local worker start, spawn to ready, running the build (dist/), median of ${starts} (${spread(ms.build)}; ${load})`,
      value: median(ms.build),
      unit: "ms",
      baseline: {
        name: `the sources through tsx (bin/seep.js), started in turn (${spread(ms.sources)})`,
        value: median(ms.sources),
        unit: "ms",
      },
      target: "under 300 ms",
    },
  ];
}
