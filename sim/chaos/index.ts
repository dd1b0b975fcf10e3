// Chaos campaigns' public surface: fault schedules drawn from seeds, the comparison of a
// run's output with the failure-free run's, campaigns and their table.

export {
  type CampaignOptions,
  type CampaignResult,
  type ChaosRun,
  failedRun,
  HANG_STEP_FACTOR,
  HANG_STEP_MARGIN,
  HANG_TIME_FACTOR,
  HANG_TIME_MARGIN_S,
  type PlanOf,
  runCampaign,
  runChaos,
} from "./campaign.js";
export {
  ALL_FAULT_KINDS,
  type ChaosShape,
  chaosShapeOf,
  describeFaults,
  drawFaultSchedule,
  FAULT_KINDS,
  type FaultKind,
  type FaultSchedule,
  RECONFIGURATION_KINDS,
} from "./faultSchedule.js";
export {
  canonical,
  compareOutputs,
  type OutputDifference,
  OutputLog,
  recordHash,
} from "./outputComparison.js";
export { formatRunTable, runTableCsv } from "./runTable.js";
export { type DrawnScaling, describeScaling, drawScaling, scalableOperators } from "./scalingSchedule.js";
