// Spawning the `seep` executable the way a user runs it, for the CLI tests.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** The repository root. */
export const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = fileURLToPath(new URL("../../bin/seep.js", import.meta.url));

/** How a run of `seep` ended. */
export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How long a spawned `seep` may run before it is taken for hung: not a bound on its speed
 * (a busy machine makes every run several times slower), only a guard against a hang.
 */
export const SEEP_HANG_MS = 300_000;

/**
 * Run `node bin/seep.js ...args` in `cwd` (with `env` added to this process's environment);
 * one still running after `timeoutMs` is killed, and the promise rejects saying so.
 */
export function seep(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? SEEP_HANG_MS;
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? root,
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    });
    const hang = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`seep ${args.join(" ")} did not end within ${timeoutMs} ms: taken for hung`));
    }, timeoutMs);
    child.on("close", () => clearTimeout(hang));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines of `text`, without the final newline. */
export function linesOf(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}

/** Expect `out` to be a user's mistake refused before anything ran: exit 2, one line on stderr matching `pattern`, no stack, nothing on stdout. */
export function expectOneLineError(out: Outcome, pattern: RegExp): void {
  expect(out.code).toBe(2);
  expect(out.stdout).toBe("");
  expect(linesOf(out.stderr)).toEqual([expect.stringMatching(pattern)]);
  expect(out.stderr).not.toMatch(/\bat .*:\d+:\d+/);
}
