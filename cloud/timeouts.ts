// The bounds the real runtime waits within, and what it says when one is exceeded. On a
// busy machine (a laptop building something, two CPU hogs) a worker takes many times
// longer to start and to answer than on an idle one, so every bound is generous and can
// be raised from the environment; a bound exceeded is not a bug in seep but a machine too
// slow for it, and is reported in one line naming what timed out and how to raise it.
//   SEEP_WORKER_START_MS     a local worker's start, to its "listening" line (default 120000)
//   SEEP_RPC_TIMEOUT_MS      a control call to a worker: deploy, redeploy, a control message (default 60000)
//   SEEP_HEARTBEAT_TIMEOUT_MS  a worker silent this long is declared dead (default 30000)
//   SEEP_ZK_SESSION_MS       under --ha, a coordinator's ZooKeeper session: a dead leader is
//                            replaced about this long after its death (default 10000)
//   SEEP_ZK_CONNECT_MS       under --ha, how long a coordinator waits for a ZooKeeper session
//                            before it gives up, in one line (default 15000)

/**
 * A wait exceeded its bound, or a bound is set wrongly: the user's to act on (the message
 * says what and how to change it), reported by the CLI in one line.
 */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** The environment variable bounding a local worker's start. */
export const WORKER_START_ENV = "SEEP_WORKER_START_MS";
/** A local worker's start, by default (ms). */
export const DEFAULT_WORKER_START_MS = 120_000;

/** The environment variable bounding the coordinator's control calls. */
export const RPC_TIMEOUT_ENV = "SEEP_RPC_TIMEOUT_MS";
/** A control call's deadline, by default (ms). */
export const DEFAULT_RPC_TIMEOUT_MS = 60_000;

/** The environment variable bounding a worker's silence before it is declared dead. */
export const HEARTBEAT_TIMEOUT_ENV = "SEEP_HEARTBEAT_TIMEOUT_MS";
/**
 * How long a worker may leave heartbeats unanswered before it is declared dead, by default
 * (ms). A busy worker (a large checkpoint, a major GC, a starved process) is not dead; a
 * dead one breaks its watch stream at once, so this only has to catch one that hangs.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/** The environment variable setting a coordinator's ZooKeeper session timeout (--ha). */
export const ZK_SESSION_ENV = "SEEP_ZK_SESSION_MS";
/**
 * A coordinator's ZooKeeper session timeout, by default (ms): a leader cut off from ZooKeeper
 * (or dead) this long loses its leadership, and a standby takes over. Shorter is a quicker
 * takeover, and a leader that a busy machine starves for that long deposed for nothing.
 */
export const DEFAULT_ZK_SESSION_MS = 10_000;

/** The environment variable bounding a coordinator's wait for a ZooKeeper session (--ha). */
export const ZK_CONNECT_ENV = "SEEP_ZK_CONNECT_MS";
/** How long a coordinator waits for a ZooKeeper session, by default (ms). */
export const DEFAULT_ZK_CONNECT_MS = 15_000;

/** The largest bound accepted: a day. */
const BOUND_MS_MAX = 86_400_000;

/**
 * The bound in `env[name]`, in whole ms (at least `minMs`), or `defaultMs` when unset or
 * empty; a value that is not such a number is a TimeoutError naming the variable.
 */
export function msFromEnv(
  name: string,
  defaultMs: number,
  env: NodeJS.ProcessEnv = process.env,
  minMs = 1,
): number {
  const text = env[name];
  if (text === undefined || text.trim() === "") return defaultMs;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < minMs || ms > BOUND_MS_MAX)
    throw new TimeoutError(
      `${name} must be a whole number of ms from ${minMs} to ${BOUND_MS_MAX}, got '${text}'`,
    );
  return ms;
}

/** How long a local worker may take to start (SEEP_WORKER_START_MS). */
export function workerStartMs(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(WORKER_START_ENV, DEFAULT_WORKER_START_MS, env);
}

/** The deadline of a control call to a worker (SEEP_RPC_TIMEOUT_MS). */
export function rpcTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(RPC_TIMEOUT_ENV, DEFAULT_RPC_TIMEOUT_MS, env);
}

/** How long a worker may be silent before it is declared dead (SEEP_HEARTBEAT_TIMEOUT_MS). */
export function heartbeatTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(HEARTBEAT_TIMEOUT_ENV, DEFAULT_HEARTBEAT_TIMEOUT_MS, env);
}

/** A coordinator's ZooKeeper session timeout under --ha (SEEP_ZK_SESSION_MS; ZooKeeper may bound it). */
export function zkSessionMs(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(ZK_SESSION_ENV, DEFAULT_ZK_SESSION_MS, env, 100);
}

/** Reads every bound above, so that a bad value fails at the start, in one line (a TimeoutError). */
export function checkTimeoutSettings(env: NodeJS.ProcessEnv = process.env): void {
  workerStartMs(env);
  rpcTimeoutMs(env);
  heartbeatTimeoutMs(env);
  zkSessionMs(env);
  zkConnectMs(env);
}

/** How long a coordinator waits for a ZooKeeper session under --ha (SEEP_ZK_CONNECT_MS). */
export function zkConnectMs(env: NodeJS.ProcessEnv = process.env): number {
  return msFromEnv(ZK_CONNECT_ENV, DEFAULT_ZK_CONNECT_MS, env, 100);
}

/** The hint a timeout's message ends with: how to raise the bound. */
export function raiseHint(envName: string): string {
  return ` (a busy machine? raise the bound with ${envName}=<ms>)`;
}
