// Tests of the VM pool: hand-out and cold-start delays, background refill, the maxVms
// bound and the account of VM-seconds, all in virtual time.

import { describe, expect, it } from "vitest";
import { Environment } from "../../sim/kernel.js";
import type { Vm } from "../../sim/vm.js";
import { defaultVmPoolOptions, PoolExhausted, VmPool, type VmPoolOptions } from "../../sim/vmPool.js";

const options: Partial<VmPoolOptions> = { handoutMs: 5_000, coldStartMs: 100_000 };

/** A pool on a fresh environment, with a trace of every state change. */
function setup(overrides: Partial<VmPoolOptions> = {}) {
  const env = new Environment();
  const trace: string[] = [];
  const pool = new VmPool(
    env,
    { ...options, ...overrides },
    { onVmState: (vm, nowMs) => trace.push(`${nowMs} vm${vm.id} ${vm.state}`) },
  );
  return { env, pool, trace };
}

/** Acquire a VM and record when it was handed over. */
function acquireTimed(env: Environment, pool: VmPool) {
  const got: { vm?: Vm; atMs?: number; state?: string } = {};
  pool.acquire((vm) => {
    got.vm = vm;
    got.atMs = env.nowMs();
    got.state = vm.state;
  });
  return got;
}

describe("VmPool", () => {
  it("has defaults near EC2: a hand-out in seconds, a cold start in about 100 s, small instances", () => {
    expect(defaultVmPoolOptions).toMatchObject({ handoutMs: 5_000, coldStartMs: 100_000, prewarmed: 2 });
    expect(defaultVmPoolOptions.shape).toEqual({ cores: 1, speed: 1, memoryMb: 1740 });
  });

  it("hands out a pooled VM, ready after handoutMs", () => {
    const { env, pool } = setup({ prewarmed: 2, minimum: 0 });
    pool.prewarm();
    expect(pool.pooled).toBe(2);
    const got = acquireTimed(env, pool);
    env.run();
    expect(got).toMatchObject({ atMs: 5_000, state: "ready" });
    expect(got.vm!.id).toBe(0);
    expect(pool.inUse).toBe(1);
    expect(pool.pooled).toBe(1);
  });

  it("starts a cold VM when the pool is empty, ready after coldStartMs", () => {
    const { env, pool, trace } = setup({ prewarmed: 0, minimum: 0 });
    pool.prewarm();
    const got = acquireTimed(env, pool);
    env.run();
    expect(got).toMatchObject({ atMs: 100_000, state: "ready" });
    expect(trace).toEqual(["0 vm0 booting", "100000 vm0 ready"]);
  });

  it("serves requests in the order they are made, lowest pooled id first, then cold starts", () => {
    const { env, pool } = setup({ prewarmed: 2, minimum: 0 });
    pool.prewarm();
    const got = [acquireTimed(env, pool), acquireTimed(env, pool), acquireTimed(env, pool)];
    env.run();
    expect(got.map((g) => [g.vm!.id, g.atMs])).toEqual([
      [0, 5_000],
      [1, 5_000],
      [2, 100_000],
    ]);
  });

  it("refills in the background to its minimum, the new VMs pooled after coldStartMs", () => {
    const { env, pool, trace } = setup({ prewarmed: 1, minimum: 2 });
    pool.prewarm();
    expect(pool.pooled).toBe(1);
    acquireTimed(env, pool);
    env.run(99_999);
    expect(pool.pooled).toBe(0);
    env.run(100_000);
    expect(pool.pooled).toBe(2);
    expect(trace).toEqual([
      "0 vm0 pooled",
      "0 vm1 booting",
      "0 vm2 booting",
      "5000 vm0 ready",
      "100000 vm1 pooled",
      "100000 vm2 pooled",
    ]);
    const next = acquireTimed(env, pool);
    env.run(200_000);
    expect(next).toMatchObject({ atMs: 105_000 });
    expect(next.vm!.id).toBe(1);
  });

  it("adds up VM-seconds over every VM, pooled ones included", () => {
    const { env, pool } = setup({ prewarmed: 2, minimum: 0 });
    pool.prewarm();
    pool.provisionReady(3);
    env.run(10_000);
    expect(pool.vmSeconds(10_000)).toBe(5 * 10);
    acquireTimed(env, pool);
    acquireTimed(env, pool);
    acquireTimed(env, pool); // cold, requested at 10 s
    env.run(20_000);
    expect(pool.vmSeconds(20_000)).toBe(5 * 20 + 10);
    const sum = pool.all().reduce((s, vm) => s + vm.vmSeconds(20_000), 0);
    expect(pool.vmSeconds(20_000)).toBe(sum);
  });

  it("refuses to go beyond maxVms alive, and refills only within it", () => {
    const { env, pool } = setup({ prewarmed: 1, minimum: 1, maxVms: 3 });
    pool.prewarm();
    pool.provisionReady(1);
    acquireTimed(env, pool); // takes the pooled VM; the refill boots a third
    expect(pool.alive).toBe(3);
    expect(() => pool.acquire(() => {})).toThrow(PoolExhausted);
    expect(() => pool.acquire(() => {})).toThrow(
      /cannot start a cold VM: 3 VMs are alive and pool\.maxVms is 3 \(raise pool\.maxVms\)/,
    );
    expect(() => pool.provisionReady(1)).toThrow(/pool\.maxVms is 3/);
    env.run();
    pool.release(pool.vm(0));
    expect(pool.alive).toBe(2);
    expect(() => new VmPool(env, { prewarmed: 4, maxVms: 3 })).toThrow(/cannot exceed maxVms/);
  });

  it("ends a VM's cost when it is released or crashes, and never takes it back into the pool", () => {
    const { env, pool, trace } = setup({ prewarmed: 0, minimum: 0 });
    const [a, b] = pool.provisionReady(2);
    env.run(10_000);
    pool.release(a);
    env.run(20_000);
    pool.crash(b);
    env.run(40_000);
    expect([a.state, a.endedAtMs, b.state, b.endedAtMs]).toEqual(["released", 10_000, "crashed", 20_000]);
    expect(pool.vmSeconds(40_000)).toBe(10 + 20);
    expect(pool.inUse).toBe(0);
    expect(pool.pooled).toBe(0);
    expect(() => pool.release(a)).toThrow(/vm 0 is released/);
    expect(() => pool.crash(b)).toThrow(/vm 1 is already crashed/);
    expect(trace).toEqual(["0 vm0 ready", "0 vm1 ready", "10000 vm0 released", "20000 vm1 crashed"]);
  });

  it("serves a request again when its VM crashes while being handed out", () => {
    const { env, pool } = setup({ prewarmed: 2, minimum: 0 });
    pool.prewarm();
    const got = acquireTimed(env, pool);
    env.run(1_000);
    pool.crash(pool.vm(0));
    env.run();
    expect(got).toMatchObject({ atMs: 6_000, state: "ready" });
    expect(got.vm!.id).toBe(1);
  });

  it("refills when a pooled VM crashes", () => {
    const { env, pool } = setup({ prewarmed: 1, minimum: 1 });
    pool.prewarm();
    pool.crash(pool.vm(0));
    expect(pool.pooled).toBe(0);
    env.run();
    expect(pool.pooled).toBe(1);
    expect(pool.vm(1).state).toBe("pooled");
  });
});
