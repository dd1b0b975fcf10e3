// The engine's public surface: everything sim/, cloud/ and workloads/ may use.

// zod, for a job's parameter schema: the very instance the engine's ranges (integerIn, numberIn) are made with.
export { z } from "zod";
export { Batch, BatchBuilder } from "./batch.js";
export {
  cutSizeBytes,
  decodeBatch,
  encodeBatch,
  numericSizeBytes,
  type PreparedBatch,
  prepareBatch,
  writeBatch,
} from "./batchCodec.js";
export type { ChannelPosition } from "./channelPosition.js";
export type {
  BufferedChannel,
  Checkpoint,
  OutputPosition,
  PartFields,
  StateElsewhere,
} from "./checkpoint.js";
export {
  asNewInstancePart,
  checkpointBufferedTuples,
  checkpointEntries,
  STATE_ELSEWHERE,
  withSuppression,
} from "./checkpoint.js";
export {
  CheckpointDecoder,
  checkpointHeaderOf,
  checkpointOperatorOf,
  checkpointSizeBytes,
  decodeCheckpoint,
  decodeRoutingState,
  decodeSuppressionCuts,
  encodeCheckpoint,
  encodeRoutingState,
  encodeSuppressionCuts,
  partitionEncoded,
  withPartFields,
} from "./checkpointCodec.js";
export type { ControlMessage, ControlReply, ControlType } from "./control.js";
export { ProtocolError, UnsupportedScenario } from "./control.js";
export { Coordinator, type CoordinatorLink } from "./coordinator.js";
export {
  BottleneckDetector,
  capacityOf,
  DEFAULT_SCALING_POLICY,
  ElasticityController,
  type ElasticityHost,
  type ElasticityOptions,
  type InstanceLoad,
  LoadAwarePlacement,
  type LoadMetric,
  type LoadReport,
  LoadShedder,
  metricOf,
  type PlacementPolicy,
  type PlanView,
  reportsNeeded,
  ScaleOut,
  type ScaleOutOptions,
  type ScaleOutRecord,
  type ScalingDecision,
  type ScalingPolicy,
  type ScalingRule,
  type ScalingTarget,
  ScheduledScalings,
  type VmCores,
  whyNotScalable,
} from "./elasticity/index.js";
export { backupHolderOf, downstreamCone, STORE, upstreamCone } from "./faultTolerance/backupPlacement.js";
export {
  FaultTolerance,
  type FaultToleranceLink,
  type RecoveryRecord,
} from "./faultTolerance/faultTolerance.js";
export {
  type BackupPlacement,
  DEFAULT_FAULT_TOLERANCE,
  type FaultToleranceOptions,
  FT_STRATEGIES,
  type FtStrategy,
  keepsOutputBuffers,
} from "./faultTolerance/options.js";
export {
  CAUGHT_UP_ABSOLUTE_MS,
  CAUGHT_UP_RELATIVE,
  caughtUpAtMs,
  caughtUpBoundMs,
  LEVEL_INTERVALS,
  latencyLevelMs,
  type RecoveryWindow,
} from "./faultTolerance/recoveryTime.js";
export { fmix32, hashKey, hashString53 } from "./hash.js";
export { type InProcessOptions, InProcessRuntime } from "./inProcessRuntime.js";
export { InputMerge } from "./inputMerge.js";
export { DEFAULT_COPY_CHUNK_ENTRIES, Instance } from "./instance.js";
export {
  defineJob,
  JOB_KIND,
  type Job,
  type JobDefinition,
  JobError,
  jobParams,
  jobPlan,
  jobProblem,
  jobSize,
  type WorkloadSize,
} from "./job.js";
export { type CloneValue, KeyedState } from "./keyedState.js";
export {
  DEFAULT_MAX_KEY_GROUPS,
  KeyGroupRange,
  keyGroupOf,
  mergeRanges,
  ownerTable,
  sliceKeyGroups,
  splitRange,
} from "./keyGroups.js";
export { KeyInterner } from "./keyInterner.js";
export { LIFECYCLE, type LifecycleState, nextState } from "./lifecycle.js";
export { ManualClock } from "./manualClock.js";
export { type Deliveries, DeliveryLog } from "./metrics/deliveryLog.js";
export { hex32, lane1Step, lane2Step } from "./metrics/hash64.js";
export { LatencyHistogram } from "./metrics/latencyHistogram.js";
export {
  type IntervalGauges,
  type LatencySummary,
  METRICS_CSV_HEADER,
  Metrics,
  type MetricsRow,
  RUN_METRICS,
  VM_CPU_METRIC,
} from "./metrics/metrics.js";
export { OutputDigest } from "./metrics/outputDigest.js";
export { OutputState } from "./metrics/outputState.js";
export {
  type EndedView,
  type RunEndFields,
  type RunStop,
  runEndFields,
  sinkEnds,
} from "./metrics/runEnd.js";
export {
  deadlineMet,
  type LatencyFiguresMs,
  latencyFiguresMs,
  type OutputRecord,
  type RecoverySummary,
  type RunSummaryFields,
  recoverySummaries,
  roundMs,
  type ScaleOutSummary,
  scaleOutSummaries,
} from "./metrics/runReport.js";
export {
  OutputStateError,
  SNAPSHOT_VERSION,
  SnapshotKind,
  SnapshotReader,
  SnapshotWriter,
} from "./metrics/snapshotBytes.js";
export type {
  AlignedInputs,
  Emitter,
  InstanceInfo,
  Operator,
  OperatorContext,
  OperatorKind,
  OperatorOptions,
  PortSchema,
  Sink,
  Source,
} from "./operator.js";
export { emitColumnsAsRows } from "./operator.js";
export { OutputBuffer } from "./outputBuffer.js";
export type { SuppressionCut } from "./outputSuppression.js";
export {
  type InstanceSpec,
  instanceById,
  instancesOf,
  nextInstanceId,
  type PhysicalPlan,
  type PlaceInstance,
  physicalPlan,
  routingOf,
  sendersOf,
  withInstances,
} from "./physicalPlan.js";
export { acksOf, backup, backupHolder, checkpoint, merge, partition, restore } from "./primitives.js";
export {
  type EdgeSpec,
  type LogicalPlan,
  type OperatorRef,
  type OperatorSpec,
  operatorNamed,
  QueryBuilder,
  type SinkOptions,
  topologicalOrder,
} from "./queryPlan.js";
export { outputChannelsOf, type ReconfigurationLink } from "./reconfiguration/index.js";
export {
  ALL_RECEIVERS,
  ROUTING_CONTRACTS,
  Router,
  type RoutingContract,
  type RoutingState,
  reslice,
  routingState,
} from "./router.js";
export type {
  Address,
  Clock,
  InstanceHost,
  Placement,
  RandomSource,
  Runtime,
  TimerHandle,
  Transport,
  WorkKind,
  WorkMeter,
} from "./runtime.js";
export { NO_METER } from "./runtime.js";
export { describeIssue, describeValue, integerIn, numberIn, rangeText } from "./schemaRanges.js";
export { SinkLedger } from "./sinkLedger.js";
export {
  FALLBACK_COLUMNS,
  OUTPUT_COLUMNS,
  type SinkTable,
  sinkTableProblem,
  type TableCell,
  valueLeaves,
} from "./sinkTable.js";
export { decodeFloat, encodeFloat, JSON_STATE_CODEC, type StateCodec } from "./stateCodec.js";
export { type RecordGroupSnapshot, StateSnapshot } from "./stateSnapshot.js";
export {
  type CoordinatorInput,
  type CoordinatorRuntime,
  type CoordinatorSetup,
  type Journal,
  JournalDivergence,
  type JournalEntry,
  JournaledCoordinator,
  type JournaledScalings,
  type JournaledScalingTarget,
  MemoryJournal,
  NoJournal,
} from "./takeover/index.js";
export * from "./windows/index.js";
