// The pool of processes that sweeps and chaos campaigns run their simulations on: up to
// `jobs` child processes from workerpool (a well-kept pool library), each running
// lab/poolWorker (its TypeScript in a clone, its build when installed) with bin/register.js
// loaded first, as `seep` itself is (tsx for a job module, and in a clone the resolve hook
// that gives `seep-testbed/...` the very sources this process runs), and many simulations
// one after another in process. A run is a task: its input goes over the IPC channel with
// Node's structured-clone serialization, its result comes back the same way. Tasks queue
// in the order they are given. A process that dies mid-task (out of memory, killed) fails
// that task only; the pool starts another for the rest. `close(true)` kills the processes
// at once (Ctrl-C); the processes also exit by themselves when this one is gone (workerpool
// ends a child whose IPC channel is disconnected), and ignore SIGINT, so that a Ctrl-C on
// the terminal, which reaches the whole process group, is handled here alone.

import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import workerpool from "workerpool";
import { PACKAGE_ROOT } from "../cloud/packageRoot.js";
import type { ChaosRun } from "../sim/chaos/index.js";
import type { ChaosTask, RunOutcome, SweepRunTask } from "./poolTasks.js";

/** The pool's process script: beside this file, in TypeScript in a clone or built into dist/. */
const WORKER_SCRIPT = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "./poolWorker.ts" : "./poolWorker.js", import.meta.url),
);

/** What every `seep` process loads first (bin/register.js), as a URL, so that any directory finds it. */
const REGISTER = pathToFileURL(join(PACKAGE_ROOT, "bin", "register.js")).href;

/** The default number of processes: the cores this process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** Processes running simulations; give it tasks, then close it. */
export class RunPool {
  private readonly pool: ReturnType<typeof workerpool.pool>;

  /** A pool of at most `jobs` processes, started as tasks need them. */
  constructor(jobs: number) {
    this.pool = workerpool.pool(WORKER_SCRIPT, {
      workerType: "process",
      maxWorkers: jobs,
      forkOpts: { execArgv: ["--import", REGISTER], serialization: "advanced" },
      workerTerminateTimeout: 2_000,
    });
  }

  /** One simulation of a sweep (lab/poolTasks.ts's sweepRun); `onProgress` hears the share of its simulated time done. */
  sweepRun(task: SweepRunTask, onProgress?: (fraction: number) => void): Promise<RunOutcome> {
    return this.pool.exec("sweepRun", [task], {
      on: (payload: { readonly fraction?: unknown }) => {
        if (typeof payload?.fraction === "number") onProgress?.(payload.fraction);
      },
    }) as Promise<RunOutcome>;
  }

  /** One chaos run, the failure-free run and the faulty one (lab/poolTasks.ts's chaosRun). */
  chaosRun(task: ChaosTask): Promise<ChaosRun> {
    return this.pool.exec("chaosRun", [task]) as Promise<ChaosRun>;
  }

  /** Stop the pool: after its tasks are done, or at once (`force`: tasks not done are rejected). */
  async close(force = false): Promise<void> {
    await this.pool.terminate(force);
  }
}
