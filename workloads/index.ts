// The workloads' public surface.

export { WORKLOADS, type Workload, WorkloadError, workloadNamed } from "./registry.js";
export * from "./packetCounter/index.js";
export * from "./wordCount/index.js";
