// Which EC2 errors are worth retrying, and how to say what went wrong in one line. EC2
// names its errors by code (`RequestLimitExceeded`, `InsufficientInstanceCapacity`, ...),
// which the SDK puts in the error's `name`.

const THROTTLING = new Set(["RequestLimitExceeded", "Throttling", "ThrottlingException"]);
const CAPACITY = new Set(["InsufficientInstanceCapacity", "InstanceLimitExceeded", "VcpuLimitExceeded"]);

/** The AWS error code of `error` (its `name`), or undefined for something that is not an error. */
export function awsErrorCode(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** EC2 is rate-limiting this account: wait and call again. */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsErrorCode(error) ?? "");
}

/** EC2 has no capacity, or the account's quota is reached, right now: wait and call again. */
export function isCapacity(error: unknown): boolean {
  return CAPACITY.has(awsErrorCode(error) ?? "");
}

/** Retried by the pool: throttling and capacity errors. */
export function isTransientEc2Error(error: unknown): boolean {
  return isThrottling(error) || isCapacity(error);
}

/** The instance ids are not (or no longer, or not yet) known to EC2. */
export function isInstanceNotFound(error: unknown): boolean {
  return awsErrorCode(error) === "InvalidInstanceID.NotFound";
}

/** `error`'s message, or its string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A one-line explanation of why launching failed after `attempts` attempts, with what to do about it. */
export function launchFailureMessage(
  error: unknown,
  attempts: number,
  instanceType: string,
  region: string,
): string {
  const code = awsErrorCode(error);
  const detail = `${code}: ${errorMessage(error)}`;
  switch (code) {
    case "InstanceLimitExceeded":
    case "VcpuLimitExceeded":
      return (
        `EC2 refused to start a ${instanceType} in ${region} after ${attempts} attempts: the account's ` +
        `instance (vCPU) limit is reached; terminate instances or ask AWS for a quota increase (${detail})`
      );
    case "InsufficientInstanceCapacity":
      return (
        `EC2 has no ${instanceType} capacity in ${region} after ${attempts} attempts; try another ` +
        `instance type or subnet (availability zone), or later (${detail})`
      );
    case "RequestLimitExceeded":
    case "Throttling":
    case "ThrottlingException":
      return `EC2 kept throttling requests after ${attempts} attempts; try again later (${detail})`;
    default:
      return `EC2 could not start a ${instanceType} in ${region} (${detail})`;
  }
}
