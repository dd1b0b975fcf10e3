// Loading an experiment for `seep sim`: files, presets and job modules, the overrides applied before
// validation, and the one-line errors that name the file and where in it.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { loadBuiltinExperiment, loadExperiment } from "../../cli/experimentFile.js";
import { parseSetting } from "../../cli/settings.js";
import { PRESETS } from "../../sim/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-experiment-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const none = { settings: [] };

/** A file `name` in the scratch directory holding `text`; returns its path. */
function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("loadExperiment", () => {
  it("loads a preset with overrides and leaves the preset itself unchanged", async () => {
    const before = structuredClone(PRESETS.wordcount);
    const loaded = await loadExperiment("wordcount", {
      settings: [parseSetting("cluster.vms=8"), parseSetting("workload.params.lines=100")],
      seed: 7,
      untilS: 3,
    });
    expect(loaded.where).toBe("preset wordcount");
    expect(loaded.experiment).toMatchObject({ seed: 7, untilS: 3, cluster: { vms: 8 } });
    expect(loaded.experiment.workload.params.lines).toBe(100);
    expect(loaded.plan).toBeDefined();
    expect(PRESETS.wordcount).toEqual(before);
  });

  it("loads JSON and YAML files alike", async () => {
    const json = file("a.json", '{ "workload": { "name": "wordcount" }, "seed": 3 }');
    const yaml = file("a.yml", "workload:\n  name: wordcount\nseed: 3\n");
    expect((await loadExperiment(json, none)).experiment).toEqual(
      (await loadExperiment(yaml, none)).experiment,
    );
  });

  it("names the line and column of a YAML syntax error", async () => {
    const path = file("bad.yaml", "workload: { name: wordcount\n");
    await expect(loadExperiment(path, none)).rejects.toThrow(
      /bad\.yaml: invalid YAML: .* at line \d+, column \d+$/,
    );
  });

  it("names the file and the parameter of a bad workload parameter", async () => {
    const path = file("w.yaml", "workload: { name: wordcount, params: { lines: 0 } }\n");
    await expect(loadExperiment(path, none)).rejects.toThrow(/w\.yaml: workload "wordcount": params\.lines/);
  });

  it("refuses a file of another kind and a name that is no file and no preset", async () => {
    await expect(loadExperiment(file("e.txt", "{}"), none)).rejects.toThrow(UserError);
    await expect(loadExperiment("nope", none)).rejects.toThrow(/presets: wordcount/);
  });
});

describe("job modules", () => {
  const fixture = (name: string) => resolve(import.meta.dirname, "../fixtures/jobs", name);
  const shown = (name: string) => relative(process.cwd(), fixture(name));

  it("loads a job module alone: its job, named after it, every parameter resolved", async () => {
    const loaded = await loadExperiment(shown("tiny.ts"), none);
    expect(loaded.where).toBe(`job module ${shown("tiny.ts")}`);
    expect(loaded.experiment.name).toBe("tiny");
    expect(loaded.experiment.workload).toEqual({
      name: "tiny",
      module: fixture("tiny.ts"),
      params: { n: 2000, keys: 10, intervalMs: 10, windowMs: 1000, parallelism: 2 },
    });
    expect(loaded.plan.operators.map((o) => o.name)).toEqual(["numbers", "count", "sink"]);
    expect(loaded.size?.sourceTuples).toBe(2000);
  });

  it("finds a module relative to the experiment file, not to the working directory", async () => {
    const dir = join(scratch, "deeper", "still");
    mkdirSync(dir, { recursive: true });
    const module = relative(dir, fixture("tiny.ts"));
    const path = join(dir, "e.yaml");
    writeFileSync(path, `name: mine\nworkload:\n  module: ${module}\n  params: { n: 50 }\n`);
    const loaded = await loadExperiment(path, none);
    expect(loaded.experiment.name).toBe("mine");
    expect(loaded.experiment.workload.module).toBe(fixture("tiny.ts"));
    expect(loaded.experiment.workload.params.n).toBe(50);
  });

  it("names the module and the parameter of a bad parameter", async () => {
    await expect(
      loadExperiment(shown("tiny.ts"), { settings: [parseSetting("workload.params.n=0")] }),
    ).rejects.toThrow(
      `job module ${shown("tiny.ts")}: workload "tiny": params.n: must be an integer from 1 to 1000000, got 0`,
    );
    await expect(
      loadExperiment(shown("tiny.ts"), { settings: [parseSetting("workload.params.colour=1")] }),
    ).rejects.toThrow(/workload "tiny": params: unknown key "colour"|params\.colour/);
  });

  it("says in one line what is wrong with a module: not found, no job, not a job, plan throws, cannot load", async () => {
    const broken = file("broken.mjs", "export const workload = {\n");
    const throwing = file("throwing.mjs", 'throw new Error("missing env FOO");\n');
    const cases: [string, RegExp][] = [
      ["./nowhere/job.ts", /^job module \.\/nowhere\/job\.ts: cannot read \(ENOENT\)$/],
      [shown("noWorkload.ts"), /exports no workload \(.*it exports: helper, something\)$/],
      [shown("notAJob.ts"), /: workload job "half-a-job": params must be a zod schema/],
      [shown("planThrows.ts"), /: workload "plan-throws": plan threw: no table of tolls at \/nowhere$/],
      [broken, /broken\.mjs: cannot be loaded: /],
      [throwing, /throwing\.mjs: cannot be loaded: missing env FOO$/],
    ];
    for (const [source, message] of cases) {
      const err = await loadExperiment(source, none).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, source).toBeInstanceOf(UserError);
      expect((err as Error).message, source).toMatch(message);
      expect((err as Error).message, source).not.toMatch(/\n/);
    }
  });

  it("refuses a workload.name beside a module that is not the module's job's", async () => {
    const path = file(
      "named.json",
      JSON.stringify({ workload: { name: "wordcount", module: fixture("tiny.ts") } }),
    );
    await expect(loadExperiment(path, none)).rejects.toThrow(
      /workload\.name "wordcount" is not the name of the job in .*tiny\.ts \("tiny"\)/,
    );
  });

  it("loadBuiltinExperiment refuses a module: it needs an import", () => {
    const path = file("mod.json", JSON.stringify({ workload: { module: fixture("tiny.ts") } }));
    expect(() => loadBuiltinExperiment(path, none)).toThrow(/names a job module/);
  });
});
