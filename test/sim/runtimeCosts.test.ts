// The simulator's parameters for what a real runtime spends beside CPU (sim-vs-real sets
// them from measurements on local workers): control messages' and replies' one-way
// latency, opening a connection on a link's first message, deploy calls. Their defaults
// leave every run as it was; each costs the time it says where it says: a scale out's
// pause grows by its deploy calls and round trips, a recovery by its deploy calls, and
// the outputs of a run are the same whatever they are.

import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { Environment } from "../../sim/kernel.js";
import { DEFAULT_NETWORK, Network } from "../../sim/network.js";
import { runWordCount } from "./fixtures.js";

const split = { scaling: { scaleOuts: [{ operator: "count", index: 0, atMs: 10_000, factor: 2 }] } };
const crash = {
  faultTolerance: { strategy: "rsm", checkpointIntervalMs: 2000, detectionMs: 100 },
  pool: { handoutMs: 0 },
  faults: [{ type: "crash", vm: 3, atMs: 10_000 }],
};

/** The pause of the word count's scale out, with `over` merged in. */
function pauseMs(over: Record<string, unknown> = {}) {
  const so = runWordCount({ ...split, ...over }).summary.scaleOuts[0];
  return (so.completedAtMs ?? Number.NaN) - (so.pausedAtMs ?? Number.NaN);
}

describe("runtime costs beside CPU in the simulator", () => {
  it("defaults: 0.5 ms control messages, replies at once, open connections, no deploy time", () => {
    expect(DEFAULT_NETWORK).toMatchObject({ controlLatencyMs: 0.5, replyLatencyMs: 0, connectMs: 0 });
    const e = parseExperiment({ workload: { name: "wordcount" } }, "test");
    expect(e.network).toEqual({});
    expect(e.pool.deployMs).toBeUndefined();
  });

  it("the defaults written out leave a run exactly as it was (same trace)", () => {
    const explicit = {
      network: { controlLatencyMs: 0.5, replyLatencyMs: 0, connectMs: 0 },
      pool: { handoutMs: 0, deployMs: 0 },
    };
    for (const over of [split, crash]) {
      const base = runWordCount({ ...over, pool: { handoutMs: 0 } }).summary;
      const same = runWordCount({ ...over, ...explicit }).summary;
      expect(same.traceHash).toBe(base.traceHash);
    }
  });

  it("a link's first message takes connectMs more; later ones do not", () => {
    const env = new Environment(1000);
    const net = new Network(env, { ...DEFAULT_NETWORK, latencyMs: 1, bandwidthMbps: 1e6, connectMs: 5 });
    const arrivals: number[] = [];
    net.send(0, 1, 10, () => arrivals.push(env.nowMs()));
    env.schedule(20, () => net.send(0, 1, 10, () => arrivals.push(env.nowMs())));
    env.schedule(20, () => net.send(1, 0, 10, () => arrivals.push(env.nowMs())));
    while (env.pending > 0) env.step();
    expect(arrivals[0]).toBeCloseTo(6, 3);
    expect(arrivals[1]).toBeCloseTo(21, 3);
    // The other direction is a connection of its own.
    expect(arrivals[2]).toBeCloseTo(26, 3);
  });

  it("a scale out's pause grows by its four deploy calls (two redeploys of two calls each)", () => {
    const base = pauseMs();
    expect(pauseMs({ pool: { deployMs: 10 } }) - base).toBeGreaterThanOrEqual(40 - 1);
    expect(pauseMs({ pool: { deployMs: 10 } }) - base).toBeLessThan(40 + 5);
  });

  it("a scale out's pause grows with control and reply latency (its round trips)", () => {
    const base = pauseMs();
    const slower = pauseMs({ network: { controlLatencyMs: 5, replyLatencyMs: 5 } });
    // pause, checkpoint, restore and addSender: four round trips at least, each 9.5 ms longer.
    expect(slower - base).toBeGreaterThan(4 * 9.5 - 1);
  });

  it("a recovery takes detection and its deploy calls; its output stays the failure-free one", () => {
    const base = runWordCount({ ...crash }).summary;
    const slow = runWordCount({
      ...crash,
      pool: { handoutMs: 0, deployMs: 10 },
      network: { controlLatencyMs: 3, replyLatencyMs: 3, connectMs: 2 },
    }).summary;
    const [r0] = base.recoveries;
    const [r1] = slow.recoveries;
    expect(r0.detectedAtMs - r0.failedAtMs).toBe(100);
    expect(r1.detectedAtMs - r1.failedAtMs).toBe(100);
    // Two deploy calls, then restoreBackup, restore and the reply: 20 ms of calls and more.
    expect(r1.restoredAtMs! - r1.detectedAtMs).toBeGreaterThan(r0.restoredAtMs! - r0.detectedAtMs + 20 + 3);
    expect(slow.outputDigest).toBe(base.outputDigest);
    expect(slow.tuplesOut).toBe(base.tuplesOut);
  });
});
