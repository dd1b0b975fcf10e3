// Elasticity: load reports, scaling policies and the bottleneck detector that applies them.

export { BottleneckDetector, type PlanView, type ScalingDecision } from "./bottleneckDetector.js";
export { capacityOf, type InstanceLoad, type LoadMetric, type LoadReport, metricOf } from "./loadReport.js";
export { ScaleOut, type ScaleOutRecord, whyNotScalable } from "./scaleOut.js";
export {
  DEFAULT_SCALING_POLICY,
  reportsNeeded,
  type ScalingPolicy,
  type ScalingRule,
} from "./scalingPolicy.js";
