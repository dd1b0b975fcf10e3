// The built-in jobs, by name: word count, Linear Road and the packet counter. Each is a job
// module of the same kind a user writes (engine/job.ts): an experiment's `workload.name`
// names one of these, `workload.module` names a user's module (workloads/jobModule.ts
// loads it), and both go through the same `jobPlan`, which validates the parameters (an
// unknown key, a wrong type or a value out of its range names the parameter and the range)
// and resolves their defaults.
//
// Ranges: parallelism 1 to 128 (the key groups); at most 10^9 lines or packets and
// 10^7 flows; event times (intervals, windows) up to a day; a sliding window at most
// 1000 slides long; Linear Road up to 1000 expressways and 86,400 s.

import {
  type Job,
  JobError,
  jobPlan,
  jobSize,
  type LogicalPlan,
  type WorkloadSize,
} from "../engine/index.js";
import { workload as lrb } from "./linearRoad/job.js";
import { workload as packets } from "./packetCounter/job.js";
import { workload as wordcount } from "./wordCount/job.js";

/** Every built-in job, by name. */
export const BUILTIN_JOBS: Readonly<Record<string, Job>> = {
  wordcount,
  lrb,
  packets,
};

/** The built-in job named `name`; throws a JobError listing the known ones. */
export function workloadNamed(name: string): Job {
  if (!Object.hasOwn(BUILTIN_JOBS, name)) {
    throw new JobError(
      `unknown workload "${name}" (built in: ${Object.keys(BUILTIN_JOBS).join(", ")}; ` +
        "or name a job module with workload.module)",
    );
  }
  return BUILTIN_JOBS[name];
}

/** The plan of the built-in job `name` with the raw parameters `params` and `seed`; throws JobError. */
export function workloadPlan(name: string, params: unknown, seed: number): LogicalPlan {
  return jobPlan(workloadNamed(name), params, seed);
}

/** The size of a run of the built-in job `name` with the raw parameters `params`; throws JobError. */
export function workloadSize(name: string, params: unknown): WorkloadSize {
  const size = jobSize(workloadNamed(name), params);
  if (size === null) throw new JobError(`workload "${name}" does not say its size`);
  return size;
}
