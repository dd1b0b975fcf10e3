// Control messages between workers: one its receiver refuses for its size (a backup or a
// restore whose checkpoint is past the run's message bound) is said at once, not lost
// without a word; one refused for another reason (nothing deployed there) is only counted.

import { afterEach, describe, expect, it, vi } from "vitest";
import { ControlForwarder } from "../../cloud/controlForwarder.js";
import { Worker } from "../../cloud/worker.js";
import { type ControlMessage, InProcessRuntime, JSON_STATE_CODEC, physicalPlan } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { keyedCountPlan, makeEvents, type SinkRecord } from "../engine/fixtures.js";

const TOKEN = "forwarder-token";
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A count instance's checkpoint after a few steps: some kilobytes on the wire. */
function countCheckpoint() {
  const out: SinkRecord[] = [];
  const plan = physicalPlan(keyedCountPlan(makeEvents(400, 30), out));
  const rt = new InProcessRuntime(plan, { batchSize: 20 });
  rt.start();
  for (let k = 0; k < 5; k++) rt.step();
  return rt.instance(1).checkpoint(4);
}

async function workerWithBound(messageBytesMax: number): Promise<string> {
  const worker = new Worker({
    listen: "127.0.0.1:0",
    token: TOKEN,
    messageBytesMax,
    resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    report: () => {},
  });
  closers.push(() => worker.stop());
  return `127.0.0.1:${await worker.start()}`;
}

describe("ControlForwarder", () => {
  it("says at once that a backup was refused for its size, naming the instance and the message", async () => {
    const address = await workerWithBound(1024);
    const refused: { instance: number; incarnation: number; type: string; error: string }[] = [];
    const forwarder = new ControlForwarder(
      TOKEN,
      undefined,
      () => JSON_STATE_CODEC,
      (instance, incarnation, m, e) =>
        refused.push({ instance, incarnation, type: m.type, error: e.message }),
    );
    closers.push(() => forwarder.close());
    const backup: ControlMessage = { type: "backup", checkpoint: countCheckpoint() };
    forwarder.send(address, 7, 2, backup);
    // Refused for another reason (nothing is deployed there): counted, not said.
    forwarder.send(address, 7, 2, { type: "start" });
    await vi.waitFor(() => expect(forwarder.failed).toBe(2), { timeout: 120_000 });
    expect(refused).toEqual([
      { instance: 7, incarnation: 2, type: "backup", error: expect.stringMatching(/larger than max/) },
    ]);
  });
});
