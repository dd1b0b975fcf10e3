// One ZooKeeper client session, with promises: with zkConnection.ts, the only code that
// talks to the client library (node-zookeeper-client), so that the recipes above it
// (election, epoch, record) read as ZooKeeper's own operations.
//
// What a session is, and what its end means:
// - While connected, its ephemeral nodes stand and its watches fire. A lost connection is
//   not the end: the client reconnects (to any server of the ensemble) and the session
//   carries on, ephemeral nodes and watches included (onDisconnected, onReconnected). An
//   operation asked while disconnected waits for the reconnection; one under way when the
//   connection dropped fails with CONNECTION_LOSS, and may or may not have taken effect.
// - Expiry is the end. ZooKeeper expires a session it has not heard from for its timeout:
//   its ephemeral nodes are deleted (so a leader's election node is gone, and another
//   candidate may already lead), and the session can never be used again: a new one must
//   be made. The session is taken as expired when ZooKeeper says so on reconnecting, and
//   also when it has been cut off from ZooKeeper for its whole timeout, since by then
//   ZooKeeper may have expired it without being able to say so (a leader must not wait to
//   hear it). onExpired fires once; every operation pending or asked after fails with
//   SessionExpiredError.
// - A server that stops answering without closing its socket is noticed by a watchdog
//   (zkConnection.ts), which drops the connection so that the client moves on.
// The library's transaction check/setData/remove turn version 0 into -1 (any version): the
// version is written back into the operation after adding it (see transaction()).

import zookeeper, { type Client, type Event as LibraryEvent, type Stat } from "node-zookeeper-client";
import { ConnectionWatchdog, dropConnection, stopClient } from "./zkConnection.js";
import {
  SessionClosedError,
  SessionExpiredError,
  TransactionFailedError,
  toZookeeperError,
  ZookeeperUnreachableError,
} from "./zkErrors.js";
import { parseZookeeperAddress, type ZookeeperAddress } from "./zookeeperAddress.js";

/** The session timeout asked of ZooKeeper by default, in ms (the server may bound it). */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
/** How long connect() waits for a session by default, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/**
 * The most bytes of paths and data one transaction may carry: ZooKeeper refuses (by closing
 * the connection) a request over jute.maxbuffer, 1 MB by default, headers included.
 */
export const TRANSACTION_BYTES_MAX = 1_000_000;
/** The most the client waits before another round of the servers, in ms. */
const SPIN_DELAY_MS = 200;
/** How long close() waits for ZooKeeper to end the session before dropping the socket, in ms. */
const CLOSE_WAIT_MS = 2_000;

/** How long a session lives without ZooKeeper, and how long connect() may take. */
export interface SessionOptions {
  readonly sessionTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** How a node is created: persistent, or ephemeral (gone with its session); sequential ones get a suffix. */
export type CreateMode = "persistent" | "persistentSequential" | "ephemeral" | "ephemeralSequential";

/** The little of a node's stat that the recipes use. */
export interface NodeStat {
  /** The data's version, for compare-and-set. */
  readonly version: number;
  /** The children's version: how many times they changed. */
  readonly cversion: number;
  readonly numChildren: number;
  readonly dataLength: number;
  /** Whether it is an ephemeral node. */
  readonly ephemeral: boolean;
}

/** A node's data with its stat. */
export interface NodeData {
  readonly data: Buffer;
  readonly stat: NodeStat;
}

/** What a one-shot watch saw happen to `path`. */
export interface WatchEvent {
  readonly type: "created" | "deleted" | "dataChanged" | "childrenChanged";
  readonly path: string;
}

/** A one-shot watch: called at most once, after the change. */
export type Watcher = (event: WatchEvent) => void;

/** One operation of a transaction; version -1 (the default) matches any version. */
export type TransactionOp =
  | { readonly op: "check"; readonly path: string; readonly version: number }
  | { readonly op: "create"; readonly path: string; readonly data?: Uint8Array; readonly mode?: CreateMode }
  | { readonly op: "setData"; readonly path: string; readonly data: Uint8Array; readonly version?: number }
  | { readonly op: "remove"; readonly path: string; readonly version?: number };

/** What one operation of a committed transaction gave: the created path, or the new version. */
export interface TransactionResult {
  readonly path?: string;
  readonly version?: number;
}

/** Where a session stands: connected, between connections, or dead (expired or closed). */
export type SessionState = "connected" | "disconnected" | "expired" | "closed";

const MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  persistentSequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  ephemeralSequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};
const EVENT_TYPES: Record<number, WatchEvent["type"]> = {
  1: "created",
  2: "deleted",
  3: "dataChanged",
  4: "childrenChanged",
};
/** The library's operation codes in a transaction's results: -1 an error, 1 create, 5 setData. */
const RESULT_ERROR = -1;

const toBuffer = (data: Uint8Array | undefined): Buffer | undefined =>
  data === undefined ? undefined : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
const toStat = (s: Stat): NodeStat => ({
  version: s.version,
  cversion: s.cversion,
  numChildren: s.numChildren,
  dataLength: s.dataLength,
  ephemeral: s.ephemeralOwner.some((b) => b !== 0),
});
/** One ZooKeeper session: its operations as promises, and its life (see the file's header). */
export class ZkSession {
  private stateNow: SessionState = "connected";
  private deadError: Error | null = null;
  private readonly pending = new Set<(error: Error) => void>();
  private readonly expiredListeners = new Set<(reason: string) => void>();
  private readonly disconnectedListeners = new Set<() => void>();
  private readonly reconnectedListeners = new Set<() => void>();
  private readonly closedListeners = new Set<() => void>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly watchdog: ConnectionWatchdog;
  private readonly wrappedWatchers = new WeakMap<Watcher, (event: LibraryEvent) => void>();
  /** The session's id in hex, as ZooKeeper's logs and four-letter words show it. */
  readonly sessionIdHex: string;

  /** Connects to `address` and resolves once ZooKeeper has given a session; ZookeeperUnreachableError after connectTimeoutMs. */
  static async connect(address: ZookeeperAddress | string, options: SessionOptions = {}): Promise<ZkSession> {
    const parsed = typeof address === "string" ? parseZookeeperAddress(address) : address;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const client = zookeeper.createClient(parsed.connectString, {
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      spinDelay: SPIN_DELAY_MS,
      retries: 0,
    });
    await new Promise<void>((resolve, reject) => {
      const onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        client.removeListener("connected", onConnected);
        stopClient(client);
        reject(new ZookeeperUnreachableError(parsed.text, connectTimeoutMs));
      }, connectTimeoutMs);
      client.once("connected", onConnected);
      client.connect();
    });
    return new ZkSession(client, parsed);
  }

  private constructor(
    private readonly client: Client,
    /** The ensemble this session is with. */
    readonly address: ZookeeperAddress,
  ) {
    this.sessionIdHex = client.getSessionId().toString("hex");
    client.on("disconnected", () => this.lostConnection());
    client.on("connected", () => this.regainedConnection());
    client.on("expired", () => this.expire("ZooKeeper expired it"));
    this.watchdog = new ConnectionWatchdog(
      client,
      this.sessionTimeoutMs,
      () => this.stateNow === "connected",
    );
  }

  /** The session timeout ZooKeeper granted, in ms. */
  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  /** Where the session stands now. */
  get state(): SessionState {
    return this.stateNow;
  }

  /** The session's id and password: what another client needs to resume it (or, in tests, to close it from outside). */
  credentials(): { readonly sessionId: Buffer; readonly password: Buffer } {
    return { sessionId: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  /** Calls `listener` once with a reason when the session expires; returns a function that stops listening. */
  onExpired(listener: (reason: string) => void): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  /** Calls `listener` each time the connection drops (the session lives on until it expires). */
  onDisconnected(listener: () => void): () => void {
    this.disconnectedListeners.add(listener);
    return () => this.disconnectedListeners.delete(listener);
  }

  /** Calls `listener` each time the session is connected again after a drop. */
  onReconnected(listener: () => void): () => void {
    this.reconnectedListeners.add(listener);
    return () => this.reconnectedListeners.delete(listener);
  }

  /** Calls `listener` once when the session's owner closes it (close()). */
  onClosed(listener: () => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /** Creates `path` (its parent must exist) and resolves the path created (with its suffix, if sequential). */
  create(path: string, data?: Uint8Array, mode: CreateMode = "persistent"): Promise<string> {
    return this.call("create", path, (done) =>
      this.client.create(path, toBuffer(data) ?? Buffer.alloc(0), MODES[mode], done),
    );
  }

  /** Creates `path` and any missing parent, as persistent empty nodes; an existing node is fine. */
  async mkdirp(path: string): Promise<void> {
    await this.call<string>("mkdirp", path, (done) => this.client.mkdirp(path, done));
  }

  /** The data and stat of `path`, or null if there is no such node; `watcher` fires on its next change (if it exists). */
  getData(path: string, watcher?: Watcher): Promise<NodeData | null> {
    return this.call<NodeData | null>("getData", path, (done) => {
      const callback = (error: unknown, data: Buffer, stat: Stat) =>
        done(error, error ? undefined : { data: data ?? Buffer.alloc(0), stat: toStat(stat) });
      if (watcher === undefined) this.client.getData(path, callback);
      else this.client.getData(path, this.watcherOf(watcher), callback);
    }).catch((e) => this.nullIfNoNode(e));
  }

  /** Sets the data of `path` if its version is `version` (-1: any) and resolves the new stat; BAD_VERSION otherwise. */
  setData(path: string, data: Uint8Array, version = -1): Promise<NodeStat> {
    return this.call("setData", path, (done) =>
      this.client.setData(path, toBuffer(data)!, version, (error, stat) =>
        done(error, error ? undefined : toStat(stat)),
      ),
    );
  }

  /** The stat of `path`, or null if absent; `watcher` fires when it is created, changed or deleted. */
  exists(path: string, watcher?: Watcher): Promise<NodeStat | null> {
    return this.call("exists", path, (done) => {
      const callback = (error: unknown, stat: Stat) => done(error, error || !stat ? null : toStat(stat));
      if (watcher === undefined) this.client.exists(path, callback);
      else this.client.exists(path, this.watcherOf(watcher), callback);
    });
  }

  /** The names of `path`'s children (NO_NODE if it is absent); `watcher` fires on the next change among them. */
  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.call("getChildren", path, (done) => {
      const callback = (error: unknown, children: string[]) => done(error, children);
      if (watcher === undefined) this.client.getChildren(path, callback);
      else this.client.getChildren(path, this.watcherOf(watcher), callback);
    });
  }

  /** Removes `path` if its version is `version` (-1: any): true if removed, false if it was not there. */
  remove(path: string, version = -1): Promise<boolean> {
    return this.call<boolean>("remove", path, (done) =>
      this.client.remove(path, version, (error) => done(error, true)),
    ).catch((e) => this.nullIfNoNode(e).then(() => false));
  }

  /**
   * Commits `ops` all or none; TransactionFailedError names the operation that failed. The
   * whole transaction is one request, bounded by ZooKeeper's 1 MB (TRANSACTION_BYTES_MAX).
   */
  transaction(ops: readonly TransactionOp[]): Promise<TransactionResult[]> {
    const bytes = ops.reduce(
      (sum, o) => sum + o.path.length + ("data" in o ? (o.data?.byteLength ?? 0) : 0),
      0,
    );
    if (bytes > TRANSACTION_BYTES_MAX)
      return Promise.reject(
        new RangeError(
          `a transaction of ${bytes} bytes is over ZooKeeper's limit of ${TRANSACTION_BYTES_MAX}`,
        ),
      );
    const tx = this.client.transaction();
    const written = (tx as unknown as { ops: { version?: number }[] }).ops;
    for (const o of ops) {
      if (o.op === "check") tx.check(o.path, o.version);
      else if (o.op === "create")
        tx.create(o.path, toBuffer(o.data) ?? Buffer.alloc(0), MODES[o.mode ?? "persistent"]);
      else if (o.op === "setData") tx.setData(o.path, toBuffer(o.data)!, o.version ?? -1);
      else tx.remove(o.path, o.version ?? -1);
      if (o.op !== "create") written[written.length - 1].version = o.version ?? -1; // the library's 0 -> -1
    }
    return this.call("transaction", undefined, (done) =>
      tx.commit((error, results: { type: number; path?: string; stat?: Stat; err?: number }[]) => {
        const failed =
          error && Array.isArray(results)
            ? results.findIndex((r) => r.type === RESULT_ERROR && r.err !== 0)
            : -1;
        if (failed >= 0) {
          const code = (error as { getName(): string }).getName();
          done(new TransactionFailedError(code, failed, ops[failed]?.path));
        } else
          done(error, error ? undefined : results.map((r) => ({ path: r.path, version: r.stat?.version })));
      }),
    );
  }

  /** Ends the session: if connected, ZooKeeper deletes its ephemeral nodes at once (else when it expires). Idempotent. */
  async close(): Promise<void> {
    if (this.deadError !== null) return;
    const wasConnected = this.stateNow === "connected";
    this.die(new SessionClosedError(this.sessionIdHex), "closed");
    for (const l of [...this.closedListeners]) queueMicrotask(l);
    if (wasConnected) {
      const ended = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        this.client.once("disconnected", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.client.close();
      await ended;
      dropConnection(this.client);
    } else stopClient(this.client);
  }

  /** Runs one library call, tracked so that the session's end fails it rather than leaving it hanging. */
  private call<T>(
    operation: string,
    path: string | undefined,
    start: (done: (error: unknown, result?: T) => void) => void,
  ): Promise<T> {
    if (this.deadError !== null) return Promise.reject(this.deadError);
    return new Promise<T>((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      this.pending.add(fail);
      start((error, result) => {
        if (!this.pending.delete(fail)) return;
        if (error)
          reject(error instanceof TransactionFailedError ? error : toZookeeperError(error, operation, path));
        else resolve(result as T);
      });
    });
  }

  private nullIfNoNode(error: unknown): Promise<null> {
    return (error as { code?: string }).code === "NO_NODE" ? Promise.resolve(null) : Promise.reject(error);
  }

  /**
   * The library's watcher for `watcher`, which calls it outside the library's read loop; the
   * same one each time, since the library sets a function on a path once however often it is
   * asked (a candidate that re-reads is not called twice for one change).
   */
  private watcherOf(watcher: Watcher): (event: LibraryEvent) => void {
    let wrapped = this.wrappedWatchers.get(watcher);
    if (wrapped === undefined) {
      wrapped = (event) => {
        const type = EVENT_TYPES[event.getType()];
        if (type !== undefined && this.deadError === null)
          queueMicrotask(() => watcher({ type, path: event.getPath() }));
      };
      this.wrappedWatchers.set(watcher, wrapped);
    }
    return wrapped;
  }

  private lostConnection(): void {
    if (this.deadError !== null || this.stateNow === "disconnected") return;
    this.stateNow = "disconnected";
    this.watchdog.reset();
    const timeoutMs = this.sessionTimeoutMs;
    this.expiryTimer = setTimeout(
      () => this.expire(`cut off from ZooKeeper for its whole timeout (${timeoutMs} ms)`),
      timeoutMs,
    );
    this.expiryTimer.unref();
    for (const l of [...this.disconnectedListeners]) queueMicrotask(l);
  }

  private regainedConnection(): void {
    if (this.deadError !== null || this.stateNow === "connected") return;
    clearTimeout(this.expiryTimer);
    this.stateNow = "connected";
    this.watchdog.reset();
    for (const l of [...this.reconnectedListeners]) queueMicrotask(l);
  }

  private expire(reason: string): void {
    if (this.deadError !== null) return;
    this.die(new SessionExpiredError(this.sessionIdHex, reason), "expired");
    stopClient(this.client);
    for (const l of [...this.expiredListeners]) queueMicrotask(() => l(reason));
  }

  /** Marks the session dead and fails every operation still pending with `error`. */
  private die(error: Error, state: "expired" | "closed"): void {
    this.deadError = error;
    this.stateNow = state;
    clearTimeout(this.expiryTimer);
    this.watchdog.stop();
    for (const fail of [...this.pending]) fail(error);
    this.pending.clear();
  }
}
