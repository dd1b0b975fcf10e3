// `npm run schema`: write schema/experiment.schema.json from the experiment's zod schema
// (sim/experimentJsonSchema.ts). test/sim/experimentJsonSchema.test.ts fails when the
// committed file and the schema differ.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EXPERIMENT_SCHEMA_FILE, experimentJsonSchemaText } from "../sim/experimentJsonSchema.js";

const path = fileURLToPath(new URL(`../${EXPERIMENT_SCHEMA_FILE}`, import.meta.url));
writeFileSync(path, experimentJsonSchemaText());
process.stdout.write(`wrote ${EXPERIMENT_SCHEMA_FILE}\n`);
