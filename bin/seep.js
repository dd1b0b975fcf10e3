#!/usr/bin/env node
// The `seep` executable. It registers tsx so that Node loads the TypeScript CLI as is
// (no build step), then hands over to cli/main.ts, which owns everything else.

import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
