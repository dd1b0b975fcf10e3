// Where checkpoints go in S3: a bucket, checked against S3's naming rules for general purpose
// buckets before any AWS call (a typo is one line at the start of a run, not a failed
// checkpoint in its middle), and a prefix of keys in it, so that one bucket can hold other
// things too. The EC2 options (`cloud.ec2.checkpointBucket`, `cloud.ec2.checkpointPrefix`,
// parsed in ec2Pool.ts) use the schemas here.

import { z } from "zod";
import { CheckpointStoreError, checkpointKeyProblem, quoted } from "./checkpointStore.js";

/** The prefix of the keys in the bucket when `checkpointPrefix` is not given. */
export const DEFAULT_CHECKPOINT_PREFIX = "seep/";

/** A store prefix has at most this many characters (with a key of KEY_LENGTH_MAX, well within S3's 1,024 bytes). */
export const STORE_PREFIX_LENGTH_MAX = 256;

const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** What S3's naming rules for general purpose buckets say against `name` (without repeating it), or undefined. */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "an S3 bucket name has 3 to 63 characters";
  if (!/^[a-z0-9.-]+$/.test(name))
    return "an S3 bucket name holds only lowercase letters, digits, '.' and '-'";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return "an S3 bucket name starts and ends with a letter or digit";
  if (name.includes("..")) return "an S3 bucket name has no two '.' in a row";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "an S3 bucket name is not an IP address";
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `an S3 bucket name does not start with '${prefix}' (reserved by S3)`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `an S3 bucket name does not end with '${suffix}' (reserved by S3)`;
  return undefined;
}

/** What is wrong with `prefix` as the prefix of a store's keys in its bucket, or undefined ("" is the bucket's top). */
export function storePrefixProblem(prefix: string): string | undefined {
  if (prefix === "") return undefined;
  if (prefix.length > STORE_PREFIX_LENGTH_MAX)
    return `a checkpoint prefix has at most ${STORE_PREFIX_LENGTH_MAX} characters`;
  const problem = checkpointKeyProblem(prefix, true);
  return problem === undefined ? undefined : `a checkpoint prefix follows the rules of keys: ${problem}`;
}

/** `prefix` checked and ending in '/' (unless it is ""), as the store puts it before every key. */
export function storePrefix(prefix: string): string {
  const problem = storePrefixProblem(prefix);
  if (problem !== undefined)
    throw new CheckpointStoreError(`bad S3 checkpoint prefix ${quoted(prefix)}: ${problem}`);
  return prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/** Throws a one-line CheckpointStoreError unless `bucket` follows S3's naming rules. */
export function checkS3BucketName(bucket: string): void {
  const problem = s3BucketNameProblem(bucket);
  if (problem !== undefined)
    throw new CheckpointStoreError(`bad S3 bucket name ${quoted(bucket)}: ${problem}`);
}

/** `cloud.ec2.checkpointBucket`: an S3 bucket name (S3's naming rules). */
export const checkpointBucketSchema = z.string().superRefine((name, context) => {
  const message = s3BucketNameProblem(name);
  if (message !== undefined) context.addIssue({ code: "custom", message });
});

/** `cloud.ec2.checkpointPrefix`: the prefix of the checkpoints' keys in the bucket. */
export const checkpointPrefixSchema = z.string().superRefine((prefix, context) => {
  const message = storePrefixProblem(prefix);
  if (message !== undefined) context.addIssue({ code: "custom", message });
});
