// ZkSession against a real standalone ZooKeeper: its operations, one-shot watches,
// transactions, and the ends of a session (closed by its owner, expired by ZooKeeper, cut
// off from a server that stopped answering), and an address where nothing listens.

import { spawn } from "node:child_process";
import { expect, it } from "vitest";
import {
  SessionClosedError,
  SessionExpiredError,
  TRANSACTION_BYTES_MAX,
  TransactionFailedError,
  type WatchEvent,
  ZookeeperError,
} from "../../../cloud/ha/index.js";
import { nextCall, within } from "../../support/bounded.js";
import { describeWithZookeeper, freePorts } from "../../support/zookeeperServer.js";
import { zookeeperForSuite } from "../../support/zookeeperSessions.js";

describeWithZookeeper("ZkSession", () => {
  const zk = zookeeperForSuite();
  const open = (sessionTimeoutMs = 10_000) => zk.sessions.open({ sessionTimeoutMs });

  it("connecting where nothing listens fails in one line naming the address, and leaves nothing running", async () => {
    const [port] = await freePorts(1);
    const address = `zk://127.0.0.1:${port}/seep`;
    const child = spawn(
      process.execPath,
      ["--import", "./bin/register.js", "test/cloud/ha/fixtures/connectUnreachable.ts", address, "1500"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    try {
      // The process ends by itself only if the client left no socket and no timer behind.
      const [code] = await within(
        nextCall<[number | null]>((f) => child.once("exit", f)),
        "the process to end by itself",
        60_000,
      );
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
    const [line, took] = out.trimEnd().split("\n");
    expect(line).toBe(
      `ZookeeperUnreachableError: ZooKeeper at ${address} is unreachable: no session within 1500 ms`,
    );
    console.log(`unreachable ZooKeeper: connect failed ${took}`);
  });

  it("creates, reads, sets with a version, lists and removes nodes as ZooKeeper does", async () => {
    const s = await open();
    await s.mkdirp("/t/ops/a");
    expect(await s.create("/t/ops/a/x", Buffer.from("one"))).toBe("/t/ops/a/x");
    const got = await s.getData("/t/ops/a/x");
    expect(got?.data.toString()).toBe("one");
    expect(got?.stat).toMatchObject({ version: 0, ephemeral: false, dataLength: 3 });
    expect((await s.setData("/t/ops/a/x", Buffer.from("two"), 0)).version).toBe(1);
    const stale = await s.setData("/t/ops/a/x", Buffer.from("three"), 0).catch((e) => e);
    expect(stale).toBeInstanceOf(ZookeeperError);
    expect(stale).toMatchObject({
      code: "BAD_VERSION",
      message: "ZooKeeper setData /t/ops/a/x failed: BAD_VERSION",
    });
    const seq = await s.create("/t/ops/a/s-", undefined, "ephemeralSequential");
    expect(seq).toMatch(/^\/t\/ops\/a\/s-\d{10}$/);
    expect((await s.exists(seq))?.ephemeral).toBe(true);
    expect((await s.getChildren("/t/ops/a")).sort()).toEqual([seq.slice("/t/ops/a/".length), "x"].sort());
    expect(await s.getData("/t/ops/none")).toBeNull();
    expect(await s.exists("/t/ops/none")).toBeNull();
    expect(await s.remove("/t/ops/a/x")).toBe(true);
    expect(await s.remove("/t/ops/a/x")).toBe(false);
    await expect(s.getChildren("/t/ops/none")).rejects.toMatchObject({ code: "NO_NODE" });
    await expect(s.create("/t/ops/a/s-")).resolves.toBe("/t/ops/a/s-");
    await expect(s.create("/t/ops/a/s-")).rejects.toMatchObject({ code: "NODE_EXISTS" });
  });

  it("a watch fires once, on the next change only", async () => {
    const s = await open();
    await s.mkdirp("/t/watch");
    const events: WatchEvent[] = [];
    await s.getChildren("/t/watch", (e) => events.push(e));
    await s.create("/t/watch/a");
    await s.create("/t/watch/b");
    // A data watch set after both creations: its event comes after theirs, if they had any.
    const data = nextCall<[WatchEvent]>((f) => s.getData("/t/watch/a", f));
    await s.setData("/t/watch/a", Buffer.from("x"));
    expect((await within(data, "the data watch"))[0]).toEqual({ type: "dataChanged", path: "/t/watch/a" });
    expect(events).toEqual([{ type: "childrenChanged", path: "/t/watch" }]);
  });

  it("a transaction commits all or nothing, names the operation that failed, and checks version 0 as 0", async () => {
    const s = await open();
    await s.mkdirp("/t/tx");
    await s.create("/t/tx/v", Buffer.from("a"));
    await s.setData("/t/tx/v", Buffer.from("b")); // version 1 now
    const failed = await s
      .transaction([
        { op: "create", path: "/t/tx/new" },
        { op: "check", path: "/t/tx/v", version: 0 },
        { op: "setData", path: "/t/tx/v", data: Buffer.from("c") },
      ])
      .catch((e) => e);
    expect(failed).toBeInstanceOf(TransactionFailedError);
    expect(failed).toMatchObject({ code: "BAD_VERSION", opIndex: 1, path: "/t/tx/v" });
    expect(await s.exists("/t/tx/new")).toBeNull();
    expect((await s.getData("/t/tx/v"))?.data.toString()).toBe("b");
    const results = await s.transaction([
      { op: "create", path: "/t/tx/new", data: Buffer.from("n") },
      { op: "check", path: "/t/tx/v", version: 1 },
      { op: "setData", path: "/t/tx/v", data: Buffer.from("c"), version: 1 },
      { op: "remove", path: "/t/tx/new" },
    ]);
    expect(results).toEqual([{ path: "/t/tx/new" }, {}, { version: 2 }, {}]);
  });

  it("a transaction over ZooKeeper's request limit is refused before it is sent, and the session lives on", async () => {
    const s = await open();
    await s.mkdirp("/t/big");
    const half = Buffer.alloc(600_000);
    const refused = await s
      .transaction([
        { op: "create", path: "/t/big/a", data: half },
        { op: "create", path: "/t/big/b", data: half },
      ])
      .catch((e) => e);
    expect(refused).toBeInstanceOf(RangeError);
    expect(refused.message).toBe(
      `a transaction of 1200016 bytes is over ZooKeeper's limit of ${TRANSACTION_BYTES_MAX}`,
    );
    expect(await s.transaction([{ op: "create", path: "/t/big/a", data: half }])).toEqual([
      { path: "/t/big/a" },
    ]);
    expect(s.state).toBe("connected");
  });

  it("closing a session removes its ephemeral nodes, and the closed session refuses operations in one line", async () => {
    const [s, watcher] = [await open(), await open()];
    await s.mkdirp("/t/close");
    await s.create("/t/close/e", undefined, "ephemeral");
    const gone = await nextEvent((f) => watcher.exists("/t/close/e", f));
    await s.close();
    expect((await within(gone.event, "the ephemeral node's deletion")).type).toBe("deleted");
    expect(s.state).toBe("closed");
    const refused = await s.getData("/t/close").catch((e) => e);
    expect(refused).toBeInstanceOf(SessionClosedError);
    expect(refused.message).toBe(`ZooKeeper session 0x${s.sessionIdHex} is closed`);
  });

  it("a session closed from outside with its credentials expires: onExpired, its nodes gone, operations refused", async () => {
    const [s, watcher] = [await open(), await open()];
    await s.mkdirp("/t/expire");
    await s.create("/t/expire/e", undefined, "ephemeral");
    const expired = nextCall<[string]>((f) => s.onExpired(f));
    const gone = await nextEvent((f) => watcher.exists("/t/expire/e", f));
    await zk.sessions.expire(s);
    const [reason] = await within(expired, "onExpired");
    expect(reason).toBe("ZooKeeper expired it");
    expect((await within(gone.event, "the ephemeral node's deletion")).type).toBe("deleted");
    expect(s.state).toBe("expired");
    const refused = await s.exists("/t").catch((e) => e);
    expect(refused).toBeInstanceOf(SessionExpiredError);
    expect(refused.message).toBe(`ZooKeeper session 0x${s.sessionIdHex} expired: ZooKeeper expired it`);
  });

  it("a session whose server stops answering is dropped, then taken as expired after its timeout", async () => {
    const s = await open(2_000);
    await s.mkdirp("/t/pause");
    const disconnected = nextCall((f) => s.onDisconnected(f));
    const expired = nextCall<[string]>((f) => s.onExpired(f));
    try {
      await zk.server.pause();
      const underWay = s.getData("/t/pause").catch((e) => e);
      await within(disconnected, "onDisconnected");
      expect(await within(underWay, "the operation under way to fail")).toMatchObject({
        code: "CONNECTION_LOSS",
      });
      const asked = s.getData("/t/pause").catch((e) => e); // waits for a reconnection that never comes
      const [reason] = await within(expired, "onExpired");
      expect(reason).toBe(`cut off from ZooKeeper for its whole timeout (${s.sessionTimeoutMs} ms)`);
      expect(await within(asked, "the waiting operation to fail")).toBeInstanceOf(SessionExpiredError);
    } finally {
      zk.server.resume();
    }
  });
});

/** Sets a one-shot watch through `register` and resolves, once it is set, a promise of its event. */
async function nextEvent(
  register: (watcher: (e: WatchEvent) => void) => Promise<unknown>,
): Promise<{ readonly event: Promise<WatchEvent> }> {
  let fire!: (e: WatchEvent) => void;
  const event = new Promise<WatchEvent>((resolve) => {
    fire = resolve;
  });
  await register(fire);
  return { event };
}
