// The default VM pool: `seep worker` processes on this machine, bound to 127.0.0.1,
// each announcing its port on its first line of output. Every process it started is
// killed on release, on shutdown, and when this process exits for any reason (signal
// handlers, installed by the caller with installSignalCleanup, go through shutdown).
// `kill` SIGKILLs one worker, for runs that inject crashes. Each worker is told this
// process's pid (SEEP_COORDINATOR_PID) and exits by itself once it is gone, so that not
// even a SIGKILL of this process leaves workers behind (cloud/coordinatorLease.ts).
// The token reaches a worker in its environment (SEEP_TOKEN), which only its user can
// read, not on its command line, which every user can; TLS files and the message bound go
// as flags.
// With `ha` (a run with a standby coordinator) the workers must outlive this process, so
// that a standby can take over the run with them: they are started with `--ha` (no watch
// on this process, a longer lease: coordinatorLease.ts) and without SEEP_COORDINATOR_PID,
// and this process's exit does not kill them. `release`, `kill` and `shutdown` (a run's
// deliberate end, signals included) still stop them; a run whose coordinators are all
// gone ends them by their lease.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { TlsFiles } from "./auth.js";
import { COORDINATOR_PID_ENV } from "./coordinatorLease.js";
import { raiseHint, TimeoutError, WORKER_START_ENV, workerStartMs } from "./timeouts.js";
import type { CloudVm, VmPool } from "./vmPool.js";
import { TOKEN_ENV } from "./workerToken.js";

/** How a local worker process is started. */
export interface LocalProcessPoolOptions {
  /** The program and arguments that start `seep worker` (listen and token are appended; `--job` flags included). */
  readonly command: readonly string[];
  /** The run's token. */
  readonly token: string;
  /** The workers' certificate, key and the run's CA: they serve TLS and require client certificates. */
  readonly tls?: TlsFiles;
  /** The largest message a worker takes in, in bytes (default: the worker's own). */
  readonly messageBytesMax?: number;
  /** A worker that has not announced its port by then is killed and reported (default: SEEP_WORKER_START_MS, else 120000). */
  readonly readyTimeoutMs?: number;
  /** The run has a standby coordinator: workers outlive this process (see the header; default false). */
  readonly ha?: boolean;
  /** The lease each worker gives its coordinator, in ms (`--lease-ms`; default: the worker's own). */
  readonly leaseMs?: number;
  /** What its workers' ids begin with (default `local-`): a new leader's pool names its own apart from those it adopts. */
  readonly idPrefix?: string;
}

/** The line a worker prints once it listens: `seep worker listening on HOST:PORT`. */
export const LISTENING_PREFIX = "seep worker listening on ";

/** Local worker processes as a VM pool. */
export class LocalProcessPool implements VmPool {
  private readonly ready: CloudVm[] = [];
  private readonly processes = new Map<string, ChildProcess>();
  /** Workers started by another leader's pool, taken over (HA): their pids. */
  private readonly adopted = new Map<string, number>();
  private next = 0;
  /** Set by shutdown: no worker is started after it (a run still recovering would start some). */
  private closed = false;
  private readonly killAll = () => {
    for (const p of this.processes.values()) p.kill("SIGKILL");
  };

  constructor(private readonly options: LocalProcessPoolOptions) {
    if (options.ha !== true) process.on("exit", this.killAll);
  }

  async prewarm(n: number): Promise<void> {
    this.assertOpen();
    // Each is ready (and idle, its lease kept by the coordinator) as soon as it has started.
    await Promise.all(
      Array.from({ length: n }, () => this.startWorker().then((vm) => void this.ready.push(vm))),
    );
  }

  idle(): readonly CloudVm[] {
    return [...this.ready];
  }

  async acquire(): Promise<CloudVm> {
    this.assertOpen();
    return this.ready.shift() ?? this.startWorker();
  }

  async release(vm: CloudVm): Promise<void> {
    const pid = this.adopted.get(vm.id);
    if (pid !== undefined) {
      this.adopted.delete(vm.id);
      await stopPid(pid);
      return;
    }
    const p = this.processes.get(vm.id);
    this.processes.delete(vm.id);
    if (p !== undefined && p.exitCode === null) {
      p.kill("SIGTERM");
      await exited(p, 2000);
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    const all = [...this.processes.entries()];
    this.ready.length = 0;
    await Promise.all([...this.adopted.keys()].map((id) => this.release({ id, address: "" })));
    await Promise.all(all.map(([id, p]) => this.release({ id, address: "" }).catch(() => p.kill("SIGKILL"))));
    if (this.options.ha !== true) process.off("exit", this.killAll);
  }

  /** SIGKILL the VM's worker process; false when it is not running (or not this pool's). */
  kill(vm: CloudVm): boolean {
    const pid = this.adopted.get(vm.id);
    if (pid !== undefined) return signalPid(pid, "SIGKILL");
    const p = this.processes.get(vm.id);
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return false;
    return p.kill("SIGKILL");
  }

  /**
   * The CPU time a VM's worker process has had so far, and the time it was ready to run but
   * waiting for a core (Linux's /proc/<pid>/schedstat), in ms: their ratio tells the share
   * of a core the worker got on a machine it shares. Null where there is no such file, or
   * once the worker has exited.
   */
  schedStat(vm: CloudVm): { readonly onCpuMs: number; readonly waitingMs: number } | null {
    const pid = this.processes.get(vm.id)?.pid;
    if (pid === undefined) return null;
    try {
      const [onCpuNs, waitingNs] = readFileSync(`/proc/${pid}/schedstat`, "utf8")
        .trim()
        .split(" ")
        .map(Number);
      return Number.isFinite(onCpuNs) && Number.isFinite(waitingNs)
        ? { onCpuMs: onCpuNs / 1e6, waitingMs: waitingNs / 1e6 }
        : null;
    } catch {
      return null;
    }
  }

  /**
   * Leave every worker running, for a newer leader (this one was deposed), and let this
   * process exit without them: their output pipes are closed, nothing here waits for them.
   */
  letGo(): void {
    this.closed = true;
    for (const p of this.processes.values()) {
      p.stdout?.destroy();
      p.unref();
    }
    this.processes.clear();
    this.adopted.clear();
    this.ready.length = 0;
  }

  /** A worker's pid, for a new leader to manage it (HA). */
  handOver(vm: CloudVm): string | undefined {
    const pid = this.processes.get(vm.id)?.pid ?? this.adopted.get(vm.id);
    return pid === undefined ? undefined : String(pid);
  }

  /**
   * Take over a worker another leader's pool started (HA), by its pid: `release`, `kill` and
   * `shutdown` stop it from now on. Ids of adopted workers are theirs; this pool's own
   * workers are named apart (`local-e<epoch>-<n>` when the pool is given an `idPrefix`).
   */
  adopt(vm: CloudVm, handle: string): void {
    const pid = Number(handle);
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new RangeError(`worker ${vm.id}: no pid in "${handle}"`);
    this.adopted.set(vm.id, pid);
  }

  /** The process of a VM (tests kill it to see failures detected). */
  processOf(vm: CloudVm): ChildProcess | undefined {
    return this.processes.get(vm.id);
  }

  /** The flags every worker gets besides its address (never the token). */
  private flags(): string[] {
    const { tls, messageBytesMax, ha, leaseMs } = this.options;
    return [
      ...(tls?.certFile === undefined ? [] : ["--tls-cert", tls.certFile]),
      ...(tls?.keyFile === undefined ? [] : ["--tls-key", tls.keyFile]),
      ...(tls?.caFile === undefined ? [] : ["--tls-ca", tls.caFile]),
      ...(messageBytesMax === undefined ? [] : ["--message-bytes-max", String(messageBytesMax)]),
      ...(ha === true ? ["--ha"] : []),
      ...(leaseMs === undefined ? [] : ["--lease-ms", String(leaseMs)]),
    ];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the local pool is shut down");
  }

  private startWorker(): Promise<CloudVm> {
    const timeoutMs = this.options.readyTimeoutMs ?? workerStartMs();
    const id = `${this.options.idPrefix ?? "local-"}${this.next++}`;
    const [cmd, ...args] = this.options.command;
    const env: NodeJS.ProcessEnv = { ...process.env, [TOKEN_ENV]: this.options.token };
    // Under HA no worker watches this process (it may die and a standby take over).
    if (this.options.ha === true) delete env[COORDINATOR_PID_ENV];
    else env[COORDINATOR_PID_ENV] = String(process.pid);
    const child = spawn(cmd, [...args, "--listen", "127.0.0.1:0", ...this.flags()], {
      stdio: ["ignore", "pipe", "inherit"],
      env,
    });
    this.processes.set(id, child);
    return new Promise<CloudVm>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(
          new TimeoutError(`worker ${id} did not start within ${timeoutMs} ms${raiseHint(WORKER_START_ENV)}`),
        );
      }, timeoutMs);
      lines.on("line", (line) => {
        if (!line.startsWith(LISTENING_PREFIX)) return;
        clearTimeout(timer);
        resolve({ id, address: line.slice(LISTENING_PREFIX.length).trim() });
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        // One that dies while idle (orphaned, killed) is no longer handed out.
        const at = this.ready.findIndex((vm) => vm.id === id);
        if (at >= 0) this.ready.splice(at, 1);
        reject(new Error(`worker ${id} exited before it listened (${signal ?? `code ${code}`})`));
      });
    });
  }
}

/** Send `signal` to process `pid`; false when there is none. */
function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM process `pid` (not this one's child: an adopted worker), and SIGKILL it if it still runs 2 s later. */
async function stopPid(pid: number): Promise<void> {
  if (!signalPid(pid, "SIGTERM")) return;
  for (let waitedMs = 0; waitedMs < 2000; waitedMs += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!signalPid(pid, 0)) return;
  }
  signalPid(pid, "SIGKILL");
}

function exited(p: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) {
      resolve();
      return;
    }
    const t = setTimeout(resolve, timeoutMs);
    p.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
