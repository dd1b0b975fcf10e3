// The workloads' public surface: the built-in jobs, their parts, and the loader of job modules.

export { isJobModulePath, JOB_MODULE_EXTENSIONS, jobModulePath, loadJobModule } from "./jobModule.js";
export { workload as lrbJob } from "./linearRoad/job.js";
export * from "./packetCounter/index.js";
export { workload as packetsJob } from "./packetCounter/job.js";
export { BUILTIN_JOBS, workloadNamed, workloadPlan, workloadSize } from "./registry.js";
export * from "./wordCount/index.js";
export { workload as wordCountJob } from "./wordCount/job.js";
