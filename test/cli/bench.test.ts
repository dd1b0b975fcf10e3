// `seep bench`'s flags: --runs refused in one line when it is not a count of runs, --json
// refused when its file exists unless --force, and written with the figures of every run.
// The one benchmark run here is batch-codec at its quick size (in process, a second or
// two); no real benchmark runs.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { buildProgram } from "../../cli/program.js";
import { seep } from "./spawnSeep.js";

const dir = mkdtempSync(join(tmpdir(), "seep-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `seep ...args` parsed and validated in process, run no further: what it threw, if anything. */
async function validate(args: readonly string[]): Promise<unknown> {
  const program = buildProgram({ validateOnly: true });
  return program.parseAsync(["bench", ...args], { from: "user" }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("seep bench --runs", () => {
  it("refuses zero runs in one line, exit 2", async () => {
    const out = await seep(["bench", "--runs", "0"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe("seep: --runs expects an integer from 1 to 100, got '0'\n");
    expect(out.stdout).toBe("");
  });

  it.each([["x"], ["1.5"], ["-3"], ["101"], [""]])(
    "refuses --runs '%s' naming the flag and the value",
    async (v) => {
      const err = await validate(["--runs", v]);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`--runs expects an integer from 1 to 100, got '${v}'`);
    },
  );

  it("accepts a count of runs from 1 to 100", async () => {
    for (const v of ["1", "5", "100"])
      expect(await validate(["--runs", v, "--only", "packet-counter"])).toBeUndefined();
  });
});

describe("seep bench --json", () => {
  it("refuses an existing file without --force, and accepts it with", async () => {
    const file = join(dir, "exists.json");
    writeFileSync(file, "keep me");
    const err = await validate(["--json", file]);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`--json ${file}: the file exists; --force overwrites it`);
    expect(await validate(["--json", file, "--force"])).toBeUndefined();
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("writes each benchmark's runs, load and figures with their baselines", async () => {
    const file = join(dir, "sub", "figures.json");
    const out = await seep(["bench", "--only", "batch-codec", "--quick", "--json", file]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^# batch-codec \(quick\)\n/);
    expect(out.stdout).toMatch(
      /\n {2}load 1-min at start\/end of the run: \d+\.\d\d\/\d+\.\d\d \(\d+ CPUs\)\n$/,
    );
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.benchmarks).toHaveLength(1);
    const [b] = doc.benchmarks;
    expect(b).toMatchObject({ benchmark: "batch-codec", quick: true, runs: 1 });
    expect(b.loads).toHaveLength(1);
    expect(b.figures.length).toBeGreaterThan(0);
    const f = b.figures[0];
    expect(f.value.values).toHaveLength(1);
    expect(f.value.median).toBe(f.value.values[0]);
    expect(f.ratioOfMedians).toBeCloseTo(f.value.median / f.baseline.value.median, 9);
  });
});
