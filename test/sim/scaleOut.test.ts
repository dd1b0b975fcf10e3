// Scale out in the simulator: splitting a stateful instance mid-run gives exactly the
// output of the run without it (the same digest, order-sensitive per (sink, key)), for
// the word count's windows and for each of Linear Road's stateful operators, also when a
// VM fails after the scale out (the new instances' backups, an upstream restored from a
// checkpoint taken before the routing changed); and the same of a live scale out, whose
// new instances are restored from a checkpoint taken while the instance runs and catch up
// from the upstreams' buffers, the instance retiring at a short hand-over.

import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { ExperimentError, parseExperiment } from "../../sim/experiment.js";
import type { FaultSpec } from "../../sim/faults.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";
import { runLinearRoad, runWordCount } from "./fixtures.js";

interface ScaleOutSpec {
  readonly operator: string;
  readonly index?: number;
  readonly atMs: number;
  readonly factor?: number;
}

function wordCount(strategy: string, scaleOuts: ScaleOutSpec[], faults: FaultSpec[] = []) {
  return runWordCount({
    faultTolerance: { strategy, checkpointIntervalMs: 2000 },
    scaling: { scaleOuts },
    faults,
  });
}

function linearRoad(scaleOuts: ScaleOutSpec[]) {
  return runLinearRoad({
    faultTolerance: { strategy: "rsm", checkpointIntervalMs: 5000 },
    scaling: { scaleOuts },
  }).summary;
}

describe("scale out in the simulator (seed 7 word count, seed 3 Linear Road)", () => {
  const base = wordCount("none", []).summary;

  for (const strategy of ["none", "rsm"]) {
    for (const [atMs, factor, index] of [
      [5_000, 2, 0],
      [14_321, 3, 1],
    ]) {
      it(`${strategy}: splitting count #${index} in ${factor} at ${atMs} ms gives exactly the output without it`, () => {
        const { sim, summary } = wordCount(strategy, [{ operator: "count", index, atMs, factor }]);
        expect(summary.outputDigest).toBe(base.outputDigest);
        expect(summary.tuplesOut).toBe(base.tuplesOut);
        const [so] = summary.scaleOuts;
        expect(so.instances).toHaveLength(factor);
        expect(so.requestedAtMs).toBe(atMs);
        expect(so.completedAtMs).toBeGreaterThan(atMs);
        // The new instances took over keys: each emitted window counts of its own.
        for (const name of so.instances.slice(1)) {
          const id = Number(name.split("#")[1]);
          const host = sim.runtime.hosts.find((h) => h.alive && h.instance.id === id)!;
          expect(host.instance.emittedTuples, name).toBeGreaterThan(0);
        }
      });
    }
  }

  for (const strategy of ["none", "rsm"]) {
    it(`${strategy}: migrating count #1 to a pooled VM mid-run gives exactly the output without it`, () => {
      const { sim, summary } = wordCount(strategy, [{ operator: "count", index: 1, atMs: 7_000, factor: 1 }]);
      expect(summary.outputDigest).toBe(base.outputDigest);
      const [m] = summary.scaleOuts;
      expect(m.kind).toBe("migration");
      expect(m.instances).toEqual([m.instance]);
      const id = Number(m.instance.split("#")[1]);
      // It runs on the first pooled VM now (the cluster is VMs 0-3).
      expect(sim.runtime.vmOf(id)).toBe(4);
    });
  }

  it("rsm: a crash of a new instance's VM, or of an upstream restored with the old routing, after the scale out", () => {
    // VM 4 is the first pooled VM, handed out to the new count; VM 1 holds split#1, whose
    // backups were taken before the routing changed.
    for (const vm of [4, 1]) {
      const { summary } = wordCount(
        "rsm",
        [{ operator: "count", index: 1, atMs: 5_000, factor: 3 }],
        [{ type: "crash", vm, atMs: 12_000 }],
      );
      expect(summary.recoveries, `VM ${vm}`).toHaveLength(1);
      expect(summary.outputDigest, `VM ${vm}`).toBe(base.outputDigest);
    }
  });

  const lrbBase = linearRoad([]);
  for (const operator of ["cars", "segments", "accounts"]) {
    it(`splitting Linear Road's ${operator} mid-run gives exactly the answers without it`, () => {
      const s = linearRoad([{ operator, atMs: 60_000 }]);
      expect(s.scaleOuts).toHaveLength(1);
      expect(s.scaleOuts[0].completedAtMs).not.toBeNull();
      expect(s.outputDigest).toBe(lrbBase.outputDigest);
      expect(s.tuplesOut).toBe(lrbBase.tuplesOut);
    });
  }

  it("refuses, in one line, an operator that is not there or does not take its input by key", () => {
    expect(() => wordCount("none", [{ operator: "counter", atMs: 1000 }])).toThrow(ExperimentError);
    expect(() => wordCount("none", [{ operator: "counter", atMs: 1000 }])).toThrow(/no operator "counter"/);
    expect(() => wordCount("none", [{ operator: "split", atMs: 1000 }])).toThrow(
      /does not take its input by key/,
    );
  });
});

describe("a failure during a scale out", () => {
  it("under rsm is recovered: the output is the failure-free run's (more cases in test/sim/chaos/failureDuringScaleOut.test.ts)", () => {
    const base = wordCount("none", []).summary;
    const { sim, summary } = wordCount(
      "rsm",
      [{ operator: "count", atMs: 5_000 }],
      [{ type: "crash", vm: 1, atMs: 6_000 }],
    );
    expect(sim.completed).toBe(true);
    expect(summary.outputDigest).toBe(base.outputDigest);
  });
});

describe("the threshold policy in the simulator", () => {
  function overloaded(policy: string, strategy = "rsm", placement = "pool") {
    return runWordCount(
      {
        // Counting costs 0.4 ms a word: each count instance needs about 80% of its VM.
        cost: { operators: { count: { tupleUs: 400 } } },
        faultTolerance: { strategy, checkpointIntervalMs: 2000 },
        scaling: { policy, placement },
      },
      60_000,
    );
  }

  for (const strategy of ["none", "rsm"]) {
    it(`${strategy}: splits a count that stays above 70% CPU for two 5 s reports, and the output is the output without it`, () => {
      const fixed = overloaded("none", strategy).summary;
      const { sim, summary } = overloaded("threshold", strategy);
      expect(summary.outputDigest).toBe(fixed.outputDigest);
      expect(summary.tuplesOut).toBe(fixed.tuplesOut);
      // The first decision comes with the second report above the threshold (10 s), and
      // the operator is not split again within the 30 s cooldown.
      expect(sim.decisions[0]).toMatchObject({ atMs: 10_000, action: "scaleOut", blockedBy: null });
      expect(sim.decisions[0].value).toBeGreaterThan(0.7);
      const times = sim.decisions.map((d) => d.atMs);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(30_000);
      expect(summary.scaleOuts.length).toBe(sim.decisions.length);
      // Each new instance took a VM from the pool.
      expect(summary.vmsMax).toBeGreaterThan(fixed.vmsMax);
      // Splitting the bottleneck brings the latency down.
      expect(summary.latencyMs.p50!).toBeLessThan(fixed.latencyMs.p50! / 2);
      // Buffers are kept for the scale outs, and trimmed: by checkpoints under rsm, by
      // receivers acking what they processed under none.
      const held = sim.runtime.hosts.reduce((n, h) => n + (h.alive ? h.instance.bufferedTuples : 0), 0);
      const sent = sim.runtime.hosts.reduce((n, h) => n + h.instance.emittedTuples, 0);
      expect(held).toBeLessThan(sent / 10);
    });
  }
});

describe("scale outs and migrations drawn from seeds", () => {
  function run(strategy: string, scaleOuts: ScaleOutSpec[], seed: number, stateTransfer = "pause") {
    const e = parseExperiment(
      {
        name: "scale-random",
        seed,
        workload: {
          name: "wordcount",
          params: {
            lines: 20_000,
            lineIntervalMs: 1,
            windowSizeMs: 3000,
            windowSlideMs: 1000,
            parallelism: 2,
          },
        },
        cluster: { vms: 3 },
        fidelity: { batchSize: 256, sourcePollMs: 50 },
        pool: { handoutMs: 1000 },
        faultTolerance: { strategy, checkpointIntervalMs: 1500 },
        scaling: { scaleOuts, stateTransfer },
      },
      "test",
    );
    return new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed)).run();
  }

  // 1 to 3 of them per run, at any time, of any count instance, into 1 (a migration) to 3
  // instances; one that comes while another is under way waits for it. (A search over
  // 40 seeds of this found nothing; `npm test` keeps 6.)
  for (let seed = 1; seed <= 6; seed++) {
    it(`seed ${seed}: the output is the output without them, under none and rsm, and live`, () => {
      const rng = seedrandom(String(seed));
      const scaleOuts = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
        operator: "count",
        index: Math.floor(rng() * 2),
        atMs: Math.floor(1000 + rng() * 17_000),
        factor: 1 + Math.floor(rng() * 3),
      }));
      const base = run("none", [], seed);
      for (const [strategy, transfer] of [
        ["none", "pause"],
        ["rsm", "pause"],
        ["none", "live"],
      ]) {
        const s = run(strategy, scaleOuts, seed, transfer);
        expect(s.outputDigest, `${strategy} ${transfer} ${JSON.stringify(scaleOuts)}`).toBe(
          base.outputDigest,
        );
        expect(s.scaleOuts.length).toBeGreaterThan(0);
      }
    });
  }
});

describe("load-aware placement", () => {
  it("puts new instances on the least loaded VM that has room, with the output unchanged", () => {
    const run = (policy: string, placement: string) =>
      runWordCount(
        {
          cost: { operators: { count: { tupleUs: 400 } } },
          faultTolerance: { strategy: "none" },
          scaling: { policy, placement },
        },
        60_000,
      );
    const fixed = run("none", "loadAware").summary;
    const aware = run("threshold", "loadAware");
    const pool = run("threshold", "pool").summary;
    expect(aware.summary.outputDigest).toBe(fixed.outputDigest);
    expect(aware.summary.scaleOuts.length).toBeGreaterThan(0);
    // The source's and the sink's VMs had room: no VM was added, and the run cost less.
    expect(aware.summary.vmsMax).toBe(fixed.vmsMax);
    expect(aware.summary.vmSeconds).toBeLessThan(pool.vmSeconds);
    const first = aware.summary.scaleOuts[0];
    const newId = Number(first.instances[1].split("#")[1]);
    const splitId = Number(first.instance.split("#")[1]);
    expect(aware.sim.runtime.vmOf(newId)).not.toBe(aware.sim.runtime.vmOf(splitId));
    expect(aware.sim.runtime.vmOf(newId)).toBeLessThan(4);
  });
});

describe("load shedding when no more VMs can be had", () => {
  /** The overloaded count on 4 VMs with a budget of 4: every scale out is blocked. */
  function capped(maxRate: number) {
    return runWordCount(
      {
        cost: { operators: { count: { tupleUs: 400 } } },
        faultTolerance: { strategy: "none" },
        scaling: {
          policy: "threshold",
          rules: [{ threshold: 0.7, forMs: 10_000, maxVms: 4 }],
          shedding: { maxRate },
          deadlineMs: 5_000,
        },
      },
      60_000,
    );
  }

  it("never sheds more than the acceptable rate, reports what it shed, and brings latency down", () => {
    const none = capped(0).summary;
    for (const maxRate of [0.1, 0.3, 0.6]) {
      const { sim, summary } = capped(maxRate);
      expect(sim.decisions.some((d) => d.blockedBy === "maxVms")).toBe(true);
      expect(summary.scaleOuts).toEqual([]);
      expect(summary.shedTuples, `${maxRate}`).toBeGreaterThan(0);
      expect(summary.shedShare).toBeLessThanOrEqual(maxRate);
      expect(sim.shedRate).toBeLessThanOrEqual(maxRate);
      expect(summary.latencyMs.p50!).toBeLessThan(none.latencyMs.p50!);
    }
  });

  it("an experiment that forbids shedding sheds nothing and reports its missed deadline", () => {
    const { summary } = capped(0);
    expect(summary.shedTuples).toBe(0);
    expect(summary.deadlineMet).toBe(false);
    expect(summary.latencyMs.max!).toBeGreaterThan(5_000);
  });
});

describe("scale in", () => {
  const base = runWordCount({ faultTolerance: { strategy: "none" } }).summary;
  const lrbBase = runLinearRoad({}).summary;

  it("merging the two counts mid-run, after a scale out or alone, gives exactly the output without it", () => {
    for (const [scaleOuts, scaleIns] of [
      [[], [{ operator: "count", index: 0, atMs: 9_000 }]],
      [
        [{ operator: "count", index: 0, atMs: 5_000, factor: 3 }],
        [{ operator: "count", index: 1, atMs: 15_000 }],
      ],
      [
        [{ operator: "count", index: 1, atMs: 4_000, factor: 2 }],
        [
          { operator: "count", index: 0, atMs: 12_345 },
          { operator: "count", index: 0, atMs: 20_000 },
        ],
      ],
    ] as const) {
      const { sim, summary } = runWordCount({
        faultTolerance: { strategy: "none" },
        scaling: { scaleOuts, scaleIns },
      });
      const what = JSON.stringify({ scaleOuts, scaleIns });
      expect(summary.outputDigest, what).toBe(base.outputDigest);
      const ins = summary.scaleOuts.filter((r) => r.kind === "scaleIn");
      expect(ins.length, what).toBe(scaleIns.length);
      for (const r of ins) expect(r.completedAtMs).not.toBeNull();
      // The retired instances are gone, and so is a VM left with nothing on it.
      const live = sim.runtime.hosts.filter((h) => h.alive && h.instance.operator.name === "count");
      expect(live.length).toBe(2 + scaleOuts.reduce((n, s) => n + s.factor - 1, 0) - scaleIns.length);
    }
  });

  it("a scale out after a scale in gives its new instance an id never used before", () => {
    // count#6 is made by the first scale out and merged away by the scale in; the last
    // scale out once made a new count#6, whose output the sink took for the old one's
    // (found by a search over seeds: 33 window counts lost).
    const { summary } = runWordCount({
      faultTolerance: { strategy: "none" },
      scaling: {
        scaleOuts: [
          { operator: "count", index: 0, atMs: 2_348, factor: 2 },
          { operator: "count", index: 1, atMs: 17_242, factor: 2 },
        ],
        scaleIns: [{ operator: "count", index: 0, atMs: 6_050 }],
      },
    });
    expect(summary.scaleOuts.map((r) => r.instances)).toEqual([
      ["count#3", "count#6"],
      ["count#3", "count#6"],
      ["count#4", "count#7"],
    ]);
    expect(summary.outputDigest).toBe(base.outputDigest);
  });

  // The segments' channels from cars#2 ended when it merged into cars#1: a scale in of the
  // segments after it is not held up by a sender that sends nothing more (it was given up
  // at its cut every time, and asked again every 100 ms to the end of the run).
  for (const strategy of ["rsm", "upstream-backup"]) {
    it(`under ${strategy}, merging the two segments after the two cars merged gives exactly the answers`, () => {
      const s = runLinearRoad({
        faultTolerance: { strategy },
        scaling: {
          scaleIns: [
            { operator: "cars", index: 0, atMs: 40_000 },
            { operator: "segments", index: 0, atMs: 60_000 },
          ],
        },
      }).summary;
      expect(s.scaleOuts.map((r) => [r.kind, r.refused])).toEqual([
        ["scaleIn", null],
        ["scaleIn", null],
      ]);
      expect(s.outputDigest).toBe(lrbBase.outputDigest);
    });
  }

  for (const operator of ["cars", "segments", "accounts"]) {
    it(`merging Linear Road's two ${operator} mid-run gives exactly the answers without it`, () => {
      const s = runLinearRoad({ scaling: { scaleIns: [{ operator, index: 0, atMs: 60_000 }] } }).summary;
      expect(s.scaleOuts.map((r) => r.kind)).toEqual(["scaleIn"]);
      expect(s.outputDigest).toBe(lrbBase.outputDigest);
    });
  }

  it("the policy merges two counts that stay cold; under upstream-backup a scale in gives the same output", () => {
    const cold = runWordCount({
      faultTolerance: { strategy: "none" },
      scaling: {
        policy: "threshold",
        rules: [{ action: "scaleIn", metric: "cpu", threshold: 0.2, forMs: 10_000 }],
      },
    });
    expect(cold.summary.outputDigest).toBe(base.outputDigest);
    expect(cold.sim.decisions[0]).toMatchObject({ action: "scaleIn", atMs: 10_000 });
    expect(cold.summary.scaleOuts[0].kind).toBe("scaleIn");
    const upstreamBackup = runWordCount({
      faultTolerance: { strategy: "upstream-backup" },
      scaling: { scaleIns: [{ operator: "count", atMs: 5_000 }] },
    }).summary;
    expect(upstreamBackup.scaleOuts[0]).toMatchObject({ kind: "scaleIn", refused: null });
    expect(upstreamBackup.outputDigest).toBe(base.outputDigest);
  });

  it("under rsm the merged-away instance lingers for its receivers' replays, then goes with its VM; the output is the output without it", () => {
    const retiredVm = (strategy: string) => {
      // On six VMs the merged-away count#4 has VM 4 to itself.
      const { sim, summary } = runWordCount({
        cluster: { vms: 6 },
        faultTolerance: { strategy, checkpointIntervalMs: 5_000 },
        scaling: { scaleIns: [{ operator: "count", index: 0, atMs: 6_000 }] },
      });
      expect(summary.outputDigest, strategy).toBe(base.outputDigest);
      const [si] = summary.scaleOuts;
      expect(si.completedAtMs, strategy).not.toBeNull();
      const inPlan = new Set(sim.physicalPlan?.instances.map((s) => s.id));
      const y = sim.runtime.hosts.find(
        (h) => h.instance.operator.name === "count" && !inPlan.has(h.instance.id),
      )!;
      expect(y.alive, strategy).toBe(false);
      return { vm: sim.pool.vm(y.vm.id), mergedAtMs: si.completedAtMs! };
    };
    const none = retiredVm("none");
    const rsm = retiredVm("rsm");
    expect(none.vm.state).toBe("released");
    expect(rsm.vm.state).toBe("released");
    // Under none it goes at the merge; under rsm at an interval's check after it, once
    // the receivers' backups cover the end of its streams.
    expect(none.vm.endedAtMs).toBeLessThanOrEqual(none.mergedAtMs);
    expect(rsm.vm.endedAtMs).toBeGreaterThan(rsm.mergedAtMs + 1_000);
  });
});

describe("live scale out (scaling.stateTransfer: live)", () => {
  const live = (scaleOuts: ScaleOutSpec[], over: Record<string, unknown> = {}) =>
    runWordCount({ scaling: { scaleOuts, stateTransfer: "live" }, pool: { prewarmed: 3 }, ...over });
  const base = runWordCount({}).summary;

  for (const [atMs, factor, index] of [
    [5_000, 2, 0],
    [14_321, 3, 1],
    [7_000, 1, 1],
  ]) {
    it(`${factor === 1 ? "moving" : `splitting in ${factor}`} count #${index} at ${atMs} ms: new instances take over, the old one retires, the output is the output without it`, () => {
      const { sim, summary } = live([{ operator: "count", index, atMs, factor }]);
      expect(summary.outputDigest).toBe(base.outputDigest);
      expect(summary.tuplesOut).toBe(base.tuplesOut);
      const [so] = summary.scaleOuts;
      expect(so.completedAtMs).not.toBeNull();
      expect(so.instances).toHaveLength(factor);
      const old = Number(so.instance.split("#")[1]);
      expect(sim.runtime.host(old)).toBeUndefined();
      for (const name of so.instances) {
        const id = Number(name.split("#")[1]);
        expect(id).not.toBe(old);
        const host = sim.runtime.host(id)!;
        expect(host.instance.emittedTuples, name).toBeGreaterThan(0);
      }
    });
  }

  it("hands over only once the new instances know the cut, however late it reaches them", () => {
    // On a real network the cut (catchUp with what the retired instance processed) and the
    // upstreams' resumed output travel different paths. Here the cut is held back 2.5 s, past
    // a window's slide: output the upstreams sent before it arrived would be taken for the
    // backlog and the windows it closes suppressed and lost; the upstreams must wait for the
    // new instances' takenOver.
    for (const factor of [1, 2]) {
      const e = parseExperiment(
        {
          name: "wc",
          seed: 7,
          workload: {
            name: "wordcount",
            params: {
              lines: 30_000,
              lineIntervalMs: 1,
              windowSizeMs: 4000,
              windowSlideMs: 2000,
              parallelism: 2,
            },
          },
          cluster: { vms: 4 },
          pool: { prewarmed: 3 },
          fidelity: { batchSize: 512, sourcePollMs: 100 },
          scaling: {
            scaleOuts: [{ operator: "count", index: 0, atMs: 7_000, factor }],
            stateTransfer: "live",
          },
        },
        "test",
      );
      const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed));
      const send = sim.runtime.sendControl.bind(sim.runtime);
      let held = 0;
      sim.runtime.sendControl = (to, message) => {
        if (message.type === "catchUp" && message.processed !== null) {
          held++;
          sim.env.schedule(2_500, () => send(to, message));
        } else send(to, message);
      };
      const summary = sim.run();
      expect(held, `factor ${factor}`).toBe(factor);
      expect(summary.scaleOuts[0].completedAtMs, `factor ${factor}`).not.toBeNull();
      expect(summary.outputDigest, `factor ${factor}`).toBe(base.outputDigest);
      expect(summary.tuplesOut, `factor ${factor}`).toBe(base.tuplesOut);
    }
  });

  // A count holding many keys: a vocabulary of 200k words, windows longer than the run.
  const big = {
    workload: {
      name: "wordcount",
      params: {
        lines: 30_000,
        lineIntervalMs: 1,
        windowSizeMs: 1_000_000,
        windowSlideMs: 1_000_000,
        vocabularySize: 200_000,
        zipfExponent: 0,
        parallelism: 2,
      },
    },
  };

  it("pauses the upstreams only for the hand-over: far shorter than stopping for the checkpoint", () => {
    const so = [{ operator: "count", index: 0, atMs: 20_000, factor: 2 }];
    const pauseOf = (s: {
      scaleOuts: readonly { pausedAtMs: number | null; completedAtMs: number | null }[];
    }) => s.scaleOuts[0].completedAtMs! - s.scaleOuts[0].pausedAtMs!;
    const stopped = runWordCount({ ...big, scaling: { scaleOuts: so } }).summary;
    const moved = live(so, big).summary;
    expect(moved.outputDigest).toBe(stopped.outputDigest);
    expect(pauseOf(moved)).toBeLessThan(pauseOf(stopped) / 5);
  });

  const lrbBase = runLinearRoad({}).summary;
  for (const operator of ["cars", "segments", "accounts"]) {
    it(`splitting Linear Road's ${operator} live gives exactly the answers without it`, () => {
      const s = runLinearRoad({
        scaling: { scaleOuts: [{ operator, atMs: 60_000 }], stateTransfer: "live" },
      }).summary;
      expect(s.scaleOuts[0].completedAtMs).not.toBeNull();
      expect(s.outputDigest).toBe(lrbBase.outputDigest);
      expect(s.tuplesOut).toBe(lrbBase.tuplesOut);
    });
  }

  it("under global-snapshot, pauses the whole plan only for the base at the hand-over: shorter than the stopping split's base", () => {
    // Here 12 ms against 47 ms; the stopping split's base grows with the state, the live
    // one's does not (the scale-out-pause benchmark, at a million keys).
    const so = [{ operator: "count", index: 0, atMs: 20_000, factor: 2 }];
    const gs = { ...big, faultTolerance: { strategy: "global-snapshot", checkpointIntervalMs: 5_000 } };
    const stopped = runWordCount({ ...gs, scaling: { scaleOuts: so } }).summary;
    const moved = live(so, gs).summary;
    expect(moved.outputDigest).toBe(stopped.outputDigest);
    expect(moved.scaleOuts[0].completedAtMs).not.toBeNull();
    const pauseOf = (s: typeof moved) => s.scaleOuts[0].completedAtMs! - s.scaleOuts[0].pausedAtMs!;
    expect(pauseOf(moved)).toBeLessThan(pauseOf(stopped) / 2);
  });
});
