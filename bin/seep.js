#!/usr/bin/env node
// The `seep` executable. register.js registers tsx (and, in a clone, the "seep-source"
// condition); then it hands over to the CLI: the TypeScript sources (cli/main.ts) in a clone,
// the build (dist/cli/main.js) in an installed package. Local workers are started through
// this same file (cloud/packageRoot.ts), so they run as their coordinator does.

import { IN_CLONE } from "./register.js";

await import(IN_CLONE ? "../cli/main.ts" : "../dist/cli/main.js");
