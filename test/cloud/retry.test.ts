// Backoff with jitter: which errors are retried, how many times, and how long it waits.

import { describe, expect, it } from "vitest";
import { backoffDelayMs, defaultBackoffPolicy, retryWithBackoff } from "../../cloud/retry.js";

function effects(random = 0.5) {
  const sleepsMs: number[] = [];
  return {
    sleepsMs,
    effects: {
      sleep: async (ms: number) => {
        sleepsMs.push(ms);
      },
      random: () => random,
    },
  };
}

describe("retryWithBackoff", () => {
  it("returns the first success and sleeps once per failed attempt", async () => {
    const fx = effects();
    let calls = 0;
    const value = await retryWithBackoff(
      async () => {
        if (++calls < 3) throw new Error("busy");
        return "done";
      },
      () => true,
      fx.effects,
    );
    expect(value).toBe("done");
    expect(calls).toBe(3);
    expect(fx.sleepsMs).toEqual([375, 750]);
  });

  it("throws the last error once attempts run out", async () => {
    const fx = effects();
    let calls = 0;
    await expect(
      retryWithBackoff(
        async () => {
          throw new Error(`busy ${++calls}`);
        },
        () => true,
        fx.effects,
      ),
    ).rejects.toThrow("busy 5");
    expect(fx.sleepsMs).toHaveLength(defaultBackoffPolicy.attemptsMax - 1);
  });

  it("propagates an error that is not transient at once", async () => {
    const fx = effects();
    await expect(
      retryWithBackoff(
        async () => {
          throw new Error("denied");
        },
        () => false,
        fx.effects,
      ),
    ).rejects.toThrow("denied");
    expect(fx.sleepsMs).toEqual([]);
  });
});

describe("backoffDelayMs", () => {
  it("doubles from the base, keeps at least half the step, and never exceeds the cap", () => {
    const policy = defaultBackoffPolicy;
    expect([1, 2, 3, 4].map((r) => backoffDelayMs(policy, r, () => 0))).toEqual([250, 500, 1_000, 2_000]);
    expect([1, 2, 3, 4].map((r) => backoffDelayMs(policy, r, () => 0.999_999))).toEqual([
      500, 1_000, 2_000, 4_000,
    ]);
    expect(backoffDelayMs(policy, 20, () => 0.999_999)).toBe(20_000);
    expect(backoffDelayMs(policy, 20, () => 0)).toBe(10_000);
  });
});
