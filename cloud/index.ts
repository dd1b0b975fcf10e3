// The real runtime's public surface.

export { channelCredentials, serverCredentials, type TlsFiles, tokenMetadata } from "./auth.js";
export {
  type CheckpointStore,
  CheckpointStoreError,
  checkpointStoreOf,
  DirectoryCheckpointStore,
  S3CheckpointStore,
} from "./checkpointStore/index.js";
export {
  type CloudOutput,
  CloudRun,
  type CloudRunOptions,
  SCALABLE_STRATEGIES,
  ScaleOutError,
  type ScheduledScaleIn,
  type ScheduledScaleOut,
} from "./cloudRun.js";
export { CREDIT_WINDOW_FRAMES } from "./dataPlane.js";
export {
  Ec2Pool,
  ec2PoolOptionsSchema,
  parseEc2PoolOptions,
  terminateRunInstances,
  uniqueRunId,
} from "./ec2Pool.js";
export { encodeFrame } from "./frameCodec.js";
export { LISTENING_PREFIX, LocalProcessPool, type LocalProcessPoolOptions } from "./localProcessPool.js";
export { DEFAULT_MESSAGE_BYTES_MAX, messageBytesMax } from "./messageLimits.js";
export { PACKAGE_ROOT, SEEP_BIN, seepVersion, seepWorkerCommand } from "./packageRoot.js";
export type { RunSummary, WorkerFailure } from "./runSummary.js";
export { installSignalCleanup } from "./signalCleanup.js";
export {
  makeRunCertificates,
  type RunCertificates,
  type RunTlsFiles,
  removeRunCertificates,
  writeRunCertificates,
} from "./tlsCertificates.js";
export type { CloudVm, VmPool } from "./vmPool.js";
export { type ResolvePlan, Worker, type WorkerOptions } from "./worker.js";
export { TOKEN_ENV, workerToken } from "./workerToken.js";
