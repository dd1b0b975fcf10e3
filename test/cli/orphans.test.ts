// No worker outlives its run. A real `seep run` on local workers is killed once its workers
// are up and deployed: by SIGKILL, which nothing can catch (its workers find their
// coordinator gone and exit by themselves, and the next run into the directory removes the
// partial file it left), and by SIGHUP (handled like SIGTERM: exit 129, workers shut down,
// no partial file, no summary). A worker nobody calls exits once its lease runs out.
// Workers are found through /proc (their parent, their listening socket and the
// coordinator's connection to it); every wait is for a condition, bounded only by the
// test's generous timeout: nothing here asserts a speed.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { root, seep } from "./spawnSeep.js";

const bin = join(root, "bin/seep.js");
const scratch = mkdtempSync(join(tmpdir(), "seep-orphans-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Processes this file started (seep runs and the workers found under them), ended whatever happens. */
const started = new Set<number>();
afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already, as it should be
    }
  }
  started.clear();
});

/** A slow, light stream: 300 s of one line every 100 ms, so the run is still on when it is killed. */
const LONG_RUN = [
  "--workers",
  "2",
  "--quiet",
  "--set",
  "workload.params.lines=3000",
  "--set",
  "workload.params.lineIntervalMs=100",
];

/** `seep run` spawned as a user would, its output collected. */
function startRun(out: string): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [bin, "run", "wordcount", ...LONG_RUN, "--out", out], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child.pid!);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** The state letter and parent pid of `pid` (from /proc/<pid>/stat), or null once it is gone. */
function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** True while `pid` runs (a zombie, waiting for init to reap it, has exited). */
function running(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== "Z" && s.state !== "X";
}

/** The `seep worker` processes whose parent is `parent`. */
function workersOf(parent: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      if (stat(pid)?.ppid !== parent) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("worker");
      } catch {
        return false;
      }
    });
}

/** TCP sockets of this network namespace: local port, state (0A listen, 01 established), inode. */
function tcpSockets(): { port: number; state: string; inode: string }[] {
  const rows: { port: number; state: string; inode: string }[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").trim().split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      rows.push({ port: Number.parseInt(f[1].split(":")[1], 16), state: f[3], inode: f[9] });
    }
  }
  return rows;
}

/** Inodes of the sockets `pid` holds. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`, "utf8").toString());
      if (m) inodes.add(m[1]);
    }
  } catch {
    // gone meanwhile
  }
  return inodes;
}

/** True once `worker` listens and holds a connection accepted on its port (its coordinator's). */
function deployedTo(worker: number): boolean {
  const mine = socketInodes(worker);
  const sockets = tcpSockets().filter((s) => mine.has(s.inode));
  const listening = sockets.find((s) => s.state === "0A");
  return listening !== undefined && sockets.some((s) => s.state === "01" && s.port === listening.port);
}

/** Resolves once `condition` holds, polling; the test's timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** The run's two workers, once both are up and connected to by their coordinator. */
async function workersUp(seepPid: number): Promise<number[]> {
  let workers: number[] = [];
  await until(() => {
    workers = workersOf(seepPid);
    return workers.length === 2 && workers.every(deployedTo);
  });
  for (const w of workers) started.add(w);
  return workers;
}

describe.skipIf(process.platform !== "linux")("no orphaned workers", () => {
  it("SIGKILL of seep run: its workers find their coordinator gone and exit, and the next run removes the partial file", async () => {
    const out = join(scratch, "killed");
    const run = startRun(out);
    const workers = await workersUp(run.child.pid!);
    run.child.kill("SIGKILL");
    expect(await run.exited).toBeNull();
    await until(() => workers.every((w) => !running(w)));
    await until(() => (run.stderr().match(/is gone/g) ?? []).length === workers.length);
    for (const line of run.stderr().trim().split("\n"))
      expect(line).toMatch(
        new RegExp(
          `^seep: worker 127\\.0\\.0\\.1:\\d+: its (parent process|coordinator) \\(pid ${run.child.pid}\\) is gone.*; exiting$`,
        ),
      );
    // What the killed run left: its experiment, and its outputs named as partial.
    const partial = `outputs.csv.partial-${run.child.pid}`;
    expect(readdirSync(out).sort()).toEqual(["experiment.json", partial]);
    const next = await seep([
      "sim",
      "wordcount",
      "--quiet",
      "--out",
      out,
      "--set",
      "workload.params.lines=50",
    ]);
    expect(next.code).toBe(0);
    expect(next.stderr).toBe(
      `seep: removed ${partial} from ${out}: partial files of a run that was killed (pid ${run.child.pid}, gone)\n`,
    );
    expect(readdirSync(out)).not.toContain(partial);
  });

  it("SIGHUP of seep run is handled like SIGTERM: workers shut down, exit 129, no partial file and no summary", async () => {
    const out = join(scratch, "hungup");
    const run = startRun(out);
    const workers = await workersUp(run.child.pid!);
    run.child.kill("SIGHUP");
    expect(await run.exited).toBe(129);
    await until(() => workers.every((w) => !running(w)));
    expect(run.stderr()).toBe("seep: SIGHUP: terminating the VMs of this run...\n");
    expect(readdirSync(out)).toEqual(["experiment.json"]);
  });

  it("a worker nobody calls exits once its lease runs out, with one line and code 3", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SEEP_TOKEN: "lease-test-token" };
    delete env.SEEP_COORDINATOR_PID;
    const child = spawn(process.execPath, [bin, "worker", "--lease-ms", "1000"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.add(child.pid!);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code).toBe(3);
    expect(stdout).toMatch(/^seep worker listening on 127\.0\.0\.1:\d+\n$/);
    expect(stderr).toMatch(
      /^seep: worker 127\.0\.0\.1:\d+: no call from the coordinator for \d+ ms \(lease 1000 ms, set by --lease-ms or SEEP_LEASE_MS\); exiting\n$/,
    );
  });

  it("refuses a malformed --lease-ms in one line", async () => {
    const a = await seep(["worker", "--lease-ms", "soon"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe("seep: --lease-ms expects an integer from 0 to 86400000, got 'soon'\n");
  });
});
