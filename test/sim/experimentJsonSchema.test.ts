// The experiment file's JSON Schema (sim/experimentJsonSchema.ts): the committed
// schema/experiment.schema.json is what the zod schema emits now (run `npm run schema` after
// changing sim/experiment.ts), it knows every key the presets use, and a file may name it.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { EXPERIMENT_SCHEMA_FILE, experimentJsonSchemaText } from "../../sim/experimentJsonSchema.js";
import { PRESETS, presetNames } from "../../sim/presets.js";

const committed = readFileSync(new URL(`../../${EXPERIMENT_SCHEMA_FILE}`, import.meta.url), "utf8");
type Node = { properties?: Record<string, Node>; additionalProperties?: unknown; type?: unknown };

/** Every dotted key path of `value`'s plain objects that the schema `node` does not describe. */
function unknownKeys(value: unknown, node: Node, path: string): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const sub = node.properties?.[k];
    // A record (an operator's cost, a workload's parameters) describes its values, not its keys.
    if (sub === undefined) return node.additionalProperties === false ? [`${path}${k}`] : [];
    return unknownKeys(v, sub, `${path}${k}.`);
  });
}

describe("the experiment's JSON Schema", () => {
  it("is committed as the zod schema emits it (npm run schema)", () => {
    expect(committed).toBe(experimentJsonSchemaText());
  });

  it("describes every key of every preset, and refuses one it does not know", () => {
    const schema = JSON.parse(committed) as Node;
    for (const name of presetNames()) expect(unknownKeys(PRESETS[name], schema, ""), name).toEqual([]);
    expect(unknownKeys({ pool: { prewarm: 2 } }, schema, "")).toEqual(["pool.prewarm"]);
  });

  it("may be named in a file's $schema, which validation ignores", () => {
    const e = parseExperiment(
      { $schema: "../schema/experiment.schema.json", name: "x", workload: { name: "wordcount" } },
      "test",
    );
    expect(e.name).toBe("x");
    expect("$schema" in e).toBe(false);
    expect(() => parseExperiment({ $schema: 3, workload: { name: "wordcount" } }, "test")).toThrow(
      /\$schema/,
    );
  });
});
