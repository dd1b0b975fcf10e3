// Linear Road end to end: a 10-minute L=1 run, generated from a seed, answered by the
// engine in the simulator and on local worker processes, each validated by the independent
// validator against the same input written to a file: in the simulator every answer is
// right and within the deadline (virtual time); on workers every answer is right, while
// how late they come depends on how busy the machine is, so it is not asserted.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CloudRun } from "../../../cloud/cloudRun.js";
import { LocalProcessPool } from "../../../cloud/localProcessPool.js";
import { seepWorkerCommand } from "../../../cloud/packageRoot.js";
import { parseExperiment } from "../../../sim/experiment.js";
import { Simulation } from "../../../sim/simulation.js";
import { workloadPlan } from "../../../workloads/index.js";
import {
  formatAnswer,
  formatRecordCsv,
  historicalTolls,
  type LrAnswer,
  LrGenerator,
} from "../../../workloads/linearRoad/index.js";
import { expectedAnswers, formatReport, validate } from "../../../workloads/linearRoad/validator/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lrb-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SEED = 3;
const DURATION_S = 600;
const params = {
  xways: 1,
  durationS: DURATION_S,
  carsParallelism: 2,
  segmentsParallelism: 2,
  accountsParallelism: 2,
};

/** The input and tolls files of the run the workload generates on the fly. */
function writeInput(): { input: string; tolls: string } {
  const input = join(scratch, "input.csv");
  const tolls = join(scratch, "input.csv.tolls");
  const g = new LrGenerator({ seed: SEED, xways: 1, durationS: DURATION_S });
  const row = new Float64Array(15);
  const lines: string[] = [];
  while (g.next(row)) lines.push(formatRecordCsv(row));
  writeFileSync(input, `${lines.join("\n")}\n`);
  const rows: string[] = [];
  for (const [vid, day, xway, toll] of historicalTolls(SEED, g.maxVid, 1))
    rows.push(`${vid},${day},${xway},${toll}`);
  writeFileSync(tolls, `${rows.join("\n")}\n`);
  return { input, tolls };
}

const answerLine = (timeMs: number, value: unknown) =>
  formatAnswer({ ...(value as LrAnswer), emit: Math.ceil(timeMs / 1000) } as LrAnswer);

describe("Linear Road end to end", () => {
  const files = writeInput();
  let simDigest = "";
  const expected = expectedAnswers(files.input, files.tolls);

  it("a 10-minute L=1 run in the simulator validates clean", () => {
    const e = parseExperiment({ seed: SEED, workload: { name: "lrb", params }, cluster: { vms: 3 } }, "test");
    const lines: string[] = [];
    simDigest = new Simulation(e, workloadPlan("lrb", params, SEED), (r) =>
      lines.push(answerLine(r.timeMs, r.value)),
    ).run().outputDigest;
    const out = join(scratch, "sim-answers.csv");
    writeFileSync(out, `${lines.join("\n")}\n`);
    const report = validate(expected, out);
    expect(report.ok, formatReport(report)).toBe(true);
    expect(lines.length).toBeGreaterThan(1000);
  });

  it("the same run on 3 local workers, replayed 60 times faster than real time, gives every answer right once", async () => {
    const token = randomBytes(8).toString("hex");
    const pool = new LocalProcessPool({ command: seepWorkerCommand(), token });
    const lines: string[] = [];
    let digest = "";
    try {
      const summary = await new CloudRun({
        name: "lrb-test",
        pool,
        poolKind: "local",
        workers: 3,
        token,
        workload: "lrb",
        params,
        plan: workloadPlan("lrb", params, SEED),
        seed: SEED,
        batchSize: 1024,
        sourcePollMs: 100,
        replaySpeed: 60,
        onOutput: (o) => lines.push(answerLine(o.timeMs, o.value)),
      }).run();
      digest = summary.outputDigest;
    } finally {
      await pool.shutdown();
    }
    const out = join(scratch, "real-answers.csv");
    writeFileSync(out, `${lines.join("\n")}\n`);
    const report = validate(expected, out);
    // Emit is real time here: a loaded machine makes answers late, not wrong. The deadline is the simulator's to check.
    const { late: _, ...wrong } = report.mismatches;
    for (const [kind, m] of Object.entries(wrong))
      expect(m.count, `${kind}\n${formatReport(report)}`).toBe(0);
    // The answers sink merges its three inputs in canonical order, so each car's answers
    // come in the same order as in the simulator: the same digest.
    expect(digest).toBe(simDigest);
  });
});
