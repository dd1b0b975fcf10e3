// The estimate of a run's work before it starts: close enough to what the simulator does
// to tell minutes from days (checked against small runs' real event counts), and the
// refusal of a long run unless --yes or the user's answer says to go on.

import { describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { validateExperiment } from "../../cli/experimentFile.js";
import {
  confirmRealRun,
  confirmSimulation,
  estimateSimulation,
  LONG_RUN_S,
  LONG_RUN_WORK,
  realRunSeconds,
  simulationWork,
} from "../../cli/runEstimate.js";
import { PRESETS, Simulation } from "../../sim/index.js";

/** The wordcount preset with `sets` applied, validated as the CLI does. */
async function wordcount(...sets: (readonly [string, unknown])[]) {
  const settings = sets.map(([key, value]) => ({ key, path: key.split("."), value }));
  return validateExperiment(structuredClone(PRESETS.wordcount), "preset wordcount", { settings });
}

describe("estimateSimulation", () => {
  for (const [what, sets] of [
    ["a few polls per line", [["fidelity.sourcePollMs", 0.5]]],
    ["many lines per poll", [["fidelity.sourcePollMs", 200]]],
    ["a batch per poll at most", [["fidelity.batchSize", 16]]],
  ] as const) {
    it(`counts the kernel's events within a factor of 3 (${what})`, async () => {
      const loaded = await wordcount(["workload.params.lines", 20_000], ...sets);
      const estimate = estimateSimulation(loaded.experiment, loaded.plan, loaded.size!);
      const { events } = new Simulation(loaded.experiment, loaded.plan).run();
      expect(estimate.events / events).toBeGreaterThan(1 / 3);
      expect(estimate.events / events).toBeLessThan(3);
    });
  }

  it("counts Linear Road's events within a factor of 3: its records come at whole seconds", async () => {
    const settings = [
      { key: "workload.params.durationS", path: ["workload", "params", "durationS"], value: 120 },
    ];
    const loaded = await validateExperiment(structuredClone(PRESETS.lrb), "preset lrb", { settings });
    const estimate = estimateSimulation(loaded.experiment, loaded.plan, loaded.size!);
    const { events } = new Simulation(loaded.experiment, loaded.plan).run();
    expect(estimate.events / events).toBeGreaterThan(1 / 3);
    expect(estimate.events / events).toBeLessThan(3);
  });

  it("follows untilS: a run cut short is estimated short", async () => {
    const whole = await wordcount();
    const cut = await wordcount(["untilS", 20]);
    const a = estimateSimulation(whole.experiment, whole.plan, whole.size!);
    const b = estimateSimulation(cut.experiment, cut.plan, cut.size!);
    expect(b.runMs).toBe(20_000);
    expect(simulationWork(b) / simulationWork(a)).toBeCloseTo(0.1, 1);
  });

  it("finds a huge stream and a tiny poll period long, and the preset short", async () => {
    const preset = await wordcount();
    const lines = await wordcount(["workload.params.lines", 1e9]);
    const polls = await wordcount(["workload.params.lines", 2e7], ["fidelity.sourcePollMs", 0.001]);
    expect(simulationWork(estimateSimulation(preset.experiment, preset.plan, preset.size!))).toBeLessThan(
      LONG_RUN_WORK / 10,
    );
    for (const long of [lines, polls])
      expect(simulationWork(estimateSimulation(long.experiment, long.plan, long.size!))).toBeGreaterThan(
        LONG_RUN_WORK,
      );
  });
});

const long = await wordcount(["workload.params.lines", 1e9]);

describe("confirmSimulation", () => {
  const estimate = estimateSimulation(long.experiment, long.plan, long.size!);

  it("refuses a long run in one line that gives the estimate and the way out", async () => {
    await expect(confirmSimulation("preset wordcount", estimate, { yes: false })).rejects.toThrow(UserError);
    await expect(confirmSimulation("preset wordcount", estimate, { yes: false })).rejects.toThrow(
      /^preset wordcount is long: about [\d.]+e\d+ simulated events and [\d.]+e\d+ tuple visits \([\d.]+ hours, at a million a second\); --yes runs it anyway/,
    );
  });

  it("goes on with --yes, or when the user answers yes, and asks nothing of a short run", async () => {
    await expect(confirmSimulation("w", estimate, { yes: true })).resolves.toBeUndefined();
    const asked: string[] = [];
    const answer = (yes: boolean) => async (q: string) => {
      asked.push(q);
      return yes;
    };
    await expect(
      confirmSimulation("w", estimate, { yes: false, ask: answer(true) }),
    ).resolves.toBeUndefined();
    await expect(confirmSimulation("w", estimate, { yes: false, ask: answer(false) })).rejects.toThrow(
      UserError,
    );
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatch(/^seep: w is long: .*; go on\? \[y\/N\] $/);
    const short = await wordcount();
    await confirmSimulation("w", estimateSimulation(short.experiment, short.plan, short.size!), {
      yes: false,
      ask: answer(false),
    });
    expect(asked).toHaveLength(2);
  });

  it("multiplies the work by the number of simulations (a chaos campaign)", async () => {
    const short = await wordcount();
    const e = estimateSimulation(short.experiment, short.plan, short.size!);
    const runs = Math.ceil(LONG_RUN_WORK / simulationWork(e)) + 1;
    await expect(confirmSimulation("campaign", e, { yes: false }, runs)).rejects.toThrow(
      new RegExp(`per simulation, ${runs} simulations`),
    );
  });
});

describe("realRunSeconds and confirmRealRun", () => {
  it("is the stream's event time over the replay speed, or untilS", async () => {
    const preset = await wordcount();
    expect(realRunSeconds(preset.experiment, preset.size!)).toBe(200);
    expect(realRunSeconds((await wordcount(["fidelity.replaySpeed", 4])).experiment, preset.size!)).toBe(50);
    expect(realRunSeconds((await wordcount(["untilS", 7])).experiment, preset.size!)).toBe(7);
    await expect(confirmRealRun("w", LONG_RUN_S + 1, { yes: false })).rejects.toThrow(
      /^w is long: about 60 min of wall-clock time; --yes runs it anyway/,
    );
    await expect(confirmRealRun("w", LONG_RUN_S, { yes: false })).resolves.toBeUndefined();
  });
});
