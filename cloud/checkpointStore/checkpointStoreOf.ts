// Which checkpoint store a run uses: S3 when its EC2 options name a bucket
// (`cloud.ec2.checkpointBucket`), else a directory on disk (by default `<runDir>/checkpoints`).
// The directory is made and checked here, so that one that cannot be written is one line
// before any worker starts; the bucket is only checked against S3's naming rules (no AWS call).

import type { S3Client } from "@aws-sdk/client-s3";
import type { CheckpointStore } from "./checkpointStore.js";
import { DirectoryCheckpointStore } from "./directoryCheckpointStore.js";
import { S3CheckpointStore } from "./s3CheckpointStore.js";

/** The EC2 options a checkpoint store reads (parsed `cloud.ec2`: an `Ec2PoolOptions` has them). */
export interface Ec2CheckpointOptions {
  /** The region of the bucket's client. */
  readonly region: string;
  /** The bucket checkpoints go to; without it they go to the directory. */
  readonly checkpointBucket?: string;
  /** The prefix of their keys in the bucket (default `seep/`). */
  readonly checkpointPrefix?: string;
}

/** What `checkpointStoreOf` chooses from. */
export interface CheckpointStoreOptions {
  /** The directory checkpoints go to when no bucket is named, e.g. `<runDir>/checkpoints`. */
  readonly directory: string;
  /** The run's EC2 options, when its workers are on EC2: a `checkpointBucket` among them sends checkpoints to S3. */
  readonly ec2?: Ec2CheckpointOptions;
  /** The S3 client (tests pass a mocked one); default: one for the EC2 region. */
  readonly s3Client?: S3Client;
}

/** The run's checkpoint store: S3 when `ec2` names a bucket, else the directory (made now if missing). */
export async function checkpointStoreOf(options: CheckpointStoreOptions): Promise<CheckpointStore> {
  const { ec2 } = options;
  if (ec2?.checkpointBucket !== undefined)
    return new S3CheckpointStore({
      bucket: ec2.checkpointBucket,
      prefix: ec2.checkpointPrefix,
      region: ec2.region,
      client: options.s3Client,
    });
  return await DirectoryCheckpointStore.open(options.directory);
}
