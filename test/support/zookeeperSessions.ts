// Sessions with a test's ZooKeeper server, and a suite's server with them
// (zookeeperForSuite: started before the suite's tests, its sessions closed after each test,
// stopped after the suite).
//
// Expiring a session on purpose, deterministically. Each session is made through
// a TCP proxy of its own (tcpProxy.ts). To expire one: cut its proxy, so that its client
// cannot reconnect; join the session from a second client (its id and password) straight
// to the server, and close it there, which ends the session at once (its ephemeral nodes
// are deleted); then restore the proxy: the first client reconnects and ZooKeeper tells it
// the session expired. Without the cut, the first client could win the session back between
// the second's join and its close, and the close would be lost.

import zookeeper from "node-zookeeper-client";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type SessionOptions, ZkSession } from "../../cloud/ha/index.js";
import { nextCall, within } from "./bounded.js";
import { startTcpProxy, type TcpProxy } from "./tcpProxy.js";
import { startZookeeper, type ZookeeperServer } from "./zookeeperServer.js";

/** Sessions with one server that a test can expire; closeAll() ends them and their proxies. */
export class ExpirableSessions {
  private readonly proxies = new Map<ZkSession, TcpProxy>();

  /** For the server at 127.0.0.1:`port`, with seep's nodes under `root`. */
  constructor(
    private readonly port: number,
    private readonly root = "/seep",
  ) {}

  /** A new session, through a proxy of its own. */
  async open(options?: SessionOptions): Promise<ZkSession> {
    const proxy = await startTcpProxy(this.port);
    try {
      const session = await ZkSession.connect(`zk://127.0.0.1:${proxy.port}${this.root}`, options);
      this.proxies.set(session, proxy);
      return session;
    } catch (e) {
      await proxy.close();
      throw e;
    }
  }

  /** Ends `session` in ZooKeeper from another client; its own client hears it expired on reconnecting. */
  async expire(session: ZkSession): Promise<void> {
    const proxy = this.proxies.get(session);
    if (proxy === undefined) throw new Error("not a session of these");
    proxy.cut();
    try {
      const { sessionId, password } = session.credentials();
      // The library takes a session to join, though its types do not say so.
      const other = zookeeper.createClient(`127.0.0.1:${this.port}`, {
        sessionId,
        sessionPassword: password,
      } as object);
      await within(
        nextCall((f) => {
          other.once("connected", f);
          other.connect();
        }),
        "a second client to join the session",
      );
      const closed = nextCall((f) => other.once("disconnected", f));
      other.close();
      await within(closed, "the second client to close the session");
    } finally {
      proxy.restore();
    }
  }

  /** Closes every session and proxy. */
  async closeAll(): Promise<void> {
    const all = [...this.proxies];
    this.proxies.clear();
    await Promise.all(all.map(([s]) => s.close()));
    await Promise.all(all.map(([, p]) => p.close()));
  }
}

/** A suite's standalone server and its sessions, set once the suite has started. */
export interface ZookeeperSuite {
  readonly server: ZookeeperServer;
  readonly sessions: ExpirableSessions;
}

/** Starts a standalone server before the suite's tests and stops it after them; closes the sessions after each test. */
export function zookeeperForSuite(): ZookeeperSuite {
  const suite = {} as { server: ZookeeperServer; sessions: ExpirableSessions };
  beforeAll(async () => {
    suite.server = await startZookeeper();
    suite.sessions = new ExpirableSessions(suite.server.port);
  });
  afterEach(async () => {
    await suite.sessions?.closeAll();
  });
  afterAll(async () => {
    await suite.server?.stop();
  });
  return suite;
}
