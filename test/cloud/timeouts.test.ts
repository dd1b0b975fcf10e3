// The real runtime's bounds on waiting: generous defaults, raised from the environment, a
// malformed value refused in one line naming the variable, and a timeout reported by the
// CLI in one line (not as a bug in seep).

import { describe, expect, it } from "vitest";
import { reportError } from "../../cli/errors.js";
import {
  checkTimeoutSettings,
  heartbeatTimeoutMs,
  msFromEnv,
  raiseHint,
  rpcTimeoutMs,
  TimeoutError,
  workerStartMs,
} from "../../cloud/timeouts.js";

describe("timeouts", () => {
  it("default to 120 s for a worker's start, 60 s for a control call and 30 s of a worker's silence", () => {
    expect(workerStartMs({})).toBe(120_000);
    expect(rpcTimeoutMs({})).toBe(60_000);
    expect(heartbeatTimeoutMs({})).toBe(30_000);
  });

  it("are raised by SEEP_WORKER_START_MS, SEEP_RPC_TIMEOUT_MS and SEEP_HEARTBEAT_TIMEOUT_MS", () => {
    const env = {
      SEEP_WORKER_START_MS: "300000",
      SEEP_RPC_TIMEOUT_MS: "90000",
      SEEP_HEARTBEAT_TIMEOUT_MS: "45000",
    };
    expect([workerStartMs(env), rpcTimeoutMs(env), heartbeatTimeoutMs(env)]).toEqual([
      300_000, 90_000, 45_000,
    ]);
  });

  it("refuse a malformed value with a TimeoutError naming the variable and the range", () => {
    for (const bad of ["0", "-5", "2.5", "fast", "Infinity", "1e9"]) {
      const env = { SEEP_RPC_TIMEOUT_MS: bad };
      expect(() => checkTimeoutSettings(env)).toThrow(TimeoutError);
      expect(() => checkTimeoutSettings(env)).toThrow(
        `SEEP_RPC_TIMEOUT_MS must be a whole number of ms from 1 to 86400000, got '${bad}'`,
      );
    }
    expect(msFromEnv("X_MS", 7, { X_MS: "0" }, 0)).toBe(0);
    expect(() => checkTimeoutSettings({})).not.toThrow();
  });

  it("are reported by the CLI in one line, without a stack", () => {
    const lines: string[] = [];
    const code = reportError(
      new TimeoutError(`worker local-0 did not start within 15000 ms${raiseHint("SEEP_WORKER_START_MS")}`),
      (text) => lines.push(text),
    );
    expect(code).toBe(1);
    expect(lines).toEqual([
      "seep: worker local-0 did not start within 15000 ms (a busy machine? raise the bound with SEEP_WORKER_START_MS=<ms>)\n",
    ]);
  });
});
