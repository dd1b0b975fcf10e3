// Loading an experiment for `seep sim`: files and presets, the overrides applied before
// validation, and the one-line errors that name the file and where in it.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { loadExperiment } from "../../cli/experimentFile.js";
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
  it("loads a preset with overrides and leaves the preset itself unchanged", () => {
    const before = structuredClone(PRESETS.wordcount);
    const loaded = loadExperiment("wordcount", {
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

  it("loads JSON and YAML files alike", () => {
    const json = file("a.json", '{ "workload": { "name": "wordcount" }, "seed": 3 }');
    const yaml = file("a.yml", "workload:\n  name: wordcount\nseed: 3\n");
    expect(loadExperiment(json, none).experiment).toEqual(loadExperiment(yaml, none).experiment);
  });

  it("names the line and column of a YAML syntax error", () => {
    const path = file("bad.yaml", "workload: { name: wordcount\n");
    expect(() => loadExperiment(path, none)).toThrow(/bad\.yaml: invalid YAML: .* at line \d+, column \d+$/);
  });

  it("names the file and the parameter of a bad workload parameter", () => {
    const path = file("w.yaml", "workload: { name: wordcount, params: { lines: 0 } }\n");
    expect(() => loadExperiment(path, none)).toThrow(/w\.yaml: workload "wordcount": params\.lines/);
  });

  it("refuses a file of another kind and a name that is no file and no preset", () => {
    expect(() => loadExperiment(file("e.txt", "{}"), none)).toThrow(UserError);
    expect(() => loadExperiment("nope", none)).toThrow(/presets: wordcount/);
  });
});
