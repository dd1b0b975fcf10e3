// The simulator's public surface.

export { type CostModel, costModel, DEFAULT_COST_MODEL, type OperatorCost } from "./costModel.js";
export {
  checkExperimentPlan,
  type Experiment,
  ExperimentError,
  experimentSchema,
  moduleStem,
  parseExperiment,
  TIME_MS_MAX,
  VMS_MAX,
} from "./experiment.js";
export { type FaultSpec, faultSpecSchema } from "./faults.js";
export { Environment, StepLimitError } from "./kernel.js";
export { DEFAULT_NETWORK, Network, type NetworkOptions } from "./network.js";
export { PRESETS, presetNames } from "./presets.js";
export { RandomStream, RandomStreams } from "./randomStreams.js";
export { resolvedExperiment } from "./resolvedExperiment.js";
export { type OutputRecord, type SimProgress, Simulation } from "./simulation.js";
export type { FailureRecord, RecoverySummary, ScaleOutRecord, SimSummary } from "./summary.js";
export { SUPPORTED_RECONFIGURATIONS, unsupportedCombination } from "./supportedCombinations.js";
export { readTrace, Trace, TraceKind, type TraceRecord, traceToCsv } from "./trace.js";
export { Vm, type VmShape, type VmState } from "./vm.js";
export { defaultVmPoolOptions, PoolExhausted, VmPool, type VmPoolOptions } from "./vmPool.js";
