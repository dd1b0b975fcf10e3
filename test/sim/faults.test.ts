// Tests of fault injection against a fake target: scheduled crashes, stragglers, link
// faults, seeded random crashes and the validation of fault specs.

import { describe, expect, it } from "vitest";
import { FaultInjector, type FaultSpec, type FaultTarget, parseFaultSpecs } from "../../sim/faults.js";
import { Environment } from "../../sim/kernel.js";
import { RandomStreams } from "../../sim/randomStreams.js";

/** A target that records what faults do; with `revive`, a crashed VM stays alive. */
class FakeTarget implements FaultTarget {
  readonly calls: string[] = [];
  readonly factors = new Map<number, number>();
  private nextHandle = 0;

  constructor(
    /** VMs alive now; tests may change it between runs. */
    public live: number[],
    private readonly revive = false,
  ) {}

  crashVm(vm: number, nowMs: number): void {
    this.calls.push(`${nowMs} crash ${vm}`);
    if (!this.revive) this.live = this.live.filter((v) => v !== vm);
  }
  setSpeedFactor(vm: number, factor: number): void {
    this.factors.set(vm, factor);
  }
  addLinkDelay(groups: [number[], number[]] | null, extraMs: number): number {
    this.calls.push(`delay ${JSON.stringify(groups)} +${extraMs}`);
    return this.nextHandle++;
  }
  removeLinkDelay(handle: number): void {
    this.calls.push(`undelay ${handle}`);
  }
  partition(groups: [number[], number[]]): number {
    this.calls.push(`partition ${JSON.stringify(groups)}`);
    return this.nextHandle++;
  }
  heal(handle: number): void {
    this.calls.push(`heal ${handle}`);
  }
  liveVms(): readonly number[] {
    return this.live;
  }
  /** Instance i runs on VM i % 10. */
  vmOfInstance(id: number): number | null {
    return id % 10;
  }
  /** A leader runs unless `leaderDown`; a crash takes it down until a test brings it back. */
  leaderDown = false;
  crashCoordinator(): boolean {
    if (this.leaderDown) return false;
    this.leaderDown = true;
    return true;
  }
}

/** Run `specs` against `target` until `untilMs` with `seed`. */
function inject(specs: FaultSpec[], target: FakeTarget, untilMs: number, seed = 1) {
  const env = new Environment();
  const injector = new FaultInjector(env, new RandomStreams(seed), target, specs);
  injector.start();
  env.run(untilMs);
  return { env, injector };
}

describe("FaultInjector", () => {
  it("crashes a live VM at its time and skips a crash of a dead one", () => {
    const target = new FakeTarget([0, 1]);
    const { injector } = inject(
      [
        { type: "crash", vm: 1, atMs: 500 },
        { type: "crash", vm: 1, atMs: 900 },
        { type: "crash", vm: 7, atMs: 1_000 },
      ],
      target,
      2_000,
    );
    expect(target.calls).toEqual(["500 crash 1"]);
    expect(injector.events).toEqual([
      { kind: "crash", atMs: 500, vm: 1 },
      { kind: "crashSkipped", atMs: 900, vm: 1 },
      { kind: "crashSkipped", atMs: 1_000, vm: 7 },
    ]);
  });

  it("applies a fault before ordinary work scheduled at the same time", () => {
    const env = new Environment();
    const target = new FakeTarget([0]);
    const seen: string[] = [];
    env.scheduleAt(100, () => seen.push(`work sees ${target.liveVms().length} live`));
    new FaultInjector(env, new RandomStreams(1), target, [{ type: "crash", vm: 0, atMs: 100 }]).start();
    env.run();
    expect(seen).toEqual(["work sees 0 live"]);
  });

  it("applies a straggler's factor only inside its interval, the slowest of overlapping ones", () => {
    const env = new Environment();
    const target = new FakeTarget([3]);
    const injector = new FaultInjector(env, new RandomStreams(1), target, [
      { type: "straggler", vm: 3, atMs: 1_000, untilMs: 5_000, speedFactor: 0.5 },
      { type: "straggler", vm: 3, atMs: 2_000, untilMs: 3_000, speedFactor: 0.25 },
    ]);
    injector.start();
    const seen: [number, number | undefined][] = [];
    for (const t of [999, 1_000, 2_500, 3_000, 4_999, 5_000]) {
      env.scheduleAt(t, () => seen.push([t, target.factors.get(3)]));
    }
    env.run();
    expect(seen).toEqual([
      [999, undefined],
      [1_000, 0.5],
      [2_500, 0.25],
      [3_000, 0.5],
      [4_999, 0.5],
      [5_000, 1],
    ]);
    expect(injector.events.map((e) => `${e.atMs} ${e.kind}`)).toEqual([
      "1000 stragglerStart",
      "2000 stragglerStart",
      "3000 stragglerEnd",
      "5000 stragglerEnd",
    ]);
  });

  it("installs a delay and a partition at atMs and removes them at untilMs", () => {
    const target = new FakeTarget([0, 1, 2]);
    const events: string[] = [];
    const env = new Environment();
    new FaultInjector(
      env,
      new RandomStreams(1),
      target,
      [
        { type: "delay", atMs: 10, untilMs: 50, extraMs: 20 },
        { type: "partition", atMs: 20, untilMs: 30, between: [[0], [1, 2]] },
      ],
      { onFault: (e) => events.push(`${e.atMs} ${e.kind}`) },
    ).start();
    env.run();
    expect(target.calls).toEqual(["delay null +20", "partition [[0],[1,2]]", "heal 1", "undelay 0"]);
    expect(events).toEqual(["10 delayStart", "20 partitionStart", "30 partitionEnd", "50 delayEnd"]);
  });

  const hourMs = 3_600_000;
  const tenVms = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const randomCrashes = (from = 0, until = 100 * hourMs): FaultSpec[] => [
    { type: "randomCrashes", perVmPerHour: 0.1, fromMs: from, untilMs: until },
  ];
  const crashTimes = (seed: number) =>
    inject(randomCrashes(), new FakeTarget(tenVms, true), 100 * hourMs, seed).injector.events.map(
      (e) => `${e.atMs} ${e.kind} ${e.vm}`,
    );

  it("draws the same random crashes for the same seed and different ones for another", () => {
    const a = crashTimes(42);
    expect(crashTimes(42)).toEqual(a);
    expect(crashTimes(43)).not.toEqual(a);
  });

  it("draws random crashes at about the requested rate per VM and hour", () => {
    // 10 VMs kept alive for 100 h at 0.1 crashes per VM-hour: 100 crashes expected (sd 10).
    const counts = [1, 2, 3].map((seed) => crashTimes(seed).length);
    for (const n of counts) expect(n).toBeGreaterThan(65);
    for (const n of counts) expect(n).toBeLessThan(135);
    const mean = counts.reduce((s, n) => s + n, 0) / counts.length;
    expect(Math.abs(mean - 100)).toBeLessThan(20);
  });

  it("draws random crashes only inside [fromMs, untilMs), and for VMs that become alive later", () => {
    // At 60 crashes per VM-hour, a VM alive for half an hour crashes but for a chance of e^-30.
    const target = new FakeTarget([0]);
    const { env, injector } = inject(
      [{ type: "randomCrashes", perVmPerHour: 60, fromMs: hourMs, untilMs: 2 * hourMs }],
      target,
      0,
    );
    env.run(1.5 * hourMs);
    target.live.push(5, 6);
    env.run(2.5 * hourMs);
    target.live.push(7);
    env.run(4 * hourMs);
    const crashes = injector.events.filter((e) => e.kind === "crash");
    expect(crashes.map((e) => e.vm).sort()).toEqual([0, 5, 6]);
    expect(crashes[0]).toMatchObject({ vm: 0 });
    for (const e of crashes) {
      expect(e.atMs).toBeGreaterThanOrEqual(e.vm === 0 ? hourMs : 1.5 * hourMs);
      expect(e.atMs).toBeLessThan(2 * hourMs);
    }
    expect(target.live).toEqual([7]);
  });
});

describe("FaultInjector: crashes aimed at a reconfiguration", () => {
  const targets = (news: number[]) => ({ split: 3, upstream: 1, downstream: 5, newInstances: () => news });
  /** An injector of `specs` against `target`, started. */
  const aimed = (target: FakeTarget, specs: FaultSpec[]) => {
    const env = new Environment();
    const injector = new FaultInjector(env, new RandomStreams(1), target, specs);
    injector.start();
    return { env, injector };
  };

  it("crashes the VM of the named role, timed from when the nth reconfiguration begins", () => {
    const target = new FakeTarget([0, 1, 2, 3, 4, 5, 6]);
    const { env, injector } = aimed(target, [
      { type: "reconfigurationCrash", nth: 2, role: "split", afterMs: 300 },
      { type: "reconfigurationCrash", nth: 2, role: "new", afterMs: 500 },
      { type: "reconfigurationCrash", nth: 3, role: "upstream", afterMs: 0 },
    ]);
    env.schedule(1_000, () => injector.reconfigurationBegun(1, targets([])));
    env.schedule(2_000, () => injector.reconfigurationBegun(2, targets([16])));
    env.run(10_000);
    // Reconfiguration 2 began at 2,000: its split's VM (3) at 2,300, its new instance's (6) at 2,500.
    expect(target.calls).toEqual(["2300 crash 3", "2500 crash 6"]);
  });

  it("takes the next role's VM when the named one has none alive, and skips when none has", () => {
    const target = new FakeTarget([1, 5]);
    const { env, injector } = aimed(target, [
      { type: "reconfigurationCrash", nth: 1, role: "new", afterMs: 10 },
      { type: "reconfigurationCrash", nth: 1, role: "split", afterMs: 20 },
      { type: "reconfigurationCrash", nth: 1, role: "split", afterMs: 30 },
    ]);
    env.schedule(0, () => injector.reconfigurationBegun(1, { ...targets([]), upstream: null }));
    env.run(1_000);
    // new: none yet -> split (VM 3, dead) -> upstream (none) -> downstream, VM 5; then split
    // (dead) ... downstream (dead now) -> new (none): skipped.
    expect(target.calls).toEqual(["10 crash 5"]);
    expect(injector.events.map((e) => e.kind)).toEqual(["crash", "crashSkipped", "crashSkipped"]);
  });
});

describe("FaultInjector: coordinator crashes", () => {
  it("crashes the leader at its time, and skips a crash while none runs", () => {
    const target = new FakeTarget([0, 1]);
    const env = new Environment();
    const injector = new FaultInjector(env, new RandomStreams(1), target, [
      { type: "coordinatorCrash", atMs: 500 },
      { type: "coordinatorCrash", atMs: 700 },
    ]);
    injector.start();
    env.schedule(600, () => {
      target.leaderDown = true; // still down at 700
    });
    env.run(1_000);
    expect(injector.events).toEqual([
      { kind: "coordinatorCrash", atMs: 500 },
      { kind: "coordinatorCrashSkipped", atMs: 700 },
    ]);
  });

  it("times a crash from the nth reconfiguration's start", () => {
    const target = new FakeTarget([0, 1]);
    const env = new Environment();
    const injector = new FaultInjector(env, new RandomStreams(1), target, [
      { type: "reconfigurationCoordinatorCrash", nth: 2, afterMs: 250 },
    ]);
    injector.start();
    const targets = { split: 3, upstream: 1, downstream: 5, newInstances: () => [] };
    env.schedule(1_000, () => injector.reconfigurationBegun(1, targets));
    env.schedule(2_000, () => injector.reconfigurationBegun(2, targets));
    env.run(10_000);
    expect(injector.events).toEqual([{ kind: "coordinatorCrash", atMs: 2_250 }]);
  });

  it("draws random coordinator crashes at about their rate, from their own stream: the VMs' draws stay as they were", () => {
    const crashes = (specs: FaultSpec[]) => {
      const target = new FakeTarget([0, 1, 2], true);
      const env = new Environment();
      const injector = new FaultInjector(env, new RandomStreams(5), target, specs);
      injector.start();
      // Every crash is taken over at once: the leader is back 1 ms later.
      target.crashCoordinator = () => {
        env.schedule(1, () => {
          target.leaderDown = false;
        });
        target.leaderDown = true;
        return true;
      };
      env.run(100 * 3_600_000);
      return { target, injector };
    };
    const vmOnly = crashes([{ type: "randomCrashes", perVmPerHour: 0.5 }]);
    const both = crashes([
      { type: "randomCrashes", perVmPerHour: 0.5 },
      { type: "randomCoordinatorCrashes", perHour: 2 },
    ]);
    expect(both.target.calls).toEqual(vmOnly.target.calls);
    const n = both.injector.events.filter((e) => e.kind === "coordinatorCrash").length;
    expect(n).toBeGreaterThan(150); // 200 expected over 100 hours
    expect(n).toBeLessThan(250);
  });
});

describe("parseFaultSpecs", () => {
  it("accepts every kind of fault", () => {
    const specs = [
      { type: "crash", vm: 2, atMs: 0 },
      { type: "randomCrashes", perVmPerHour: 0.5 },
      { type: "straggler", vm: 1, atMs: 0, untilMs: 10, speedFactor: 1 },
      { type: "delay", atMs: 0, untilMs: 10, extraMs: 5, between: [[0], [1]] },
      { type: "partition", atMs: 0, untilMs: 10, between: [[0], [1]] },
      { type: "reconfigurationCrash", nth: 1, role: "new", afterMs: 5_000 },
      { type: "coordinatorCrash", atMs: 7_000 },
      { type: "randomCoordinatorCrashes", perHour: 1, fromMs: 0, untilMs: 60_000 },
      { type: "reconfigurationCoordinatorCrash", nth: 1, afterMs: 100 },
    ];
    expect(parseFaultSpecs(specs)).toEqual(specs);
    expect(() =>
      parseFaultSpecs([{ type: "reconfigurationCrash", nth: 0, role: "sink", afterMs: 0 }]),
    ).toThrow(/faults\[0\]\.nth: .*\n.*faults\[0\]\.role/);
  });

  it("rejects an unknown key, naming the path", () => {
    expect(() => parseFaultSpecs([{ type: "crash", vm: 1, atMs: 0, when: 3 }])).toThrow(
      /faults\[0\]: Unrecognized key: "when"/,
    );
  });

  it("rejects an interval with untilMs <= atMs, naming the path", () => {
    const specs = [
      { type: "crash", vm: 1, atMs: 0 },
      { type: "partition", atMs: 10, untilMs: 10, between: [[0], [1]] },
    ];
    expect(() => parseFaultSpecs(specs)).toThrow(
      /faults\[1\]\.untilMs: untilMs \(10\) must be greater than atMs \(10\)/,
    );
    expect(() =>
      parseFaultSpecs([{ type: "randomCrashes", perVmPerHour: 1, fromMs: 5, untilMs: 1 }]),
    ).toThrow(/faults\[0\]\.untilMs: untilMs \(1\) must be greater than fromMs \(5\)/);
  });

  it("rejects a straggler speed factor outside (0, 1] and a negative time", () => {
    const straggler = { type: "straggler", vm: 1, atMs: 0, untilMs: 10, speedFactor: 0 };
    expect(() => parseFaultSpecs([straggler])).toThrow(/faults\[0\]\.speedFactor/);
    expect(() => parseFaultSpecs([{ type: "crash", vm: 1, atMs: -1 }])).toThrow(/faults\[0\]\.atMs/);
  });
});
