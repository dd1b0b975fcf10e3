// Bounded waits for tests and benchmarks of real processes and servers: a test may wait tens of seconds for
// an event on a busy machine, but never forever, and a wait that runs out fails with a line
// saying what was awaited. The bounds guard against hangs; they assert nothing about speed.

/** How long a test waits for one ZooKeeper event by default, in ms. */
export const EVENT_WAIT_MS = 30_000;

/** Resolves as `promise` does, or rejects with "timed out after N ms waiting for <what>". */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = EVENT_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 50 ms until it gives true; rejects with what was awaited after the bound. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = EVENT_WAIT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A promise of the next call of a callback-taking listener registration, e.g. nextCall((f) => s.onExpired(f)). */
export function nextCall<A extends unknown[]>(
  listen: (listener: (...args: A) => void) => unknown,
): Promise<A> {
  return new Promise((resolve) => listen((...args) => resolve(args)));
}
