// Partial files: named after what they will be and whose they are, removed when their
// process exits (by process.exit too, as a signal handler does), and, after a SIGKILL,
// removed by the next run into the directory once their process is gone, with one line.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { partialPath, processExists, removeOnExit, removeStalePartials } from "../../cli/partialFiles.js";
import { root } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-partial-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `code` (an ES module, with partialFiles.ts as `p`) in a node of its own; resolves with its exit code. */
function inNode(code: string): Promise<number | null> {
  const module = join(root, "cli/partialFiles.ts");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `const p = await import(${JSON.stringify(module)});\n${code}`,
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("partial files", () => {
  it("are named <file>.partial-<pid>", () => {
    expect(partialPath("runs/x/outputs.csv", 1234)).toBe("runs/x/outputs.csv.partial-1234");
    expect(partialPath("a")).toBe(`a.partial-${process.pid}`);
  });

  it("still open when their process exits, even by process.exit(129) from a signal handler, are removed", async () => {
    const dir = mkdtempSync(join(scratch, "exit-"));
    const open = join(dir, "outputs.csv.partial-1");
    const done = join(dir, "answers.csv.partial-1");
    const code = await inNode(`
      const fs = await import("node:fs");
      fs.writeFileSync(${JSON.stringify(open)}, "x");
      fs.writeFileSync(${JSON.stringify(done)}, "x");
      p.removeOnExit(${JSON.stringify(open)});
      const forget = p.removeOnExit(${JSON.stringify(done)});
      forget(); // renamed into place, say: no longer this process's to remove
      process.exit(129);
    `);
    expect(code).toBe(129);
    expect(readdirSync(dir)).toEqual(["answers.csv.partial-1"]);
  });

  it("left by a killed process are removed by the next run into the directory, in one line; those of live processes stay", () => {
    const dir = mkdtempSync(join(scratch, "stale-"));
    for (const name of [
      "outputs.csv.partial-111",
      "answers.csv.partial-111",
      "outputs.csv.partial-222",
      "experiment.json",
      "notes.partial-x",
    ])
      writeFileSync(join(dir, name), "");
    const lines: string[] = [];
    const removed = removeStalePartials(
      dir,
      (line) => lines.push(line),
      (pid) => pid === 222,
    );
    expect(removed.sort()).toEqual(["answers.csv.partial-111", "outputs.csv.partial-111"]);
    expect(readdirSync(dir).sort()).toEqual([
      "experiment.json",
      "notes.partial-x",
      "outputs.csv.partial-222",
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^seep: removed (outputs|answers)\.csv\.partial-111, (outputs|answers)\.csv\.partial-111 from .*: partial files of a run that was killed \(pid 111, gone\)$/,
    );
    expect(
      removeStalePartials(
        dir,
        (line) => lines.push(line),
        () => false,
      ),
    ).toEqual(["outputs.csv.partial-222"]);
  });

  it("of this very process are never taken for stale, and a directory not there yet has none", () => {
    const dir = mkdtempSync(join(scratch, "own-"));
    writeFileSync(partialPath(join(dir, "outputs.csv")), "");
    expect(
      removeStalePartials(
        dir,
        () => {},
        () => false,
      ),
    ).toEqual([]);
    expect(removeStalePartials(join(dir, "missing"), () => {})).toEqual([]);
    expect(existsSync(partialPath(join(dir, "outputs.csv")))).toBe(true);
  });

  it("belong to a live process while it exists", () => {
    expect(processExists(process.pid)).toBe(true);
    // Linux's pid_max is at most 2^22: no process has a pid above it.
    expect(processExists(2 ** 22 + 1)).toBe(false);
  });

  it("forgetting a file removes the exit handler once none is left", () => {
    const before = process.listenerCount("exit");
    const forgetA = removeOnExit(join(scratch, "a.partial-1"));
    const forgetB = removeOnExit(join(scratch, "b.partial-1"));
    expect(process.listenerCount("exit")).toBe(before + 1);
    forgetA();
    forgetB();
    expect(process.listenerCount("exit")).toBe(before);
  });
});
