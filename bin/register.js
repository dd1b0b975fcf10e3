// What bin/seep.js sets up before it loads the CLI, in a module of its own so that a program
// can be run the same way (`node --import ./bin/register.js program.ts`, as the package tests
// do). It registers tsx, so that TypeScript loads as is (the CLI's sources in a clone, a
// user's job module anywhere), and, in a clone only, a resolve hook (sourceCondition.js)
// that adds the "seep-source" export condition: an import of `seep-testbed/...` then resolves
// to the very source files the CLI runs (one copy of each module, not a second from dist/).
// A local worker started from the build skips this file (cloud/packageRoot.ts) and registers
// tsx only for a TypeScript job module (cli/typescriptLoader.ts); the global mark set here
// tells it that tsx is registered already.

import { existsSync } from "node:fs";
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

/** True in a clone: the TypeScript sources are beside bin/ (an installed package has dist/ only). */
export const IN_CLONE = existsSync(new URL("../cli/main.ts", import.meta.url));

registerTsx();
globalThis[Symbol.for("seep-testbed.tsx-registered")] = true;
if (IN_CLONE) register("./sourceCondition.js", import.meta.url);
