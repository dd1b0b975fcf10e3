// A 3-server ZooKeeper ensemble on loopback for the tests of cloud/ha/: each server a
// QuorumPeerMain process of its own (zookeeperServer.ts starts it) with its own directory,
// myid file and free client, quorum and election ports, all on 127.0.0.1. A test kills one
// server mid-run (killServer), picks the one a session is connected to (serverOf, through
// `cons`) or the ensemble's leader (leaderIndex, through `srvr`), and stops the rest.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  baseConfig,
  fourLetterWord,
  freePorts,
  killProcess,
  launchServer,
  type ServerProcess,
  stopServer,
  waitServing,
} from "./zookeeperServer.js";

/** A ZooKeeper ensemble on loopback. */
export interface ZookeeperEnsemble {
  /** "127.0.0.1:p1,127.0.0.1:p2,...", every server's client port. */
  readonly connectString: string;
  /** How many servers it was started with. */
  readonly size: number;
  /** `zk://<connectString><root>`, as `seep run --ha` takes it. */
  address(root?: string): string;
  /** SIGKILLs server `i` (0-based) and waits until its process is gone. */
  killServer(i: number): Promise<void>;
  /** Starts server `i` again after killServer, on its ports and data, and waits until it serves. */
  restartServer(i: number): Promise<void>;
  /** Whether server `i` is still running. */
  isRunning(i: number): boolean;
  /** The index of the server that has the session `sessionIdHex` (as ZkSession.sessionIdHex), or -1. */
  serverOf(sessionIdHex: string): Promise<number>;
  /** The index of the ensemble's current leader among the running servers, or -1. */
  leaderIndex(): Promise<number>;
  /** Stops every server still running and removes the directories. */
  stop(): Promise<void>;
}

/** Starts `size` servers (3 by default) as one ensemble and waits until every one serves. */
export async function startZookeeperEnsemble(size = 3): Promise<ZookeeperEnsemble> {
  const root = mkdtempSync(join(tmpdir(), "seep-zk-ensemble-"));
  const ports = await freePorts(3 * size);
  const clientPorts = ports.slice(0, size);
  const peers = Array.from(
    { length: size },
    (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + 2 * i]}:${ports[size + 2 * i + 1]}`,
  );
  const servers: ServerProcess[] = [];
  const launch = (i: number) => {
    const dir = join(root, `server${i + 1}`);
    const config = [...baseConfig(dir, clientPorts[i]), "standaloneEnabled=false", ...peers];
    return launchServer(dir, clientPorts[i], "org.apache.zookeeper.server.quorum.QuorumPeerMain", config);
  };
  try {
    for (let i = 0; i < size; i++) {
      const data = join(root, `server${i + 1}`, "data");
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, "myid"), `${i + 1}\n`);
      servers.push(launch(i));
    }
    await Promise.all(servers.map((s) => waitServing(s)));
  } catch (e) {
    await Promise.all(servers.map(stopServer));
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const running = (i: number) => servers[i].child.exitCode === null && servers[i].child.signalCode === null;
  const connectString = clientPorts.map((p) => `127.0.0.1:${p}`).join(",");
  return {
    connectString,
    size,
    address: (path = "") => `zk://${connectString}${path}`,
    killServer: (i) => killProcess(servers[i], "SIGKILL"),
    restartServer: async (i) => {
      if (running(i)) throw new Error(`server ${i} is running`);
      servers[i] = launch(i);
      await waitServing(servers[i]);
    },
    isRunning: running,
    serverOf: async (sessionIdHex) => {
      const wanted = BigInt(`0x${sessionIdHex}`);
      for (let i = 0; i < size; i++) {
        if (!running(i)) continue;
        const sids = [...(await fourLetterWord(clientPorts[i], "cons")).matchAll(/sid=0x([0-9a-f]+)/g)];
        if (sids.some((m) => BigInt(`0x${m[1]}`) === wanted)) return i;
      }
      return -1;
    },
    leaderIndex: async () => {
      for (let i = 0; i < size; i++) {
        if (running(i) && /^Mode: leader/m.test(await fourLetterWord(clientPorts[i], "srvr"))) return i;
      }
      return -1;
    },
    stop: async () => {
      await Promise.all(servers.map(stopServer));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
