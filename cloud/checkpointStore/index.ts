// The durable checkpoint store's public surface: the interface, its directory and S3
// implementations, the choice between them for a run, and the checks of keys and S3 names.

export {
  CheckpointKeyError,
  type CheckpointStore,
  CheckpointStoreError,
  checkCheckpointKey,
  checkCheckpointPrefix,
  KEY_LENGTH_MAX,
} from "./checkpointStore.js";
export {
  type CheckpointStoreOptions,
  checkpointStoreOf,
  type Ec2CheckpointOptions,
} from "./checkpointStoreOf.js";
export { DirectoryCheckpointStore } from "./directoryCheckpointStore.js";
export { S3CheckpointStore, type S3CheckpointStoreOptions } from "./s3CheckpointStore.js";
export {
  checkpointBucketSchema,
  checkpointPrefixSchema,
  DEFAULT_CHECKPOINT_PREFIX,
  s3BucketNameProblem,
} from "./s3Location.js";
