import { describe, expect, it } from "vitest";
import { RECONFIGURATION_KINDS } from "../../../sim/chaos/faultKinds.js";
import {
  type ChaosShape,
  chaosShapeOf,
  describeFaults,
  drawFaultSchedule,
  FAULT_KINDS,
  type FaultKind,
} from "../../../sim/chaos/faultSchedule.js";
import { parseExperiment } from "../../../sim/experiment.js";
import { parseFaultSpecs } from "../../../sim/faults.js";

const shape: ChaosShape = {
  vms: 4,
  durationMs: 200_000,
  checkpointIntervalMs: 5_000,
  detectionMs: 1_500,
  prewarmed: 2,
  minimum: 1,
  handoutMs: 5_000,
  coldStartMs: 100_000,
  reconfigurations: 0,
  coordinatorTakeoverMs: 4_000,
};

const seeds = Array.from({ length: 40 }, (_, i) => i + 1);

describe("drawFaultSchedule", () => {
  it("draws the same schedule for the same seed, and other schedules for other seeds", () => {
    for (const seed of seeds) expect(drawFaultSchedule(seed, shape)).toEqual(drawFaultSchedule(seed, shape));
    const texts = new Set(seeds.map((s) => describeFaults(drawFaultSchedule(s, shape).faults)));
    expect(texts.size).toBe(seeds.length);
  });

  it("covers every kind over a few dozen seeds, each with the faults its name promises", () => {
    const seen = new Set<FaultKind>();
    for (const seed of seeds) {
      const { kind, faults } = drawFaultSchedule(seed, shape, FAULT_KINDS, false);
      seen.add(kind);
      const types = faults.map((f) => f.type).sort();
      const crashes = faults.filter((f) => f.type === "crash");
      switch (kind) {
        case "crash":
        case "checkpoint-crash":
          expect(types).toEqual(["crash"]);
          break;
        case "recovery-crash":
        case "two-vms":
          expect(types).toEqual(["crash", "crash"]);
          break;
        case "straggler":
          expect(types).toEqual(["straggler"]);
          break;
        case "straggler+crash":
          expect(types).toEqual(["crash", "straggler"]);
          break;
        case "partition":
          expect(types).toEqual(["partition"]);
          break;
        case "partition+crash":
          expect(types).toEqual(["crash", "partition"]);
          break;
      }
      if (kind === "two-vms") {
        expect(crashes[0].atMs).toBe(crashes[1].atMs);
        expect(crashes[0].vm).not.toBe(crashes[1].vm);
      }
    }
    expect([...seen].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it("gives valid fault specs, within the stream, on VMs of the cluster or its replacements", () => {
    for (const seed of seeds) {
      const { faults } = drawFaultSchedule(seed, shape, FAULT_KINDS, false);
      expect(parseFaultSpecs(faults)).toEqual(faults);
      for (const f of faults) {
        if (!("atMs" in f)) continue;
        expect(f.atMs).toBeGreaterThanOrEqual(0);
        expect(f.atMs).toBeLessThanOrEqual(shape.durationMs);
        if (f.type === "crash" || f.type === "straggler") expect(f.vm).toBeLessThan(shape.vms + 1);
        if (f.type === "partition") {
          expect(f.between[0].length).toBeGreaterThan(0);
          expect(f.between[1].length).toBeGreaterThan(0);
          expect([...f.between[0], ...f.between[1]].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
        }
      }
    }
  });

  it("crashes during a checkpoint a few ms after a multiple of the interval", () => {
    for (const seed of seeds) {
      const { kind, faults } = drawFaultSchedule(seed, shape, FAULT_KINDS, false);
      if (kind !== "checkpoint-crash") continue;
      const f = faults[0];
      expect(f.type === "crash" && f.atMs % shape.checkpointIntervalMs).toBeLessThanOrEqual(30);
    }
  });

  it("crashes during a recovery: the replacement after it is ready, or another VM before it is", () => {
    const readyAfterMs = shape.detectionMs + shape.handoutMs;
    const variants = new Set<string>();
    for (const seed of seeds) {
      const { kind, faults } = drawFaultSchedule(seed, shape, FAULT_KINDS, false);
      if (kind !== "recovery-crash") continue;
      const [first, second] = faults;
      if (first.type !== "crash" || second.type !== "crash") throw new Error("two crashes expected");
      if (second.vm === shape.vms) {
        variants.add("replacement");
        expect(second.atMs).toBeGreaterThan(first.atMs + readyAfterMs);
      } else {
        variants.add("second");
        expect(second.vm).not.toBe(first.vm);
        expect(second.atMs - first.atMs).toBeLessThanOrEqual(readyAfterMs);
      }
    }
    expect([...variants].sort()).toEqual(["replacement", "second"]);
  });

  it("takes its shape from the experiment: cluster, checkpoint interval, detection and pool", () => {
    const e = parseExperiment(
      {
        workload: { name: "wordcount" },
        cluster: { vms: 3 },
        pool: { prewarmed: 0, handoutMs: 2000 },
        faultTolerance: { strategy: "rsm", checkpointIntervalMs: 1000, detectionMs: 700 },
      },
      "test",
    );
    expect(chaosShapeOf(e, 60_000)).toMatchObject({
      vms: 3,
      durationMs: 60_000,
      checkpointIntervalMs: 1000,
      detectionMs: 700,
      prewarmed: 0,
      handoutMs: 2000,
    });
  });
});

describe("describeFaults", () => {
  it("says each fault in a few words", () => {
    expect(
      describeFaults([
        { type: "crash", vm: 1, atMs: 23456 },
        { type: "straggler", vm: 0, atMs: 1000, untilMs: 3000, speedFactor: 0.25 },
        {
          type: "partition",
          atMs: 5000,
          untilMs: 9000,
          between: [
            [0, 2],
            [1, 3],
          ],
        },
      ]),
    ).toBe("crash vm1@23456; straggler vm0 x0.25 @1000-3000; partition 0,2|1,3 @5000-9000");
  });
});

describe("fault schedules aimed at reconfigurations (--kinds)", () => {
  const scaling: ChaosShape = { ...shape, reconfigurations: 2 };

  it("rotate through the kinds asked for, draw valid specs aimed at one of the scheduled reconfigurations", () => {
    const seen = new Set<string>();
    for (const seed of seeds) {
      const s = drawFaultSchedule(seed, scaling, RECONFIGURATION_KINDS, false);
      seen.add(s.kind);
      expect(parseFaultSpecs(s.faults)).toEqual(s.faults);
      expect(s.faults.length).toBe(s.kind === "reconfiguration-crash" ? 1 : 2);
      for (const f of s.faults) {
        if (f.type !== "reconfigurationCrash") throw new Error(`seed ${seed}: ${f.type}`);
        expect(f.nth).toBeGreaterThanOrEqual(1);
        expect(f.nth).toBeLessThanOrEqual(2);
      }
      expect(drawFaultSchedule(seed, scaling, RECONFIGURATION_KINDS, false)).toEqual(s);
    }
    expect([...seen].sort()).toEqual([...RECONFIGURATION_KINDS].sort());
  });

  it("leave the default rotation, and so every seed's schedule, as it was", () => {
    for (const seed of seeds)
      expect(drawFaultSchedule(seed, scaling, FAULT_KINDS, false)).toEqual(
        drawFaultSchedule(seed, shape, FAULT_KINDS, false),
      );
  });
});

describe("coordinator crashes among a schedule's faults", () => {
  const isCoordinatorCrash = (type: string) => type.includes("oordinatorCrash");
  const scaling: ChaosShape = { ...shape, reconfigurations: 2 };

  it("are drawn on top of each seed's VM faults, which stay as they were", () => {
    for (const seed of seeds) {
      const all = drawFaultSchedule(seed, shape).faults;
      expect(all.filter((f) => !isCoordinatorCrash(f.type))).toEqual(
        drawFaultSchedule(seed, shape, FAULT_KINDS, false).faults,
      );
      expect(parseFaultSpecs(all)).toEqual(all);
    }
  });

  it("come in about half the runs, during a recovery, a reconfiguration, a checkpoint round or at any time", () => {
    const many = Array.from({ length: 400 }, (_, i) => i + 1);
    let runs = 0;
    let duringRecovery = 0;
    let duringReconfiguration = 0;
    let second = 0;
    for (const seed of many) {
      const { faults } = drawFaultSchedule(seed, scaling);
      const crashes = faults.filter((f) => isCoordinatorCrash(f.type));
      if (crashes.length === 0) continue;
      runs++;
      const [c, again] = crashes;
      if (c.type === "reconfigurationCoordinatorCrash") {
        duringReconfiguration++;
        expect(c.nth).toBeLessThanOrEqual(2);
      } else if (c.type === "coordinatorCrash") {
        const vmCrash = faults.find((f) => f.type === "crash");
        if (vmCrash !== undefined && c.atMs >= vmCrash.atMs && c.atMs <= vmCrash.atMs + 1_500 + 5_000 + 3_000)
          duringRecovery++;
      }
      if (again !== undefined) {
        second++;
        if (again.type !== "coordinatorCrash" || c.type !== "coordinatorCrash")
          throw new Error(`seed ${seed}`);
        expect(again.atMs).toBeGreaterThanOrEqual(c.atMs + shape.coordinatorTakeoverMs);
      }
    }
    expect(runs).toBeGreaterThan(150);
    expect(runs).toBeLessThan(250);
    expect(duringRecovery).toBeGreaterThan(20);
    expect(duringReconfiguration).toBeGreaterThan(40);
    expect(second).toBeGreaterThan(10);
  });

  it("say what they aim at in a few words", () => {
    expect(
      describeFaults([
        { type: "coordinatorCrash", atMs: 12000 },
        { type: "reconfigurationCoordinatorCrash", nth: 2, afterMs: 300 },
        { type: "randomCoordinatorCrashes", perHour: 6 },
      ]),
    ).toBe(
      "crash coordinator@12000; crash coordinator in reconfiguration 2 +300ms; random coordinator crashes 6/h",
    );
  });
});
