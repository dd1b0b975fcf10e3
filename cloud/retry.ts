// Retrying a cloud call with exponential backoff and jitter. Only errors the caller calls
// transient (throttling, no capacity right now) are retried; anything else propagates at
// once, so a wrong AMI id or a missing permission fails in one round trip.

/** How a retried call backs off. */
export interface BackoffPolicy {
  /** Calls made at most, the first one included. */
  readonly attemptsMax: number;
  /** The delay before the first retry, before jitter. */
  readonly baseMs: number;
  /** No delay exceeds this. */
  readonly capMs: number;
}

/** Five attempts, 0.5 s doubling up to 20 s. */
export const defaultBackoffPolicy: BackoffPolicy = Object.freeze({
  attemptsMax: 5,
  baseMs: 500,
  capMs: 20_000,
});

/** The effects a retry loop needs, injectable so tests run instantly and reproducibly. */
export interface RetryEffects {
  /** Waits `ms` milliseconds. */
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1): the jitter. */
  readonly random: () => number;
}

/** Waits on a real timer. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The delay before retry number `retry` (1-based): half of min(cap, base * 2^(retry-1)) plus
 * a random part up to the other half ("equal jitter": never less than half the exponential
 * step, so delays keep growing, yet concurrent callers spread out).
 */
export function backoffDelayMs(policy: BackoffPolicy, retry: number, random: () => number): number {
  const stepMs = Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(stepMs / 2 + (random() * stepMs) / 2);
}

/** Calls `call` until it succeeds, it throws an error `isTransient` rejects, or attempts run out (the last error is thrown). */
export async function retryWithBackoff<T>(
  call: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  effects: RetryEffects,
  policy: BackoffPolicy = defaultBackoffPolicy,
): Promise<T> {
  if (!(policy.attemptsMax >= 1))
    throw new Error(`attemptsMax must be at least 1, got ${policy.attemptsMax}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attemptsMax || !isTransient(error)) throw error;
      await effects.sleep(backoffDelayMs(policy, attempt, effects.random));
    }
  }
}
