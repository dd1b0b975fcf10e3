#!/usr/bin/env node
// The `seep` executable. register.js registers tsx (and, in a clone, the "seep-source"
// condition); then it hands over to the CLI: the TypeScript sources (cli/main.ts) in a clone,
// the build (dist/cli/main.js) in an installed package. Local workers skip this file while
// the build is current (cloud/packageRoot.ts): they run dist/cli/main.js directly, without
// tsx, and start in a third of the time; in a clone whose sources changed since the build
// they are started through this file, and run the sources as their coordinator does.

import { IN_CLONE } from "./register.js";

await import(IN_CLONE ? "../cli/main.ts" : "../dist/cli/main.js");
