// What an S3 error means to the checkpoint store, and how to say it in one line. S3 names its
// errors by code (`NoSuchKey`, `AccessDenied`, `NoSuchBucket`, `SlowDown`), which the SDK puts
// in the error's `name`; a network failure has a Node code (`ECONNREFUSED`, `ENOTFOUND`)
// instead. Throttling and server errors are retried by the SDK's own retry strategy, so every
// error that reaches the store is final.

import { awsErrorCode, errorMessage } from "../ec2Errors.js";

/** What to do about the usual codes, appended to the message. */
const HINTS: Readonly<Record<string, string>> = {
  AccessDenied:
    "; the identity needs s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on the bucket and prefix",
  NoSuchBucket: "; create the bucket, or name another in cloud.ec2.checkpointBucket",
  PermanentRedirect: "; the bucket is in another region than cloud.ec2.region",
  AuthorizationHeaderMalformed: "; the bucket is in another region than cloud.ec2.region",
};

/** The object is not there: GetObject's NoSuchKey. */
export function isNoSuchKey(error: unknown): boolean {
  return awsErrorCode(error) === "NoSuchKey";
}

/** The code of an S3 error (`AccessDenied`), of a network error (`ECONNREFUSED`), or else its HTTP status. */
export function s3ErrorCode(error: unknown): string {
  const name = awsErrorCode(error);
  if (name !== undefined && name !== "Error") return name;
  const found = error as { code?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  if (typeof found?.code === "string") return found.code;
  const status = found?.$metadata?.httpStatusCode;
  return typeof status === "number" ? `HTTP ${status}` : (name ?? "Error");
}

/** One line: what could not be done to what (`put s3://bucket/key`), S3's code and message, and what to do about the usual codes. */
export function s3FailureMessage(what: string, error: unknown): string {
  const code = s3ErrorCode(error);
  let message = errorMessage(error).replace(/\s+/g, " ").trim();
  if (message.length > 200) message = `${message.slice(0, 197)}...`;
  const detail = message === "" || message === code ? "" : ` (${message})`;
  return `S3 could not ${what}: ${code}${detail}${HINTS[code] ?? ""}`;
}
