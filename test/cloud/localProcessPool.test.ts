// The local pool with stand-in worker programs (small node scripts): a worker that does not
// start within the bound is killed and reported in one line saying how to raise it; every
// worker is told its coordinator's pid; idle workers are listed until taken, and one that
// dies while idle is not handed out; nothing starts after shutdown. With `ha`, real workers
// outlive the process that started them (SIGKILLed, or exiting), beside workers without it
// that end as ever; every process started is killed by pid at the end.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { channelCredentials, tokenMetadata } from "../../cloud/auth.js";
import { PARENT_CHECK_MS } from "../../cloud/coordinatorLease.js";
import { LocalProcessPool } from "../../cloud/localProcessPool.js";
import { TimeoutError } from "../../cloud/timeouts.js";
import {
  makeRunCertificates,
  removeRunCertificates,
  writeRunCertificates,
} from "../../cloud/tlsCertificates.js";
import { call, controlClient } from "./workerCalls.js";

const pools: LocalProcessPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown();
});

/** A pool whose "worker" is `script` run by node (the pool's own arguments follow `--`). */
function pool(script: string, readyTimeoutMs?: number): LocalProcessPool {
  const p = new LocalProcessPool({
    command: [process.execPath, "-e", script, "--"],
    token: "t",
    readyTimeoutMs,
  });
  pools.push(p);
  return p;
}

/** A stand-in worker that announces, as its address, its arguments, SEEP_TOKEN and SEEP_COORDINATOR_PID (base64 JSON). */
const ANNOUNCES_ARGS =
  "process.stdout.write('seep worker listening on ' + Buffer.from(JSON.stringify({ args: process.argv.slice(1), token: process.env.SEEP_TOKEN, pid: process.env.SEEP_COORDINATOR_PID })).toString('base64') + '\\n'); setInterval(() => {}, 1000);";

/** A stand-in worker that announces, as its address, the coordinator pid it was given, then waits. */
const ANNOUNCES_PID =
  "process.stdout.write('seep worker listening on ' + process.env.SEEP_COORDINATOR_PID + ':1\\n'); setInterval(() => {}, 1000);";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("LocalProcessPool", () => {
  it("kills a worker that does not start within the bound, and says so in a TimeoutError naming SEEP_WORKER_START_MS", async () => {
    const p = pool("setInterval(() => {}, 1000);", 300);
    const error = await rejection(p.acquire());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(
      "worker local-0 did not start within 300 ms (a busy machine? raise the bound with SEEP_WORKER_START_MS=<ms>)",
    );
    const child = p.processOf({ id: "local-0", address: "" });
    if (child !== undefined && child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.once("exit", resolve));
    expect(child?.signalCode).toBe("SIGKILL");
  });

  it("waits 120 s for a worker's start by default, or SEEP_WORKER_START_MS", async () => {
    const before = process.env.SEEP_WORKER_START_MS;
    process.env.SEEP_WORKER_START_MS = "250";
    try {
      const error = await rejection(pool("setInterval(() => {}, 1000);").acquire());
      expect(error.message).toMatch(/did not start within 250 ms/);
      process.env.SEEP_WORKER_START_MS = "soon";
      const bad = await rejection(pool(ANNOUNCES_PID).acquire());
      expect(bad).toBeInstanceOf(TimeoutError);
      expect(bad.message).toMatch(/^SEEP_WORKER_START_MS must be a whole number of ms/);
    } finally {
      if (before === undefined) delete process.env.SEEP_WORKER_START_MS;
      else process.env.SEEP_WORKER_START_MS = before;
    }
  });

  it("tells each worker its coordinator's pid (SEEP_COORDINATOR_PID)", async () => {
    const vm = await pool(ANNOUNCES_PID).acquire();
    expect(vm.address).toBe(`${process.pid}:1`);
  });

  it("lists prewarmed workers as idle until taken, and does not hand out one that died meanwhile", async () => {
    const p = pool(ANNOUNCES_PID);
    await p.prewarm(2);
    expect(p.idle().map((vm) => vm.id)).toEqual(expect.arrayContaining(["local-0", "local-1"]));
    const taken = await p.acquire();
    expect(p.idle().map((vm) => vm.id)).not.toContain(taken.id);
    const [other] = p.idle();
    const child = p.processOf(other)!;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    p.kill(other);
    await exited;
    expect(p.idle()).toEqual([]);
    const next = await p.acquire();
    expect([taken.id, other.id]).not.toContain(next.id);
  });

  it("with ha, starts workers with --ha and its lease, and without SEEP_COORDINATOR_PID", async () => {
    const p = new LocalProcessPool({
      command: [process.execPath, "-e", ANNOUNCES_ARGS, "--"],
      token: "t",
      ha: true,
      leaseMs: 90_000,
    });
    pools.push(p);
    const seen = JSON.parse(Buffer.from((await p.acquire()).address, "base64").toString("utf8"));
    expect(seen.args).toEqual(["--listen", "127.0.0.1:0", "--ha", "--lease-ms", "90000"]);
    expect(seen.pid).toBeUndefined();
  });

  it("starts nothing after shutdown", async () => {
    const p = pool(ANNOUNCES_PID);
    await p.shutdown();
    expect((await rejection(p.acquire())).message).toBe("the local pool is shut down");
    expect((await rejection(p.prewarm(1))).message).toBe("the local pool is shut down");
  });
});

describe("LocalProcessPool, how a worker is told its secrets", () => {
  it("passes the token in SEEP_TOKEN, never as an argument, and the TLS files and the message bound as flags", async () => {
    const tls = { caFile: "/r/ca.pem", certFile: "/r/worker.pem", keyFile: "/r/worker-key.pem" };
    const p = new LocalProcessPool({
      command: [process.execPath, "-e", ANNOUNCES_ARGS, "--"],
      token: "the-run-token",
      tls,
      messageBytesMax: 12_345,
    });
    pools.push(p);
    const vm = await p.acquire();
    const seen = JSON.parse(Buffer.from(vm.address, "base64").toString("utf8"));
    expect(seen.token).toBe("the-run-token");
    expect(seen.args).not.toContain("the-run-token");
    expect(seen.args).not.toContain("--token");
    expect(seen.args).toEqual([
      "--listen",
      "127.0.0.1:0",
      "--tls-cert",
      tls.certFile,
      "--tls-key",
      tls.keyFile,
      "--tls-ca",
      tls.caFile,
      "--message-bytes-max",
      "12345",
    ]);
  });

  it("starts real workers that serve TLS only, to clients with a certificate of the run's CA", async () => {
    const run = writeRunCertificates(makeRunCertificates());
    const bin = fileURLToPath(new URL("../../bin/seep.js", import.meta.url));
    const p = new LocalProcessPool({
      command: [process.execPath, bin, "worker"],
      token: "tls-run",
      tls: run.worker,
    });
    pools.push(p);
    try {
      const vm = await p.acquire();
      const secure = controlClient(vm.address, channelCredentials(run.coordinator));
      const plain = controlClient(vm.address);
      try {
        expect((await call(secure, secure.heartbeat, {}, tokenMetadata("tls-run"))).code).toBe(status.OK);
        expect((await call(plain, plain.heartbeat, {}, tokenMetadata("tls-run"))).code).toBe(
          status.UNAVAILABLE,
        );
      } finally {
        secure.close();
        plain.close();
      }
    } finally {
      removeRunCertificates(run);
    }
  });
});

/** The state letter of process `pid` (from /proc/<pid>/stat), or null once it is gone. */
function stateOf(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

/** True while `pid` runs (a zombie has exited). */
function running(pid: number): boolean {
  const s = stateOf(pid);
  return s !== null && s !== "Z" && s !== "X";
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs` saying what it waited for. */
async function until(what: string, condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const endMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > endMs) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(process.platform !== "linux")(
  "LocalProcessPool with ha, its coordinator's process gone",
  () => {
    const register = fileURLToPath(new URL("../../bin/register.js", import.meta.url));
    const parentScript = fileURLToPath(new URL("./poolParent.ts", import.meta.url));

    it.each([
      ["SIGKILLed", "SIGKILL"],
      ["exiting (its exit handlers run)", "SIGUSR2"],
    ] as const)(
      "%s: a worker started with ha goes on and answers, one started without exits as ever",
      async (_how, signal) => {
        const pids = new Set<number>();
        const token = "ha-pool-token";
        // A lease long enough for the test, so that only the parent's death could end the worker.
        const env = { ...process.env, SEEP_TOKEN: token, SEEP_HA_LEASE_MS: "600000" };
        const parent = spawn(process.execPath, ["--import", register, parentScript], {
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        pids.add(parent.pid!);
        let stderr = "";
        parent.stderr!.setEncoding("utf8").on("data", (d: string) => {
          stderr += d;
        });
        try {
          const line = await new Promise<string>((resolve, reject) => {
            let out = "";
            parent.stdout!.setEncoding("utf8").on("data", (d: string) => {
              out += d;
              if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
            });
            parent.on("exit", (code) =>
              reject(new Error(`the parent exited (${code}) before its workers listened: ${stderr}`)),
            );
          });
          const workers = JSON.parse(line) as Record<"ha" | "plain", { pid: number; address: string }>;
          pids.add(workers.ha.pid);
          pids.add(workers.plain.pid);
          const exited = new Promise((resolve) => parent.once("exit", resolve));
          parent.kill(signal);
          await exited;
          await until("the worker without ha to exit", () => !running(workers.plain.pid));
          // Its sibling checks its parent as often: had it watched, it would be gone by now.
          await new Promise((resolve) => setTimeout(resolve, 3 * PARENT_CHECK_MS));
          expect(running(workers.ha.pid), stderr).toBe(true);
          const client = controlClient(workers.ha.address);
          try {
            expect(await call(client, client.survey, {}, tokenMetadata(token))).toEqual({
              code: status.OK,
              details: "",
            });
          } finally {
            client.close();
          }
          expect(running(workers.ha.pid), stderr).toBe(true);
        } finally {
          for (const pid of pids) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // gone already
            }
          }
        }
      },
    );
  },
);
