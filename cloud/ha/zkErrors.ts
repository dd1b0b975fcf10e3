// The errors of a ZooKeeper session (zkSession.ts), each a one-line message: the ensemble
// could not be reached, an operation was refused by ZooKeeper (its code, e.g. NO_NODE or
// BAD_VERSION, and the path), a transaction failed at one of its operations, or the session
// is gone (expired, or closed by its owner). The client library's own exceptions are turned
// into these at the session's edge, so callers test a `code` string, never the library.

/** ZooKeeper did not give a session within the bound: the ensemble is down or not there. */
export class ZookeeperUnreachableError extends Error {
  override readonly name = "ZookeeperUnreachableError";
  constructor(
    readonly address: string,
    readonly connectTimeoutMs: number,
  ) {
    super(`ZooKeeper at ${address} is unreachable: no session within ${connectTimeoutMs} ms`);
  }
}

/** An operation ZooKeeper refused or could not complete; `code` is ZooKeeper's name for why. */
export class ZookeeperError extends Error {
  override readonly name: string = "ZookeeperError";
  constructor(
    /** ZooKeeper's error name: NO_NODE, NODE_EXISTS, BAD_VERSION, NOT_EMPTY, CONNECTION_LOSS, ... */
    readonly code: string,
    /** What was asked: getData, create, transaction, ... */
    readonly operation: string,
    /** The node, when the operation had one. */
    readonly path: string | undefined,
  ) {
    super(`ZooKeeper ${operation}${path === undefined ? "" : ` ${path}`} failed: ${code}`);
  }
}

/** A transaction (multi) none of whose operations took effect, because operation `opIndex` failed with `code`. */
export class TransactionFailedError extends ZookeeperError {
  override readonly name = "TransactionFailedError";
  constructor(
    code: string,
    /** The index of the operation that failed, in the list given to transaction(). */
    readonly opIndex: number,
    path: string | undefined,
  ) {
    super(code, `transaction (operation ${opIndex})`, path);
  }
}

/**
 * The session has expired: ZooKeeper said so, or it was cut off from ZooKeeper for longer
 * than its timeout. Its ephemeral nodes are gone and the session object is dead.
 */
export class SessionExpiredError extends Error {
  override readonly name = "SessionExpiredError";
  constructor(
    readonly sessionIdHex: string,
    readonly reason: string,
  ) {
    super(`ZooKeeper session 0x${sessionIdHex} expired: ${reason}`);
  }
}

/** The session was closed by its owner; nothing more can be done with it. */
export class SessionClosedError extends Error {
  override readonly name = "SessionClosedError";
  constructor(readonly sessionIdHex: string) {
    super(`ZooKeeper session 0x${sessionIdHex} is closed`);
  }
}

/** Whether `error` is a ZookeeperError with `code` (e.g. "NO_NODE"). */
export function isZookeeperError(error: unknown, code: string): error is ZookeeperError {
  return error instanceof ZookeeperError && error.code === code;
}

/** Whether `error` says the session is over (expired, or closed by its owner). */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof SessionExpiredError || error instanceof SessionClosedError;
}

/** The library's exception (or anything thrown) as a ZookeeperError for `operation` on `path`. */
export function toZookeeperError(error: unknown, operation: string, path?: string): Error {
  const name = (error as { getName?: () => string }).getName?.();
  if (typeof name === "string") return new ZookeeperError(name, operation, path);
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs `attempt` again, `attempts` times in all, while it fails with CONNECTION_LOSS: for work safe to start over. */
export async function retryOnConnectionLoss<T>(attempts: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isZookeeperError(e, "CONNECTION_LOSS") || i >= attempts) throw e;
    }
  }
}
