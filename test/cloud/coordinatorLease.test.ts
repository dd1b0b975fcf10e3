// A worker's lease on its coordinator, driven by a manual clock: calls renew it, silence
// past the lease orphans the worker once, a late check after a blocked event loop does not,
// and a local worker's coordinator process gone orphans it at the next check. A live worker
// (in process, on 127.0.0.1) shows which calls renew the lease: only those a coordinator makes.

import { ChannelCredentials, Metadata, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { tokenMetadata } from "../../cloud/auth.js";
import { toControlRequest } from "../../cloud/controlWire.js";
import {
  CoordinatorLease,
  DEFAULT_HA_LEASE_MS,
  DEFAULT_LEASE_MS,
  haLeaseMsFromEnv,
  type LeaseClock,
  leaseMsFromEnv,
  PARENT_CHECK_MS,
  parentProbe,
} from "../../cloud/coordinatorLease.js";
import { ControlClient } from "../../cloud/gen/seep/v1/seep.js";
import { TimeoutError } from "../../cloud/timeouts.js";
import { Worker } from "../../cloud/worker.js";
import { JSON_STATE_CODEC } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";

/** A clock that moves only when told; `advance` fires the periodic tick as often as it falls due. */
function manualClock() {
  let nowMs = 0;
  let timer: { periodMs: number; nextMs: number; tick: () => void } | null = null;
  const clock: LeaseClock = {
    nowMs: () => nowMs,
    every: (periodMs, tick) => {
      timer = { periodMs, nextMs: nowMs + periodMs, tick };
      return () => {
        timer = null;
      };
    },
  };
  return {
    clock,
    /** Move time on by `ms`, firing the ticks due on the way. */
    advance(ms: number) {
      const endMs = nowMs + ms;
      while (timer !== null && timer.nextMs <= endMs) {
        nowMs = timer.nextMs;
        timer.nextMs += timer.periodMs;
        timer.tick();
      }
      nowMs = endMs;
    },
    /** Move time on by `ms` with no tick on the way (the event loop was blocked), then one late tick. */
    block(ms: number) {
      nowMs += ms;
      if (timer !== null) {
        timer.nextMs = nowMs + timer.periodMs;
        timer.tick();
      }
    },
    get scheduled() {
      return timer !== null;
    },
  };
}

function lease(options: { leaseMs: number; parent?: () => string | null; leaseEnv?: string }) {
  const c = manualClock();
  const reasons: string[] = [];
  const l = new CoordinatorLease({ ...options, clock: c.clock, onOrphaned: (r) => reasons.push(r) }).start();
  return { c, l, reasons };
}

describe("CoordinatorLease", () => {
  it("stays while calls renew it, however long, and orphans the worker once the calls stop for the lease", () => {
    const { c, l, reasons } = lease({ leaseMs: 30_000 });
    for (let i = 0; i < 100; i++) {
      c.advance(500);
      l.renew();
    }
    expect(reasons).toEqual([]);
    c.advance(30_000);
    expect(reasons).toEqual([]);
    c.advance(PARENT_CHECK_MS);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /^no call from the coordinator for 3\d{4} ms \(lease 30000 ms, set by --lease-ms or SEEP_LEASE_MS\)$/,
    );
    c.advance(60_000);
    expect(reasons).toHaveLength(1);
    expect(c.scheduled).toBe(false);
  });

  it("names the variable that set the lease when it runs out (SEEP_HA_LEASE_MS for a worker of a run with HA)", () => {
    const { c, reasons } = lease({ leaseMs: 60_000, leaseEnv: "SEEP_HA_LEASE_MS" });
    c.advance(60_000 + PARENT_CHECK_MS);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/\(lease 60000 ms, set by --lease-ms or SEEP_HA_LEASE_MS\)$/);
  });

  it("runs from the start: a worker nobody ever calls is orphaned too", () => {
    const { c, reasons } = lease({ leaseMs: 2_000 });
    c.advance(2_000);
    expect(reasons).toEqual([]);
    c.advance(1_000);
    expect(reasons).toHaveLength(1);
  });

  it("checks a short lease four times per lease", () => {
    const { l } = lease({ leaseMs: 400 });
    expect(l.checkEveryMs).toBe(100);
    expect(lease({ leaseMs: 60_000 }).l.checkEveryMs).toBe(PARENT_CHECK_MS);
  });

  it("does not expire on a check that ran late after a blocked event loop, but on the next one", () => {
    const { c, l, reasons } = lease({ leaseMs: 5_000 });
    c.advance(1_000);
    // Blocked for a minute: the renewing calls may be waiting to be read, behind the block.
    c.block(60_000);
    expect(reasons).toEqual([]);
    l.renew(); // they were
    c.advance(4_000);
    expect(reasons).toEqual([]);
    // Blocked again, and this time no call was waiting.
    c.block(10_000);
    expect(reasons).toEqual([]);
    c.advance(PARENT_CHECK_MS);
    expect(reasons).toHaveLength(1);
  });

  it("orphans the worker at the next check once its coordinator's process is gone, whatever the lease", () => {
    let gone: string | null = null;
    const { c, l, reasons } = lease({ leaseMs: 30_000, parent: () => gone });
    c.advance(5_000);
    l.renew();
    expect(reasons).toEqual([]);
    gone = "its coordinator (pid 42) is gone";
    c.advance(PARENT_CHECK_MS);
    expect(reasons).toEqual(["its coordinator (pid 42) is gone"]);
  });

  it("with lease 0 never expires, and watches the parent only if given one", () => {
    const a = lease({ leaseMs: 0 });
    expect(a.c.scheduled).toBe(false);
    let gone: string | null = null;
    const b = lease({ leaseMs: 0, parent: () => gone });
    b.c.advance(3_600_000);
    expect(b.reasons).toEqual([]);
    gone = "its parent process (pid 7) is gone (reparented to pid 1)";
    b.c.advance(PARENT_CHECK_MS);
    expect(b.reasons).toHaveLength(1);
  });

  it("refuses a negative or non-finite lease", () => {
    expect(() => new CoordinatorLease({ leaseMs: -1, onOrphaned: () => {} })).toThrow(RangeError);
    expect(() => new CoordinatorLease({ leaseMs: Number.NaN, onOrphaned: () => {} })).toThrow(RangeError);
  });
});

describe("parentProbe", () => {
  it("says the coordinator is gone once this process is reparented, or no process has its pid", () => {
    let ppid = 100;
    let exists = true;
    const probe = parentProbe(100, {
      ppid: () => ppid,
      signal0: () => {
        if (!exists) throw Object.assign(new Error("kill ESRCH"), { code: "ESRCH" });
      },
    });
    expect(probe()).toBeNull();
    exists = false;
    expect(probe()).toBe("its coordinator (pid 100) is gone");
    exists = true;
    ppid = 1;
    expect(probe()).toBe("its parent process (pid 100) is gone (reparented to pid 1)");
  });

  it("takes a process it may not signal (EPERM) for a live one", () => {
    const probe = parentProbe(5, {
      ppid: () => 5,
      signal0: () => {
        throw Object.assign(new Error("kill EPERM"), { code: "EPERM" });
      },
    });
    expect(probe()).toBeNull();
  });

  it("sees this process's real parent as alive", () => {
    expect(parentProbe(process.ppid)()).toBeNull();
  });
});

describe("leaseMsFromEnv", () => {
  it("is 30 s by default, SEEP_LEASE_MS when set (0: no lease), and a one-line TimeoutError when malformed", () => {
    expect(DEFAULT_LEASE_MS).toBe(30_000);
    expect(leaseMsFromEnv({})).toBe(30_000);
    expect(leaseMsFromEnv({ SEEP_LEASE_MS: "" })).toBe(30_000);
    expect(leaseMsFromEnv({ SEEP_LEASE_MS: "5000" })).toBe(5_000);
    expect(leaseMsFromEnv({ SEEP_LEASE_MS: "0" })).toBe(0);
    for (const bad of ["-1", "1.5", "soon", "1e12"]) {
      expect(() => leaseMsFromEnv({ SEEP_LEASE_MS: bad })).toThrow(TimeoutError);
      expect(() => leaseMsFromEnv({ SEEP_LEASE_MS: bad })).toThrow(
        /^SEEP_LEASE_MS must be a whole number of ms/,
      );
    }
  });
});

describe("haLeaseMsFromEnv", () => {
  it("is 60 s by default, SEEP_HA_LEASE_MS when set (0: no lease), whatever SEEP_LEASE_MS says", () => {
    expect(DEFAULT_HA_LEASE_MS).toBe(60_000);
    expect(haLeaseMsFromEnv({})).toBe(60_000);
    expect(haLeaseMsFromEnv({ SEEP_LEASE_MS: "5000" })).toBe(60_000);
    expect(haLeaseMsFromEnv({ SEEP_HA_LEASE_MS: "90000" })).toBe(90_000);
    expect(haLeaseMsFromEnv({ SEEP_HA_LEASE_MS: "0" })).toBe(0);
    expect(() => haLeaseMsFromEnv({ SEEP_HA_LEASE_MS: "soon" })).toThrow(
      /^SEEP_HA_LEASE_MS must be a whole number of ms/,
    );
  });
});

describe("a worker's lease renewals", () => {
  const workers: Worker[] = [];
  afterEach(() => {
    for (const w of workers.splice(0)) w.stop();
  });

  /** The outcome code of a unary call. */
  function code(call: (done: (err: { code: number } | null) => void) => void): Promise<number> {
    return new Promise((resolve) => call((err) => resolve(err?.code ?? status.OK)));
  }

  it("come from the calls only a coordinator makes, not from control messages peers send nor calls without the token", async () => {
    let renewals = 0;
    const worker = new Worker({
      listen: "127.0.0.1:0",
      token: "lease-token",
      resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
      onCoordinatorCall: () => {
        renewals++;
      },
    });
    workers.push(worker);
    const port = await worker.start();
    const client = new ControlClient(`127.0.0.1:${port}`, ChannelCredentials.createInsecure());
    const token = tokenMetadata("lease-token");
    const deadline = () => ({ deadline: Date.now() + 120_000 });
    expect(await code((done) => client.heartbeat({}, token, deadline(), done))).toBe(status.OK);
    expect(renewals).toBe(1);
    expect(await code((done) => client.heartbeat({}, new Metadata(), deadline(), done))).toBe(
      status.UNAUTHENTICATED,
    );
    expect(await code((done) => client.keepAlive({}, tokenMetadata("wrong"), deadline(), done))).toBe(
      status.UNAUTHENTICATED,
    );
    expect(renewals).toBe(1);
    // A control message, as peer workers send them to each other: answered (refused: nothing
    // is deployed), and no renewal, or peers would keep each other alive past their coordinator.
    const start = { ...toControlRequest(0, { type: "start" }, JSON_STATE_CODEC), incarnation: 0 };
    const sent = await code((done) => client.send(start, token, deadline(), done));
    expect(sent).toBe(status.FAILED_PRECONDITION);
    expect(renewals).toBe(1);
    expect(await code((done) => client.keepAlive({}, token, deadline(), done))).toBe(status.OK);
    expect(renewals).toBe(2);
    client.close();
  });
});
