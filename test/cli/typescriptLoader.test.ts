// TypeScript for job modules in a process that runs the build (cli/typescriptLoader.ts): which
// modules need it, and that registering it makes Node load a TypeScript job module it refused
// before, in a plain `node` process as a worker started from the build is (the loader itself
// is loaded there through tsx's scoped tsImport, which leaves Node's own imports alone).

import { describe, expect, it } from "vitest";
import { isTypeScriptModule } from "../../cli/typescriptLoader.js";
import { succeed } from "../package/scratchProject.js";
import { root } from "./spawnSeep.js";

/** In plain node at the clone's root: the tiny job before and after ensureTypeScriptLoader (twice). */
const PROGRAM = `
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
const here = pathToFileURL(\`\${process.cwd()}/\`);
const tiny = new URL("test/fixtures/jobs/tiny.ts", here).href;
const { ensureTypeScriptLoader } = await tsImport("./cli/typescriptLoader.ts", here.href);
const out = { before: await import(tiny).then(() => "loaded", (e) => e.code) };
await ensureTypeScriptLoader();
await ensureTypeScriptLoader();
out.marked = globalThis[Symbol.for("seep-testbed.tsx-registered")] === true;
// Node keeps a module's failed load: the same file again under another URL.
out.after = await import(tiny + "?again").then((m) => m.workload.name, (e) => e.code ?? e.message);
console.log(JSON.stringify(out));
`;

describe("typescriptLoader", () => {
  it("tells TypeScript modules by their ending", () => {
    for (const path of ["job.ts", "a/job.mts", "job.cts", "JOB.TS", "job.tsx"])
      expect(isTypeScriptModule(path), path).toBe(true);
    for (const path of ["job.js", "job.mjs", "job.cjs", "job.ts.bak", "ts"])
      expect(isTypeScriptModule(path), path).toBe(false);
  });

  it("registers tsx, after which plain node loads a TypeScript job module it refused before", async () => {
    const out = await succeed(process.execPath, ["--input-type=module", "-e", PROGRAM], root);
    expect(JSON.parse(out.stdout)).toEqual({
      before: "ERR_UNKNOWN_FILE_EXTENSION",
      marked: true,
      after: "tiny",
    });
  });
});
