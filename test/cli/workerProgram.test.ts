// The program of `seep worker` alone (cli/workerProgram.ts), which every local worker parses,
// against the whole `seep` program (cli/program.ts): the worker's help, and each mistake in
// calling it, come out the same from both; and it holds the worker command only.

import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/program.js";
import { buildWorkerProgram, WORKER_COMMAND } from "../../cli/workerProgram.js";

/** What parsing `seep ...args` with `program` printed and threw, its actions doing nothing. */
async function parse(program: Command, args: readonly string[]): Promise<{ out: string; thrown: string }> {
  const out: string[] = [];
  for (const c of [program, ...program.commands]) {
    c.configureOutput({ writeOut: (s) => out.push(s), getOutHelpWidth: () => 100 });
    if (c !== program) c.action(() => {});
  }
  let thrown = "";
  try {
    await program.parseAsync(["node", "seep", ...args]);
  } catch (e) {
    thrown = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { out: out.join(""), thrown };
}

describe("the worker program", () => {
  it("holds `seep worker` alone", () => {
    expect(buildWorkerProgram().commands.map((c) => c.name())).toEqual([WORKER_COMMAND]);
  });

  it.each([
    ["the help", ["worker", "--help"]],
    ["an unknown option", ["worker", "--listn", "127.0.0.1:0"]],
    ["a flag without its value", ["worker", "--lease-ms"]],
    ["a bad value", ["worker", "--message-bytes-max", "0"]],
    ["an extra argument", ["worker", "extra"]],
  ])("prints and throws what the whole program does for %s", async (_what, args) => {
    const whole = await parse(buildProgram(), args);
    expect(whole.out + whole.thrown).not.toBe("");
    expect(await parse(buildWorkerProgram(), args)).toEqual(whole);
  });
});
