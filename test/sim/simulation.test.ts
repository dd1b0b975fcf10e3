import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { readTrace, TraceKind } from "../../sim/trace.js";
import { workloadPlan } from "../../workloads/index.js";

/** A small word count experiment, with overrides. */
function experiment(over: Record<string, unknown> = {}) {
  return parseExperiment(
    {
      name: "wc-test",
      workload: {
        name: "wordcount",
        params: { lines: 3000, lineIntervalMs: 5, windowSizeMs: 2000, parallelism: 2 },
      },
      cluster: { vms: 3 },
      fidelity: { batchSize: 256, sourcePollMs: 50 },
      ...over,
    },
    "test",
  );
}

function simulate(over: Record<string, unknown> = {}) {
  const e = experiment(over);
  const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed));
  const summary = sim.run();
  return { sim, summary };
}

describe("Simulation", () => {
  it("gives an identical summary and trace for the same experiment and seed, and another trace for another seed", () => {
    const a = simulate();
    const b = simulate();
    expect(b.summary).toEqual(a.summary);
    expect(Buffer.from(b.sim.trace.bytes()).equals(Buffer.from(a.sim.trace.bytes()))).toBe(true);
    const c = simulate({ seed: 2 });
    expect(c.summary.traceHash).not.toBe(a.summary.traceHash);
  });

  it("runs the stream to its end and every word reaches the sink exactly as in the in-process runtime", () => {
    const { summary } = simulate();
    expect(summary.tuplesIn).toBe(3000);
    expect(summary.simulatedSeconds).toBeGreaterThanOrEqual(15);
    expect(summary.latencyMs.p50).not.toBeNull();
    expect(summary.failures).toEqual([]);
    // Same seed and plan in the in-process runtime: the outputs carry the same digest.
    const e = experiment();
    const plain = simulate({ cluster: { vms: 1 }, fidelity: { batchSize: 4096, sourcePollMs: 1000 } });
    expect(plain.summary.outputDigest).toBe(summary.outputDigest);
    expect(e.seed).toBe(1);
  });

  it("never runs time backwards: trace records are in time order", () => {
    const { sim } = simulate({
      faults: [{ type: "straggler", vm: 1, atMs: 2000, untilMs: 6000, speedFactor: 0.2 }],
    });
    const records = readTrace(sim.trace.bytes());
    for (let i = 1; i < records.length; i++)
      expect(records[i].timeMs).toBeGreaterThanOrEqual(records[i - 1].timeMs);
  });

  it("stops a crashed VM's instances at the crash time: nothing they would emit afterwards appears", () => {
    const crashAtMs = 7000;
    const { sim, summary } = simulate({ faults: [{ type: "crash", vm: 1, atMs: crashAtMs }] });
    expect(summary.failures).toHaveLength(1);
    const lost = new Set(summary.failures[0].instances.map((i) => i.id));
    expect(lost.size).toBeGreaterThan(0);
    const records = readTrace(sim.trace.bytes());
    const maxLinkMs = 5;
    for (const r of records) {
      if (r.kind === TraceKind.Task && lost.has(r.a)) expect(r.timeMs).toBeLessThanOrEqual(crashAtMs);
      if (r.kind === TraceKind.Deliver && lost.has(r.a))
        expect(r.timeMs).toBeLessThanOrEqual(crashAtMs + maxLinkMs);
    }
    // The lost instances did work before the crash, and the run still ended (stalled).
    expect(records.some((r) => r.kind === TraceKind.Task && lost.has(r.a))).toBe(true);
    expect(summary.tuplesOut).toBeLessThan(simulate().summary.tuplesOut);
  });

  it("stops a runaway run at its bound on steps, and its summary says it stalled there", () => {
    const { sim, summary } = simulate({ maxSteps: 500 });
    expect(summary.events).toBe(500);
    expect(sim.completed).toBe(false);
    expect(summary).toMatchObject({
      stalled: true,
      stalledAtS: summary.simulatedSeconds,
      stalledBy: "it reached maxSteps = 500",
      stoppedAtUntil: false,
      sinksNotEnded: ["sink#5"],
    });
  });

  it("stops at untilS even when the stream goes on", () => {
    const { summary } = simulate({ untilS: 3 });
    expect(summary.simulatedSeconds).toBeLessThanOrEqual(3);
    expect(summary.tuplesIn).toBeLessThan(3000);
  });
});

describe("how a run ended, in its summary", () => {
  // On 3 VMs, round robin: source#0 on VM 0, split#1 and count#4 on VM 1, split#2 and sink#5 on VM 2.
  it("a run that finishes by itself neither stalled nor stopped at untilS, and lost no sink", () => {
    const { sim, summary } = simulate();
    expect(sim.completed).toBe(true);
    expect(summary).toMatchObject({
      stalled: false,
      stalledAtS: null,
      stalledBy: null,
      stoppedAtUntil: false,
      sinksNotEnded: [],
      sinksLost: [],
    });
  });

  it("under none, a crash upstream of the sink stalls the run where nothing is left to happen", () => {
    const { sim, summary } = simulate({ faults: [{ type: "crash", vm: 1, atMs: 7000 }] });
    expect(sim.completed).toBe(false);
    expect(summary.stalled).toBe(true);
    expect(summary.stalledAtS).toBe(summary.simulatedSeconds);
    expect(summary.stalledAtS).toBeGreaterThan(7);
    expect(summary.stalledBy).toBe("nothing left could happen");
    expect(summary.sinksNotEnded).toEqual(["sink#5"]);
    expect(summary.sinksLost).toEqual([]);
    expect(summary.stoppedAtUntil).toBe(false);
  });

  it("under none, a crash of the sink's VM finishes the run with that sink lost, not stalled", () => {
    const { sim, summary } = simulate({ faults: [{ type: "crash", vm: 2, atMs: 7000 }] });
    expect(sim.completed).toBe(true);
    expect(summary).toMatchObject({ stalled: false, stalledAtS: null, stoppedAtUntil: false });
    expect(summary.sinksLost).toEqual(["sink#5"]);
    expect(summary.sinksNotEnded).toEqual([]);
  });

  it("a run stopped at untilS is not stalled: it says so, and which sinks had not ended", () => {
    const { sim, summary } = simulate({ untilS: 3 });
    expect(sim.completed).toBe(false);
    expect(summary).toMatchObject({
      stalled: false,
      stalledAtS: null,
      stoppedAtUntil: true,
      sinksNotEnded: ["sink#5"],
      sinksLost: [],
    });
  });

  it("a stall beats untilS: a run that cannot go on before its untilS stalled", () => {
    const { summary } = simulate({ untilS: 600, faults: [{ type: "crash", vm: 1, atMs: 7000 }] });
    expect(summary.stalled).toBe(true);
    expect(summary.stoppedAtUntil).toBe(false);
    expect(summary.simulatedSeconds).toBeLessThan(600);
  });
});

describe("fidelity", () => {
  it("a sampled run keeps 1 source key in n and weighs each tuple n: its load is near a full run's", () => {
    const over = {
      workload: {
        name: "wordcount",
        params: { lines: 20_000, lineIntervalMs: 1, windowSizeMs: 2000, parallelism: 2 },
      },
    };
    const full = simulate(over);
    const sampled = simulate({ ...over, fidelity: { batchSize: 256, sourcePollMs: 50, sampleOneIn: 10 } });
    expect(sampled.summary.tuplesIn).toBe(full.summary.tuplesIn);
    // Words per window are counted on 1 line in 10; window results are per word, so the
    // sink sees about as many results, each weighing 10.
    const cpu = (s: typeof full) =>
      s.sim.metrics.rows().reduce((a, r) => a + (Number.isNaN(r.cpuMean) ? 0 : r.cpuMean), 0);
    expect(cpu(sampled) / cpu(full)).toBeGreaterThan(0.7);
    expect(cpu(sampled) / cpu(full)).toBeLessThan(1.3);
    expect(sampled.summary.networkBytes / full.summary.networkBytes).toBeGreaterThan(0.7);
    expect(sampled.summary.networkBytes / full.summary.networkBytes).toBeLessThan(1.3);
    expect(sampled.summary.outputDigest).not.toBe(full.summary.outputDigest);
  });
});

describe("source poll phase", () => {
  // Windows end on multiples of 500 ms and sources poll every 20 ms: aligned, a window's
  // end is a poll instant; from a seeded random phase (one per source), it waits for its
  // poll, as on real workers. The output is the same either way, and each phase is reproducible (seed 7).
  const run = (sourcePollPhase: string) => {
    const e = parseExperiment(
      {
        seed: 7,
        workload: {
          name: "wordcount",
          params: { lines: 5000, lineIntervalMs: 1, windowSizeMs: 1000, windowSlideMs: 500, parallelism: 2 },
        },
        cluster: { vms: 4 },
        fidelity: { batchSize: 256, sourcePollMs: 20, sourcePollPhase },
      },
      "test",
    );
    return new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed)).run();
  };

  it("random: the same output, later by the phase (under a period), and the same trace again for the seed", () => {
    const aligned = run("aligned");
    const random = run("random");
    expect(random.outputDigest).toBe(aligned.outputDigest);
    expect(random.latencyMs.p50!).toBeGreaterThan(aligned.latencyMs.p50!);
    expect(random.latencyMs.p50!).toBeLessThan(aligned.latencyMs.p50! + 20);
    expect(run("random").traceHash).toBe(random.traceHash);
  });
});

describe("VMs sharing one machine's cores (cluster.hostCores)", () => {
  const run = (hostCores?: number) => {
    const e = parseExperiment(
      {
        name: "host",
        seed: 1,
        workload: {
          name: "wordcount",
          params: {
            lines: 8_000,
            lineIntervalMs: 0.25,
            windowSizeMs: 1000,
            windowSlideMs: 500,
            parallelism: 2,
          },
        },
        cluster: { vms: 4, speed: 0.2, ...(hostCores === undefined ? {} : { hostCores }) },
      },
      "test",
    );
    return new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed)).run();
  };

  it("as many shared cores as cores changes nothing; fewer delay the output, which stays the same", () => {
    const own = run();
    expect(run(4).traceHash).toBe(own.traceHash);
    const one = run(1);
    expect(one.outputDigest).toBe(own.outputDigest);
    expect(one.latencyMs.p50!).toBeGreaterThan(own.latencyMs.p50! * 1.1);
    expect(run(1).traceHash).toBe(one.traceHash);
  });
});
