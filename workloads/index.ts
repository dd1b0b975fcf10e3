// The workloads' public surface.

export * from "./packetCounter/index.js";
export { WORKLOADS, type Workload, WorkloadError, type WorkloadSize, workloadNamed } from "./registry.js";
export * from "./wordCount/index.js";
