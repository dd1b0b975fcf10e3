// Coordinator takeover (engine/takeover/coordinatorTakeover.ts): a coordinator rebuilt
// from a run's journal is the live one (plan, recoveries, scalings, counts) and sends
// nothing while it replays; a crashed leader takes no input and hears no late answer; a
// new leader sets the kept timers (an overdue one fires at once) and makes the calls the
// old one never heard back from; and a journal that does not match its replay is refused.

import { describe, expect, it } from "vitest";
import {
  type ControlMessage,
  type CoordinatorRuntime,
  type InstanceSpec,
  type Journal,
  JournalDivergence,
  type JournalEntry,
  JournaledCoordinator,
  ManualClock,
  MemoryJournal,
  physicalPlan,
  type ReconfigurationLink,
} from "../../../engine/index.js";
import { keyedCountPlan } from "../fixtures.js";
import { journaledWordCount, unreachableRuntime } from "./fixtures.js";

const copy = (journal: Journal, change: (entries: JournalEntry[]) => void): Journal => {
  const j = new MemoryJournal();
  for (const e of journal.entries) j.append({ ...e, answers: [...e.answers] });
  change(j.entries);
  return j;
};

describe("a coordinator rebuilt from its journal", () => {
  const scaleOut = {
    stateTransfer: "live",
    scaleOuts: [{ operator: "count", index: 0, atMs: 5000, factor: 2 }],
  };
  const runs: [string, ReturnType<typeof journaledWordCount>][] = [
    ["a crash and its recovery", journaledWordCount([{ type: "crash", vm: 2, atMs: 12_000 }])],
    [
      "a live scale out, then a crash",
      journaledWordCount([{ type: "crash", vm: 1, atMs: 14_000 }], scaleOut),
    ],
  ];
  for (const [what, { sim, journal }] of runs) {
    it(`is the live one after ${what}, and reaches nothing while it replays`, () => {
      expect(journal.entries.length).toBeGreaterThan(20);
      const rebuilt = JournaledCoordinator.takeOver(unreachableRuntime(), journal).coordinator;
      const live = sim.faultTolerance!;
      expect(rebuilt.plan).toEqual(sim.physicalPlan);
      expect(rebuilt.faultTolerance!.records).toEqual(live.records);
      expect(rebuilt.faultTolerance!.counts).toEqual(live.counts);
      expect(rebuilt.scaling!.records).toEqual(sim.scaleOuts);
      expect(rebuilt.sinksDone).toBe(sim.completed);
    });
  }

  it("journals nested inputs (a runtime that answers at once) at the effect they came at", () => {
    const { journal } = runs[1][1];
    const nested = journal.entries.filter((e) => e.depth > 0);
    expect(nested.length).toBeGreaterThan(0);
    for (const e of nested) expect(e.afterEffect).toBeGreaterThan(0);
  });

  const { journal } = runs[0][1];
  const divergent: [string, (entries: JournalEntry[]) => void][] = [
    [
      "an entry's effects",
      (es) => {
        const e = es.findIndex((x) => x.input.kind === "timer");
        es[e] = { ...es[e], effects: (es[e].effects ?? 0) ^ 1 };
      },
    ],
    [
      "an answer the replay never asks for",
      (es) => {
        es[1].answers.push(false);
      },
    ],
    [
      "a timer that was never set",
      (es) => {
        const e = es.findIndex((x) => x.input.kind === "timer");
        es[e] = { ...es[e], input: { kind: "timer", timer: 1_000_000 } };
      },
    ],
  ];
  for (const [what, change] of divergent) {
    it(`refuses a journal with ${what} changed, naming the entry`, () => {
      const bad = copy(journal, change);
      expect(() => JournaledCoordinator.takeOver(unreachableRuntime(), bad)).toThrow(JournalDivergence);
      expect(() => JournaledCoordinator.takeOver(unreachableRuntime(), bad)).toThrow(
        /journal entry \d+ \((timer|reply|failed|deployed|start)/,
      );
    });
  }

  it("refuses a journal that does not begin with the coordinator's creation", () => {
    const bad = copy(journal, (es) => es.shift());
    expect(() => JournaledCoordinator.takeOver(unreachableRuntime(), bad)).toThrow(
      /does not begin with the coordinator's creation/,
    );
  });
});

describe("a leader's crash and its takeover, on a manual clock", () => {
  const logical = keyedCountPlan([], [], { count: 2 });
  const plan = physicalPlan(logical, { place: (_op, _i, n) => n % 2 });
  const setup = {
    plan,
    ft: {
      options: {
        strategy: "rsm" as const,
        checkpointIntervalMs: 1000,
        backupPlacement: "upstream" as const,
        parallelRecovery: 1,
        detectionMs: 0,
      },
    },
  };

  function runtime(clock: ManualClock) {
    const sent: [number, ControlMessage["type"]][] = [];
    const numbered: [number, ControlMessage["type"], number | undefined][] = [];
    const redeploys: { specs: readonly InstanceSpec[]; onDeployed: (p: readonly InstanceSpec[]) => void }[] =
      [];
    const link: ReconfigurationLink = {
      clock,
      sendControl: (id, m, seq) => {
        sent.push([id, m.type]);
        numbered.push([id, m.type, seq]);
      },
      redeploy: (specs, _newVm, onDeployed) => redeploys.push({ specs, onDeployed }),
      redeploysRetired: true,
    };
    return { rt: { link } satisfies CoordinatorRuntime, sent, numbered, redeploys };
  }

  it("a crashed leader's timers never fire; the new leader fires an overdue one at once", () => {
    const clock = new ManualClock();
    const journal = new MemoryJournal();
    const first = runtime(clock);
    const leader = JournaledCoordinator.begin(setup, first.rt, journal);
    leader.start();
    const started = first.sent.length;
    expect(started).toBe(plan.instances.length);
    leader.crash();
    expect(() => leader.handleReply({ type: "ended", instance: 0 })).toThrow(/dead coordinator/);
    clock.advanceTo(1500); // the checkpoint round was due at 1000 ms
    expect(first.sent.length).toBe(started);
    const second = runtime(clock);
    const next = JournaledCoordinator.takeOver(second.rt, journal);
    expect(second.sent).toEqual([]); // the replay sent nothing (the start went out before)
    expect(next.outstanding.timers).toBe(1);
    next.goLive();
    clock.advanceTo(1500);
    expect(second.sent.map(([, t]) => t)).toContain("checkpoint");
    expect(second.sent.every(([, t]) => t === "checkpoint")).toBe(true);
  });

  it("numbers each instance's messages, and a new leader sends again, with their numbers, those not applied", () => {
    const clock = new ManualClock();
    const journal = new MemoryJournal();
    const first = runtime(clock);
    const leader = JournaledCoordinator.begin(setup, first.rt, journal);
    leader.start();
    clock.advanceTo(1000); // a checkpoint round: each instance's second message
    expect(first.numbered.filter(([id]) => id === 0).map(([, t, seq]) => [t, seq])).toEqual([
      ["start", 1],
      ["checkpoint", 2],
    ]);
    leader.crash();
    // Instance 0 applied only its first message; the others applied everything.
    const second = runtime(clock);
    const next = JournaledCoordinator.takeOver(second.rt, journal, (id, seq) => id === 0 && seq > 1);
    expect(second.numbered).toEqual([]);
    next.goLive();
    expect(second.numbered).toEqual([[0, "checkpoint", 2]]);
    clock.advanceTo(2000); // the next round goes on numbering
    expect(second.numbered.filter(([id]) => id === 0).at(-1)).toEqual([0, "checkpoint", 3]);
  });

  it("does not send again a message to an incarnation a later deploy replaced", () => {
    const clock = new ManualClock();
    const journal = new MemoryJournal();
    const first = runtime(clock);
    const leader = JournaledCoordinator.begin(setup, first.rt, journal);
    leader.start();
    const count = plan.instances.find((i) => i.operator === 1)!;
    leader.instancesFailed([count.id], 0);
    first.redeploys[0].onDeployed(first.redeploys[0].specs); // the replacement is deployed
    const toNew = first.numbered.filter(([id]) => id === count.id).length;
    leader.crash();
    const second = runtime(clock);
    // Nothing sent to `count` was applied: only what went to its replacement is sent again.
    const next = JournaledCoordinator.takeOver(second.rt, journal, (id) => id === count.id);
    next.goLive();
    const again = second.numbered.filter(([id]) => id === count.id);
    expect(again.length).toBeGreaterThan(0);
    expect(again.length).toBeLessThan(toNew);
    expect(again.map(([, t]) => t)).not.toContain("start"); // the first incarnation's start is void
  });

  it("calls the old leader never heard back from are made again, and its late answers dropped", () => {
    const clock = new ManualClock();
    const journal = new MemoryJournal();
    const first = runtime(clock);
    const leader = JournaledCoordinator.begin(setup, first.rt, journal);
    leader.start();
    const count = plan.instances.find((i) => i.operator === 1)!;
    leader.instancesFailed([count.id], 0); // the recovery asks for a new VM
    expect(first.redeploys).toHaveLength(1);
    leader.crash();
    const entries = journal.entries.length;
    first.redeploys[0].onDeployed(first.redeploys[0].specs); // too late: the leader is gone
    expect(journal.entries.length).toBe(entries);
    const second = runtime(clock);
    const next = JournaledCoordinator.takeOver(second.rt, journal);
    expect(second.redeploys).toHaveLength(0);
    next.goLive();
    expect(second.redeploys).toHaveLength(1);
    expect(second.redeploys[0].specs.map((s) => s.id)).toEqual([count.id]);
    second.redeploys[0].onDeployed(second.redeploys[0].specs);
    expect(journal.entries.at(-1)!.input.kind).toBe("deployed");
    expect(second.sent.some(([id, t]) => id === count.id || t === "restoreBackup" || t === "restore")).toBe(
      true,
    );
  });
});
