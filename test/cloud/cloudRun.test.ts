// Real runs on local worker processes: the same results as the in-process runtime and
// the simulator, a dead worker noticed by its broken stream, and a checkpoint asked of a
// remote instance once it has provably processed input. Nothing asserted depends on the
// machine's speed. Workers bind 127.0.0.1; every process started here is killed when its
// test ends.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CloudRun } from "../../cloud/cloudRun.js";
import { LocalProcessPool } from "../../cloud/localProcessPool.js";
import { seepWorkerCommand } from "../../cloud/packageRoot.js";
import {
  type Checkpoint,
  InProcessRuntime,
  keyGroupOf,
  type LogicalPlan,
  OutputDigest,
  physicalPlan,
} from "../../engine/index.js";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";

const pools: LocalProcessPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown();
});

function localPool(token: string): LocalProcessPool {
  const pool = new LocalProcessPool({ command: seepWorkerCommand(), token });
  pools.push(pool);
  return pool;
}

/** The digest of what the sinks of `plan` receive in the in-process runtime. */
function inProcessDigest(plan: LogicalPlan): string {
  const rt = new InProcessRuntime(physicalPlan(plan));
  const digest = new OutputDigest();
  const sinkName = new Map(
    rt.plan.instances
      .map((i) => [i.id, plan.operators[i.operator]] as const)
      .filter(([, op]) => op.kind === "sink")
      .map(([id, op]) => [id, op.name]),
  );
  const send = rt.sendBatch.bind(rt);
  rt.sendBatch = (sender, receiver, edge, batch) => {
    const sink = sinkName.get(receiver);
    if (sink !== undefined) {
      for (let i = 0; i < batch.length; i++)
        digest.add(sink, batch.keys[i], batch.eventTimesMs[i], batch.values?.[i]);
    }
    send(sender, receiver, edge, batch);
  };
  rt.start();
  rt.run();
  return digest.digest();
}

const params = { lines: 1500, lineIntervalMs: 1, windowSizeMs: 500, windowSlideMs: 250, parallelism: 2 };

describe("a real run on local worker processes", () => {
  it("gives a windowed word count the same output digest as the in-process runtime and the simulator", async () => {
    const plan = workloadPlan("wordcount", params, 1);
    const token = randomBytes(8).toString("hex");
    const run = new CloudRun({
      name: "wc-real-test",
      pool: localPool(token),
      poolKind: "local",
      workers: 3,
      token,
      workload: "wordcount",
      params,
      plan,
      seed: 1,
      batchSize: 256,
      sourcePollMs: 20,
      // The stream twice as fast as real time: half the wall time; nothing asserted depends on it.
      replaySpeed: 2,
    });
    const real = await run.run();
    const e = parseExperiment({ workload: { name: "wordcount", params }, cluster: { vms: 3 } }, "test");
    const simulated = new Simulation(e, workloadPlan("wordcount", params, 1)).run();
    expect(real.failures).toEqual([]);
    expect(real.tuplesIn).toBe(1500);
    expect(real.tuplesOut).toBe(simulated.tuplesOut);
    expect(real.outputDigest).toBe(simulated.outputDigest);
    expect(real.outputDigest).toBe(inProcessDigest(plan));
  });

  it("notices a worker killed with SIGKILL by its broken watch stream, not by missed heartbeats", async () => {
    const long = { ...params, lines: 60_000 };
    const token = randomBytes(8).toString("hex");
    const pool = localPool(token);
    let killedAt = 0;
    let detectedAt = 0;
    const run = new CloudRun({
      name: "kill-test",
      pool,
      poolKind: "local",
      workers: 3,
      token,
      workload: "wordcount",
      params: long,
      plan: workloadPlan("wordcount", long, 1),
      seed: 1,
      batchSize: 256,
      sourcePollMs: 20,
      replaySpeed: 2,
      untilMs: 3_000,
      onFailure: () => {
        detectedAt = Date.now();
      },
      onProgress: (ms) => {
        if (ms > 1000 && killedAt === 0) {
          killedAt = Date.now();
          pool.processOf(run.vms[1])?.kill("SIGKILL");
        }
      },
    });
    const summary = await run.run();
    expect(killedAt).toBeGreaterThan(0);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0].vm).toBe(1);
    // Heartbeats would take SEEP_HEARTBEAT_TIMEOUT_MS (30 s); the stream breaks at the kill.
    expect(summary.failures[0].detectedVia).toBe("stream");
    expect(detectedAt).toBeGreaterThanOrEqual(killedAt);
  });
});

describe("the control plane of a real run", () => {
  it("takes a checkpoint of a remote instance and brings it back to the coordinator, state and positions", async () => {
    // 5 s of stream, run to its end. The checkpoint is asked of count#3 on the first output
    // of a word count#3 holds: count#3 has then processed input, however slow the machine.
    const long = { ...params, lines: 5_000 };
    const token = randomBytes(8).toString("hex");
    const plan = workloadPlan("wordcount", long, 1);
    const count3 = physicalPlan(plan, { vms: 2 }).instances.find((i) => i.id === 3)!;
    const groups = plan.operators[count3.operator].maxKeyGroups;
    expect(plan.operators[count3.operator].name).toBe("count");
    const checkpoints: Checkpoint[] = [];
    let asked = false;
    const run: CloudRun = new CloudRun({
      name: "checkpoint-test",
      pool: localPool(token),
      poolKind: "local",
      workers: 2,
      token,
      workload: "wordcount",
      params: long,
      plan,
      seed: 1,
      batchSize: 256,
      sourcePollMs: 20,
      replaySpeed: 2,
      onReply: (r) => {
        if (r.type === "checkpointed") checkpoints.push(r.checkpoint);
      },
      onOutput: (o) => {
        if (!asked && count3.range.contains(keyGroupOf(o.key, groups))) {
          asked = true;
          run.sendControl(3, { type: "checkpoint", checkpointId: 42 });
        }
      },
    });
    await run.run();
    expect(asked).toBe(true);
    expect(checkpoints).toHaveLength(1);
    const cp = checkpoints[0];
    expect(cp.id).toBe(42);
    expect(cp.instance).toBe(3);
    expect(cp.processing.size).toBeGreaterThan(0);
    expect(cp.inputs.some((p) => p.seq > 0)).toBe(true);
  });
});
