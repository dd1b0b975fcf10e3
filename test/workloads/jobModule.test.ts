// Loading job modules (workloads/jobModule.ts): the `workload` export or the default
// export, and a one-line JobError naming the file for everything else.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JobError } from "../../engine/index.js";
import { isJobModulePath, jobModulePath, loadJobModule } from "../../workloads/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-job-module-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const engine = resolve(import.meta.dirname, "../../engine/index.ts");

function module(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("loadJobModule", () => {
  it("takes the `workload` export, or else the default export", async () => {
    const job = `defineJob({ name: "d", params: z.object({}), plan: () => { throw new Error("unused"); } })`;
    const head = `import { z } from "zod";\nimport { defineJob } from ${JSON.stringify(engine)};\n`;
    const named = await loadJobModule(module("named.ts", `${head}export const workload = ${job};\n`));
    const byDefault = await loadJobModule(module("default.ts", `${head}export default ${job};\n`));
    expect(named.name).toBe("d");
    expect(byDefault.name).toBe("d");
  });

  it("refuses a file that is not a module by its ending, and a directory", async () => {
    await expect(loadJobModule(module("job.txt", ""))).rejects.toThrow(
      /^job module .*job\.txt: a job module must end in \.ts, \.mts, \.cts, \.js, \.mjs, \.cjs$/,
    );
    const dir = join(scratch, "dir.ts");
    await import("node:fs").then((fs) => fs.mkdirSync(dir));
    await expect(loadJobModule(dir, "dir.ts")).rejects.toThrow(new JobError("job module dir.ts: not a file"));
  });

  it("names what a module exports when none of it is a job", async () => {
    await expect(
      loadJobModule(module("none.mjs", "export const a = 1, b = 2;\n"), "none.mjs"),
    ).rejects.toThrow(
      "job module none.mjs: exports no workload (export const workload = defineJob({...}), or export default; it exports: a, b)",
    );
    await expect(loadJobModule(module("num.mjs", "export default 42;\n"), "num.mjs")).rejects.toThrow(
      "job module num.mjs: the default export is number, not a job",
    );
  });
});

describe("module paths", () => {
  it("tells a module by its ending and resolves it from a base directory", () => {
    expect(isJobModulePath("jobs/topk.TS")).toBe(true);
    expect(isJobModulePath("experiment.yaml")).toBe(false);
    expect(jobModulePath("jobs/x.ts", "/base")).toBe("/base/jobs/x.ts");
    expect(jobModulePath("/abs/x.ts", "/base")).toBe("/abs/x.ts");
  });
});
