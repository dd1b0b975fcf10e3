// Keeping the leases of a pool's idle workers: a round calls every idle worker (renewing
// its lease, as the worker's hook shows), and none that a run has taken. Rounds are driven
// by hand; the workers are real, in process, on 127.0.0.1.

import { ChannelCredentials, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { tokenMetadata } from "../../cloud/auth.js";
import { ControlClient } from "../../cloud/gen/seep/v1/seep.js";
import { KEEP_ALIVES_PER_LEASE, keepAlivePeriodMs, PoolKeepAlive } from "../../cloud/poolKeepAlive.js";
import type { CloudVm, VmPool } from "../../cloud/vmPool.js";
import { Worker } from "../../cloud/worker.js";
import { workloadPlan } from "../../workloads/index.js";

const TOKEN = "keep-alive-token";
const workers: Worker[] = [];
const keepers: PoolKeepAlive[] = [];
afterEach(() => {
  for (const k of keepers.splice(0)) k.stop();
  for (const w of workers.splice(0)) w.stop();
});

/** A worker whose lease renewals are counted, and a promise of the next one. */
async function countedWorker() {
  let renewals = 0;
  let waiting: (() => void) | null = null;
  const worker = new Worker({
    listen: "127.0.0.1:0",
    token: TOKEN,
    resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    onCoordinatorCall: () => {
      renewals++;
      waiting?.();
    },
  });
  workers.push(worker);
  const port = await worker.start();
  return {
    vm: { id: `w${port}`, address: `127.0.0.1:${port}` } satisfies CloudVm,
    renewals: () => renewals,
    nextRenewal: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
      }),
  };
}

function poolWithIdle(idle: () => readonly CloudVm[]): VmPool {
  return {
    prewarm: async () => {},
    acquire: async () => idle()[0],
    release: async () => {},
    shutdown: async () => {},
    idle,
  };
}

function keeper(pool: VmPool, periodMs: number | null = 60_000): PoolKeepAlive {
  const k = new PoolKeepAlive(
    pool,
    (address) => new ControlClient(address, ChannelCredentials.createInsecure()),
    tokenMetadata(TOKEN),
    periodMs,
  );
  keepers.push(k);
  return k;
}

describe("PoolKeepAlive", () => {
  it("calls every idle worker each round, which renews its lease, and none that was taken", async () => {
    const a = await countedWorker();
    const b = await countedWorker();
    let idle: CloudVm[] = [a.vm, b.vm];
    const k = keeper(poolWithIdle(() => idle));
    const both = Promise.all([a.nextRenewal(), b.nextRenewal()]);
    k.round();
    await both;
    expect([a.renewals(), b.renewals()]).toEqual([1, 1]);
    idle = [b.vm]; // a run took a
    const again = b.nextRenewal();
    k.round();
    await again;
    expect(k.calls).toBe(3);
    expect([a.renewals(), b.renewals()]).toEqual([1, 2]);
  });

  it("a keep-alive without the right token is refused and renews nothing", async () => {
    const a = await countedWorker();
    const client = new ControlClient(a.vm.address, ChannelCredentials.createInsecure());
    const code = await new Promise<number>((resolve) =>
      client.keepAlive({}, tokenMetadata("not-the-token"), { deadline: Date.now() + 120_000 }, (err) =>
        resolve(err?.code ?? status.OK),
      ),
    );
    client.close();
    expect(code).toBe(status.UNAUTHENTICATED);
    expect(a.renewals()).toBe(0);
  });

  it("starts no rounds for workers without a lease, or a pool without an idle list", () => {
    const a = keeper(
      poolWithIdle(() => []),
      null,
    ).start();
    const { idle: _, ...noIdle } = poolWithIdle(() => []);
    const b = keeper(noIdle).start();
    a.round();
    b.round();
    expect(a.calls + b.calls).toBe(0);
  });

  it("calls several times per lease", () => {
    expect(KEEP_ALIVES_PER_LEASE).toBeGreaterThanOrEqual(3);
    expect(keepAlivePeriodMs(30_000)).toBe(5_000);
    expect(keepAlivePeriodMs(0)).toBeNull();
    expect(keepAlivePeriodMs(50)).toBe(100);
  });
});
