// The validation layer against hostile input: random experiment documents (random JSON,
// and the presets with huge, tiny, negative, NaN, infinite, string, list or object values
// put at random paths) through the experiment's validation, the plan, the checks between
// them, the simulation's setup and the run's estimate; and random argument lists through the `seep` program
// itself, built to validate only (cli/validateOnly.ts), so that every command parses,
// loads and checks as it would, then stops before any work. Nothing may escape but a
// one-line user error (or commander's help and version). fast-check prints the seed and
// the shrunk counterexample of a failure; rerun with it to reproduce.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { reportError, UserError } from "../../cli/errors.js";
import { validateExperiment } from "../../cli/experimentFile.js";
import { buildProgram } from "../../cli/program.js";
import { estimateSimulation, realRunSeconds, simulationWork } from "../../cli/runEstimate.js";
import { ValidationStopped } from "../../cli/validateOnly.js";
import { UnsupportedScenario } from "../../engine/index.js";
import { ExperimentError, PRESETS, Simulation, StepLimitError } from "../../sim/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-validate-only-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Generated cases per property: at least 10,000 of each, as issue 15 asks. */
const RUNS = 10_000;

/** Values that have broken validation before, or could: huge, tiny, negative, not numbers. */
const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  1,
  2,
  0.5,
  1e-300,
  1e-9,
  1e3,
  1e6,
  1e9,
  1e12,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  1e300,
  Number.MAX_VALUE,
  -1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** Any value a YAML or JSON file (or a --set) can give, weighted towards the nasty ones. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", "x", "1e3", "NaN", "none", "rsm", "crash", "/proc/x", ".", "..", "a/b"),
  },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [1, 2], { type: "crash" }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Every path of objects and lists in `value`, as lists of keys. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

/** Keys the experiment schema knows, to make new paths that reach deeper than a typo. */
const KNOWN_KEYS = [
  "vms",
  "cores",
  "speed",
  "edge",
  "hostCores",
  "maxVms",
  "prewarmed",
  "sourcePollMs",
  "batchSize",
  "sampleOneIn",
  "lines",
  "parallelism",
  "xways",
  "durationS",
  "input",
  "tolls",
  "packets",
  "packetsPerMs",
  "windowSizeMs",
  "windowSlideMs",
  "untilS",
  "maxSteps",
  "metricsIntervalMs",
  "faults",
  "scaleOuts",
  "rules",
  "strategy",
  "checkpointIntervalMs",
  "eventTimeOffsetMs",
  "replaySpeed",
  "name",
  "seed",
];

/** Set `value` at `path` in `doc`, creating objects on the way; a path through a non-object is left alone. */
function setAt(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  if (doc === null || typeof doc !== "object") return doc;
  const [head, ...rest] = path;
  const container = doc as Record<string | number, unknown>;
  container[head] = setAt(container[head] ?? {}, rest, value);
  return doc;
}

/** A mutation of a preset: one to four nasty values at existing or new paths. */
const mutatedPreset: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...Object.keys(PRESETS)),
    fc.array(fc.tuple(fc.nat(), fc.option(fc.constantFrom(...KNOWN_KEYS), { nil: undefined }), nastyValue), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([name, mutations]) => {
    let doc: unknown = structuredClone(PRESETS[name]);
    for (const [pick, extraKey, value] of mutations) {
      const paths = pathsOf(doc);
      const path = paths[pick % paths.length];
      // A copy: fast-check hands out the same object for a constant ({}, [1, 2]) every time,
      // and a later mutation writing through it would change (and could make a cycle of) it.
      doc = setAt(doc, extraKey === undefined ? path : [...path, extraKey], structuredClone(value));
    }
    return doc;
  });

/** A random experiment document: mostly mutated presets, some entirely random JSON. */
const experimentDocument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: mutatedPreset },
  { weight: 1, arbitrary: fc.jsonValue() },
  {
    weight: 1,
    arbitrary: fc.record({ workload: fc.record({ name: fc.constantFrom("wordcount", "lrb", "packets") }) }),
  },
);

/** Whether `err` is an outcome the CLI reports in one line (or a finished help or version). */
function isOneLine(err: unknown): boolean {
  if (err instanceof UserError || err instanceof ValidationStopped) return true;
  if (err instanceof CommanderError) {
    let printed = "";
    return (
      reportError(err, (t) => {
        printed += t;
      }) === 0 && printed === ""
    );
  }
  return false;
}

describe("random experiment documents", () => {
  it(`${RUNS} documents: validated, planned and estimated, or refused in one line`, async () => {
    await fc.assert(
      fc.asyncProperty(experimentDocument, async (doc) => {
        let loaded: Awaited<ReturnType<typeof validateExperiment>>;
        try {
          loaded = await validateExperiment(doc, "fuzz.yaml", { settings: [] });
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          expect(err.message).toMatch(/^fuzz\.yaml: /);
          expect(err.message).not.toMatch(/\n/);
          return;
        }
        // The simulation's setup (VM pool, network, runtime, faults) takes the values as they are.
        new Simulation(loaded.experiment, loaded.plan);
        const estimate = estimateSimulation(loaded.experiment, loaded.plan, loaded.size!);
        for (const n of [
          estimate.events,
          estimate.tupleVisits,
          realRunSeconds(loaded.experiment, loaded.size!),
        ])
          expect(n >= 0, JSON.stringify(estimate)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("random experiment documents that validate, run shortened", () => {
  // Validation must also cover what only the simulation's start meets (placing the
  // cluster, scheduling faults and scalings): documents that pass are run for 2 s of
  // their stream and a bounded number of steps, and may only end or stop in one line.
  it("300 documents run to their end, or stop with a one-line error", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedPreset, async (doc) => {
        let loaded: Awaited<ReturnType<typeof validateExperiment>>;
        try {
          loaded = await validateExperiment(doc, "fuzz.yaml", { settings: [] });
        } catch (err) {
          if (err instanceof UserError) return;
          throw err;
        }
        const e = loaded.experiment;
        const short = { ...e, untilS: Math.min(e.untilS ?? 2, 2), maxSteps: Math.min(e.maxSteps, 100_000) };
        // Only what the estimate calls short: the point is the start, not the load.
        if (simulationWork(estimateSimulation(short, loaded.plan, loaded.size!)) > 1e6) return;
        try {
          new Simulation(short, loaded.plan).run();
        } catch (err) {
          if (
            err instanceof StepLimitError ||
            err instanceof ExperimentError ||
            err instanceof UnsupportedScenario
          )
            return;
          throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("random argument lists through the program, built to validate only", () => {
  const existingFile = join(scratch, "exists.csv");
  writeFileSync(existingFile, "x\n");
  const existingDir = join(scratch, "a-dir");
  mkdirSync(existingDir);
  const finishedRun = join(scratch, "finished");
  mkdirSync(finishedRun);
  writeFileSync(join(finishedRun, "summary.json"), "{}\n");
  const experimentFile = join(scratch, "e.yaml");
  writeFileSync(
    experimentFile,
    "workload: { name: wordcount, params: { lines: 100 } }\ncluster: { vms: 2 }\n",
  );
  const badYaml = join(scratch, "bad.yaml");
  writeFileSync(badYaml, "workload: [\n");
  const hugeJson = join(scratch, "huge.json");
  writeFileSync(hugeJson, JSON.stringify({ workload: { name: "wordcount", params: { lines: 1e9 } } }));
  // Where a validating command might write, were it to: kept empty by the test.
  const fresh = join(scratch, "fresh", "place");

  const word = fc.oneof(
    fc.constantFrom(...NASTY_NUMBERS.map(String)),
    fc.constantFrom(
      "wordcount",
      "lrb",
      "lrb-scaleout",
      "packets",
      "nope",
      experimentFile,
      badYaml,
      hugeJson,
      existingFile,
      existingDir,
      finishedRun,
      fresh,
      "/proc/x",
      "",
      "-",
      "--",
      "x=1",
      "worker=1@5s",
      "count@1500",
      "rsm",
      "local",
      "ec2",
      "127.0.0.1:0",
      "999999:1",
    ),
    fc.string({ maxLength: 12 }),
  );
  /** Paths of the experiment a --set may reach: real ones, and a few wrong ones. */
  const SET_KEYS = [
    ...["vms", "cores", "speed", "memoryMb", "hostCores", "edge", "edge.cores"].map((k) => `cluster.${k}`),
    ...["prewarmed", "minimum", "maxVms", "coldStartMs", "deployMs"].map((k) => `pool.${k}`),
    ...["batchSize", "sourcePollMs", "sampleOneIn", "replaySpeed", "eventTimeOffsetMs"].map(
      (k) => `fidelity.${k}`,
    ),
    ...["lines", "lineIntervalMs", "parallelism", "windowSizeMs", "windowSlideMs", "wordsPerLineMax"].map(
      (k) => `workload.params.${k}`,
    ),
    ...["xways", "durationS", "input", "tolls", "packets", "packetsPerMs", "flows"].map(
      (k) => `workload.params.${k}`,
    ),
    "workload.name",
    "faultTolerance.strategy",
    "faultTolerance.checkpointIntervalMs",
    "scaling.policy",
    "scaling.reportIntervalMs",
    "scaling.scaleOuts",
    "scaling.scaleOuts.0.operator",
    "faults",
    "faults.0.atMs",
    "untilS",
    "maxSteps",
    "metricsIntervalMs",
    "seed",
    "name",
    "x.y",
    "__proto__.x",
  ];
  const setting = fc
    .tuple(fc.constantFrom(...SET_KEYS), nastyValue)
    .map(([key, value]) => `${key}=${JSON.stringify(value) ?? "undefined"}`);
  const program = buildProgram();
  const commandPaths = [
    [],
    ...program.commands.flatMap((c) => [[c.name()], ...c.commands.map((s) => [c.name(), s.name()])]),
  ];
  const optionsOf = (path: readonly string[]) => {
    let c = program;
    for (const w of path) c = c.commands.find((s) => s.name() === w) ?? c;
    const names = c.options.map((o) => ({
      name: o.long ?? o.short ?? o.flags,
      takesValue: o.required || o.optional,
    }));
    return names.length === 0 ? [{ name: "--nope", takesValue: false }] : names;
  };
  /** One option of a command: a flag, and a value fit for it (or any word). */
  const optionOf = (names: readonly { name: string; takesValue: boolean }[]) =>
    fc.tuple(fc.nat(), setting, word, fc.nat(9)).map(([pick, set, value, odd]) => {
      // Now and then an option the command does not have, or a value where none is taken.
      if (odd === 0) return [["--help", "--nope", "-o"][pick % 3]];
      const { name, takesValue } = names[pick % names.length];
      if (name === "--set") return [name, set];
      return takesValue !== (odd === 1) ? [name, value] : [name];
    });
  /** A command with an experiment (sim, run, chaos): mostly valid words, with nasty settings and places. */
  const experimentCommand = fc
    .tuple(
      fc.constantFrom("sim", "run", "chaos"),
      fc.constantFrom(
        "wordcount",
        "lrb",
        "lrb-scaleout",
        "packets",
        experimentFile,
        hugeJson,
        badYaml,
        "nope",
      ),
      fc.array(
        fc.oneof(
          { weight: 3, arbitrary: setting.map((s) => ["--set", s]) },
          { weight: 2, arbitrary: word.map((w) => ["--out", w]) },
          { weight: 1, arbitrary: fc.constantFrom(["--force"], ["--yes"], ["--quiet"]) },
        ),
        { maxLength: 5 },
      ),
      fc.array(optionOf(optionsOf(["sim"])), { maxLength: 2 }),
    )
    .map(([command, source, changes, more]) => [command, source, ...changes.flat(), ...more.flat()]);
  /** Any command, with options drawn from its own and values from anywhere. */
  const anyCommand = fc.tuple(fc.constantFrom(...commandPaths), fc.nat()).chain(([path, firstPick]) =>
    fc.array(optionOf(optionsOf(path)), { maxLength: 6 }).map((options) => {
      const args: string[] = [...path];
      // Most commands take an experiment or a name first.
      if (firstPick % 3 !== 0)
        args.push(["wordcount", "lrb", "packets", experimentFile, "failure-timeline"][firstPick % 5]);
      return [...args, ...options.flat()];
    }),
  );
  const argumentList = fc.oneof(
    { weight: 3, arbitrary: experimentCommand },
    { weight: 2, arbitrary: anyCommand },
  );

  it(`${RUNS} argument lists: every command stops after validation, or refuses in one line`, async () => {
    await fc.assert(
      fc.asyncProperty(argumentList, async (args) => {
        const p = buildProgram({ validateOnly: true });
        const quiet = { writeOut: () => {}, writeErr: () => {}, outputError: () => {} };
        for (const c of [p, ...p.commands, ...p.commands.flatMap((c) => c.commands)])
          c.configureOutput(quiet);
        try {
          await p.parseAsync(args, { from: "user" });
        } catch (err) {
          if (!isOneLine(err)) throw err;
          if (err instanceof UserError) expect(err.message).not.toMatch(/\n/);
        }
      }),
      { numRuns: RUNS },
    );
    // Validation wrote nothing: no run directory, no table, no generated file.
    expect(readdirSync(scratch).sort()).toEqual([
      "a-dir",
      "bad.yaml",
      "e.yaml",
      "exists.csv",
      "finished",
      "huge.json",
    ]);
    expect(readdirSync(existingDir)).toEqual([]);
  });
});
