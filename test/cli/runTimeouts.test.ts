// `seep run`'s bounds on waiting, as a user meets them: a worker that does not start within
// SEEP_WORKER_START_MS is one line saying what timed out and how to raise the bound (not "a
// bug in seep" with a stack), and a malformed bound is one line before anything starts.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { root } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-run-timeouts-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `seep ...args` with `env` added to the environment; resolves with its exit code and stderr. */
function seepWith(env: Record<string, string>, args: readonly string[]) {
  const child = spawn(process.execPath, [join(root, "bin/seep.js"), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr })),
  );
}

describe("seep run on a machine too slow for its bounds", () => {
  it("says in one line which worker did not start in time and how to raise the bound", async () => {
    const out = await seepWith({ SEEP_WORKER_START_MS: "1" }, [
      "run",
      "wordcount",
      "--workers",
      "2",
      "--quiet",
      "--out",
      join(scratch, "slow"),
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^seep: worker local-\d+ did not start within 1 ms \(a busy machine\? raise the bound with SEEP_WORKER_START_MS=<ms>\)\n$/,
    );
  });

  it("refuses a malformed bound in one line, before starting anything", async () => {
    const names = [
      "SEEP_WORKER_START_MS",
      "SEEP_RPC_TIMEOUT_MS",
      "SEEP_HEARTBEAT_TIMEOUT_MS",
      "SEEP_LEASE_MS",
    ];
    // Each refused before anything starts: all at once, checked one by one.
    const outs = await Promise.all(
      names.map((name) =>
        seepWith({ [name]: "-3" }, ["run", "wordcount", "--out", join(scratch, `bad-${name}`)]),
      ),
    );
    for (const [i, name] of names.entries()) {
      const out = outs[i];
      expect(out.code, name).toBe(1);
      expect(out.stderr, name).toMatch(
        new RegExp(`^seep: ${name} must be a whole number of ms from [01] to 86400000, got '-3'\\n$`),
      );
    }
  });
});
