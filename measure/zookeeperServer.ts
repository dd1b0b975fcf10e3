// Real ZooKeeper servers for the tests of cloud/ha/ and cloud/failover/, and the benchmarks of
// coordinator failover: Debian's `zookeeper` package (the
// server's jar and its dependencies in /usr/share/java), run as a plain `java` process on
// 127.0.0.1, on free ports, in a fresh temporary directory that is removed when it stops.
// The JVM is kept light (small heap, serial GC, C1 only) and the admin server off; the
// four-letter words are all allowed, since the tests read `srvr` (is it serving?), `cons`
// (whose session is on which server) and `wchp` (who watches what). Every wait is bounded
// and fails with the tail of the server's log. A server the test forgot to stop is killed
// when the test process exits. The ensemble is in zookeeperEnsemble.ts.
//
// Without the package installed, the suites that need it skip with a line saying why,
// unless SEEP_REQUIRE_ZOOKEEPER=1 (CI), which makes them fail instead
// (test/support/zookeeperServer.ts).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./bounded.js";

/** The server's jar from Debian's `libzookeeper-java` (its manifest names the other jars). */
const ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar";
/** A logging binding, so that the server's warnings land in its log file rather than nowhere. */
const SLF4J_SIMPLE_JAR = "/usr/share/java/slf4j-simple.jar";
/** How long a server may take to start serving, and to stop, in ms (generous for a busy machine). */
const START_MS = 60_000;
const STOP_MS = 5_000;

/** The JVM flags that keep a test server light and quick to start. */
export const JVM_FLAGS = [
  "-Xmx128m",
  "-Xms16m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-XX:-UsePerfData",
  "-Dzookeeper.admin.enableServer=false",
  "-Dzookeeper.4lw.commands.whitelist=*",
  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
];

/** Why ZooKeeper cannot run here (a one-line hint), or null when it can. */
export function zookeeperMissing(): string | null {
  if (!existsSync(ZOOKEEPER_JAR)) return `no ${ZOOKEEPER_JAR}: apt-get install zookeeper`;
  if (spawnSync("java", ["-version"], { stdio: "ignore" }).status !== 0) return "no `java` on the PATH";
  return null;
}

/** Whether Debian's ZooKeeper and a Java runtime are installed. */
export function zookeeperInstalled(): boolean {
  return zookeeperMissing() === null;
}

/** Free TCP ports on 127.0.0.1, distinct, each bound once and released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Sends a four-letter word to 127.0.0.1:`port` and resolves its answer ("" if refused or cut off). */
export function fourLetterWord(port: number, word: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on("connect", () => socket.write(word));
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer));
  });
}

/**
 * The watches of `wchp`'s answer: each watched path with the ids of the sessions watching it
 * (hex, without leading zeros, as ZooKeeper prints them).
 */
export function watchesByPath(wchp: string): Map<string, string[]> {
  const watches = new Map<string, string[]>();
  let path: string | undefined;
  for (const line of wchp.split("\n")) {
    if (line.startsWith("/")) {
      path = line.trim();
      watches.set(path, []);
    } else if (path !== undefined && /^\s+0x[0-9a-f]+$/.test(line))
      watches.get(path)!.push(line.trim().slice(2));
  }
  return watches;
}

/** A session id in hex as ZooKeeper prints it (no leading zeros). */
export const shortHex = (hex: string) => BigInt(`0x${hex}`).toString(16);

/** The servers this process started and has not stopped: killed if the process exits first. */
const running = new Set<ServerProcess>();
process.on("exit", () => {
  for (const server of running) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    rmSync(server.dir, { recursive: true, force: true });
  }
});

/** One ZooKeeper server's process, its client port and its directory. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly clientPort: number;
  readonly dir: string;
  readonly logFile: string;
}

/** The lines of a zoo.cfg shared by every test server, with the data directory and client port. */
export function baseConfig(dir: string, clientPort: number): string[] {
  return [
    "tickTime=200",
    "initLimit=50",
    "syncLimit=25",
    "minSessionTimeout=400",
    "maxSessionTimeout=60000",
    `dataDir=${join(dir, "data")}`,
    `clientPort=${clientPort}`,
    "clientPortAddress=127.0.0.1",
    "admin.enableServer=false",
    "4lw.commands.whitelist=*",
  ];
}

/** Starts `java <mainClass> <dir>/zoo.cfg` with `config`; `dir` is the server's own directory. */
export function launchServer(dir: string, clientPort: number, mainClass: string, config: string[]) {
  writeFileSync(join(dir, "zoo.cfg"), `${config.join("\n")}\n`);
  const logFile = join(dir, "server.log");
  const log = openSync(logFile, "a");
  const classpath = [ZOOKEEPER_JAR, ...(existsSync(SLF4J_SIMPLE_JAR) ? [SLF4J_SIMPLE_JAR] : [])].join(":");
  const child = spawn("java", [...JVM_FLAGS, "-cp", classpath, mainClass, join(dir, "zoo.cfg")], {
    stdio: ["ignore", log, log],
  });
  if (child.pid === undefined) throw new Error("could not start java for ZooKeeper");
  const server: ServerProcess = { child, pid: child.pid, clientPort, dir, logFile };
  running.add(server);
  return server;
}

/** The last lines of a server's log, for a failure message. */
export function logTail(server: ServerProcess, lines = 15): string {
  const text = existsSync(server.logFile) ? readFileSync(server.logFile, "utf8") : "";
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Waits until the server answers `srvr` as serving (standalone, leader or follower); bounded. */
export async function waitServing(server: ServerProcess, timeoutMs = START_MS): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null)
      throw new Error(`ZooKeeper on port ${server.clientPort} exited while starting:\n${logTail(server)}`);
    if (/^Mode: /m.test(await fourLetterWord(server.clientPort, "srvr", 2_000))) return;
    if (performance.now() > deadline)
      throw new Error(
        `ZooKeeper on port ${server.clientPort} not serving after ${timeoutMs} ms:\n${logTail(server)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether every thread of process `pid` is stopped (state T in /proc), as after SIGSTOP. */
function allThreadsStopped(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.every((t) => {
    const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
  });
}

/** Stops a server by PID: SIGTERM, then SIGKILL if it is still there after a while; bounded. */
export async function killProcess(server: ServerProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const { child } = server;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (!exited()) {
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGCONT"); // a paused server does not act on SIGTERM
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_MS);
    await gone;
    clearTimeout(timer);
  }
}

/** Stops a server and removes its directory. */
export async function stopServer(server: ServerProcess): Promise<void> {
  try {
    await killProcess(server);
  } finally {
    running.delete(server);
    rmSync(server.dir, { recursive: true, force: true });
  }
}

/** A standalone ZooKeeper server for tests. */
export interface ZookeeperServer {
  /** "127.0.0.1:port", for a client. */
  readonly connectString: string;
  readonly port: number;
  readonly pid: number;
  /** `zk://127.0.0.1:port<root>`, as `seep run --ha` takes it. */
  address(root?: string): string;
  /** Sends a four-letter word (`srvr`, `cons`, `wchp`, ...) and resolves the answer. */
  fourLetterWord(word: string): Promise<string>;
  /** SIGSTOP, and waits until every thread has stopped: the server keeps its sockets but answers nothing, as a hung machine. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** Starts a standalone server on 127.0.0.1 on a free port, in a fresh temporary directory, and waits until it serves. */
export async function startZookeeper(): Promise<ZookeeperServer> {
  const dir = mkdtempSync(join(tmpdir(), "seep-zk-"));
  const [port] = await freePorts(1);
  const server = launchServer(
    dir,
    port,
    "org.apache.zookeeper.server.ZooKeeperServerMain",
    baseConfig(dir, port),
  );
  try {
    await waitServing(server);
  } catch (e) {
    await stopServer(server);
    throw e;
  }
  return {
    connectString: `127.0.0.1:${port}`,
    port,
    pid: server.pid,
    address: (root = "") => `zk://127.0.0.1:${port}${root}`,
    fourLetterWord: (word) => fourLetterWord(port, word),
    pause: async () => {
      server.child.kill("SIGSTOP");
      await until(() => allThreadsStopped(server.pid), `ZooKeeper (pid ${server.pid}) to stop on SIGSTOP`);
    },
    resume: () => server.child.kill("SIGCONT"),
    stop: () => stopServer(server),
  };
}
