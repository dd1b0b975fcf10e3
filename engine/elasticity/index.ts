// Elasticity: load reports, scaling policies, the bottleneck detector that applies them,
// the controller that carries out its decisions, placement, shedding, and the scaling
// protocols (ScaleOut: stopping and live scale out, migration, scale in; one file each).

export { BottleneckDetector, type PlanView, type ScalingDecision } from "./bottleneckDetector.js";
export {
  ElasticityController,
  type ElasticityHost,
  type ElasticityOptions,
  type ScalingTarget,
} from "./elasticityController.js";
export { capacityOf, type InstanceLoad, type LoadMetric, type LoadReport, metricOf } from "./loadReport.js";
export { LoadShedder } from "./loadShedding.js";
export { LoadAwarePlacement, type PlacementPolicy, type VmCores } from "./placement.js";
export { ScaleOut, type ScaleOutOptions, type ScaleOutRecord, whyNotScalable } from "./scaleOut.js";
export {
  DEFAULT_SCALING_POLICY,
  reportsNeeded,
  type ScalingPolicy,
  type ScalingRule,
} from "./scalingPolicy.js";
export { ScheduledScalings } from "./scheduledScalings.js";
