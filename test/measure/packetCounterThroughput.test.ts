// The packet counter as the packet-counter benchmark runs it, on 2 local worker processes:
// batches of PACKET_BATCH tuples, frames large enough that the sending worker encodes them
// into reused buffers and the receiving one reads them in place. Its output is the
// simulator's, packet for packet. Nothing asserted depends on the machine's speed.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CloudRun } from "../../cloud/cloudRun.js";
import { LocalProcessPool } from "../../cloud/localProcessPool.js";
import { seepWorkerCommand } from "../../cloud/packageRoot.js";
import { packetCounterRun } from "../../measure/packetCounterThroughput.js";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";

const pools: LocalProcessPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.shutdown();
});

describe("packetCounterRun", () => {
  it("counts every packet on 2 workers, with the simulator's output digest", async () => {
    const packets = 300_000;
    const token = randomBytes(8).toString("hex");
    const pool = new LocalProcessPool({ command: seepWorkerCommand(), token });
    pools.push(pool);
    const options = packetCounterRun(packets, pool, token);
    const real = await new CloudRun(options).run();
    const e = parseExperiment(
      { workload: { name: "packets", params: options.params }, cluster: { vms: 2 } },
      "test",
    );
    const simulated = new Simulation(e, workloadPlan("packets", options.params, 1)).run();
    expect(real.failures).toEqual([]);
    expect(real.tuplesIn).toBe(packets);
    expect(real.tuplesOut).toBe(simulated.tuplesOut);
    expect(real.outputDigest).toBe(simulated.outputDigest);
  });
});
