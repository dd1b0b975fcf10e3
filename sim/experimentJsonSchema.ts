// The experiment file's JSON Schema (draft 2020-12), emitted by zod from the schema that
// validates experiments (experiment.ts), for editors: a JSON file that names it in `$schema`
// (a YAML file in a `# yaml-language-server: $schema=...` comment) gets completion and checks
// of its keys, types and ranges as it is typed. It describes what a user writes (the input:
// defaults optional); cross-field checks (VM counts within `pool.maxVms`, a workload's own
// parameters) stay with the validation `seep sim` makes before it runs. The committed copy is
// schema/experiment.schema.json, written by `npm run schema` and kept equal to this by a test.

import { z } from "zod";
import { experimentSchema } from "./experiment.js";

/** Where the committed copy lives, from the package root. */
export const EXPERIMENT_SCHEMA_FILE = "schema/experiment.schema.json";

/** The JSON Schema of an experiment file. */
export function experimentJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(experimentSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, unknown>;
  } & Record<string, unknown>;
  return {
    ...s,
    title: "seep-testbed experiment",
    description:
      "An experiment of seep-testbed (seep sim, seep chaos, seep run): its workload, cluster, pool, network, cost model, fault tolerance, scaling and faults.",
    // A file may name its schema; the experiment's validation ignores the key.
    properties: { $schema: { type: "string" }, ...s.properties },
  };
}

/** The committed file's text: the schema as pretty-printed JSON with a final newline. */
export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}
