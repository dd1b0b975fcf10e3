// `seep --help` and every command's help and mistakes, walked from the program itself
// (cli/program.ts) in process, so that a new command or option is checked without being
// listed here: every option shows its default, every command's help exits 0, and every
// mistake in calling a command (an unknown option, a missing or extra argument, a bad
// value, an unknown or missing command) ends in one line that names it and points to a fix.
//
// The rule for defaults: every option shows "default: ..." in its help line (commander's
// `(default: x)` or `(choices: ..., default: x)`, or a description that says where the
// default comes from, such as "(default: the experiment's seed, else 1)"); boolean flags
// too, `(default: false)`. The only exemptions are commander's own --help and --version,
// and options a command cannot run without (makeOptionMandatory), which say "(required)".

import { type Command, CommanderError, type Option } from "commander";
import { describe, expect, it } from "vitest";
import { reportError, UserError } from "../../cli/errors.js";
import {
  EXPERIMENT_DEFAULT_SEED,
  EXPERIMENT_DEFAULT_VMS,
  KEY_GROUPS,
  PRESET_NAMES,
  TIME_MS_MAX,
} from "../../cli/options.js";
import { buildProgram } from "../../cli/program.js";

/** `command` and every command under it, depth first. */
function commandsUnder(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandsUnder)];
}

/** The words after `seep` that reach `command`. */
function pathOf(command: Command): string[] {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  return words;
}

/**
 * The program with its output kept in `out` (help at `width` columns) and every action
 * replaced by one that does nothing, so that parsing checks the command line and runs nothing.
 */
function testProgram(width = 1000): { program: Command; out: string[] } {
  const out: string[] = [];
  const program = buildProgram();
  for (const c of commandsUnder(program)) {
    c.configureOutput({ writeOut: (s) => out.push(s), getOutHelpWidth: () => width });
    if (c.commands.length === 0) c.action(() => {});
  }
  return { program, out };
}

/** Every command of `seep` but the program itself, as the words that reach it. */
const PATHS: readonly string[][] = commandsUnder(buildProgram()).slice(1).map(pathOf);

/** The command `path` reaches in `program`. */
function commandAt(program: Command, path: readonly string[]): Command {
  let c = program;
  for (const word of path) {
    const next = c.commands.find((s) => s.name() === word);
    if (next === undefined) throw new Error(`no command ${path.join(" ")}`);
    c = next;
  }
  return c;
}

/** What `seep ...args` writes to stderr and the exit code, parsed in process with actions that do nothing. */
async function failure(args: readonly string[]): Promise<{ code: number; stderr: string; err: unknown }> {
  const { program } = testProgram();
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (err) {
    let stderr = "";
    const code = reportError(err, (t) => {
      stderr += t;
    });
    return { code, stderr, err };
  }
  throw new Error(`seep ${args.join(" ")} did not fail`);
}

/** Expect `seep ...args` to fail with one line on stderr matching `pattern`, as a user error. */
async function expectOneLine(args: readonly string[], pattern: RegExp): Promise<void> {
  const { code, stderr, err } = await failure(args);
  const what = `seep ${args.join(" ")}`;
  expect(err, what).toBeInstanceOf(UserError);
  expect(code, what).toBe(2);
  expect(stderr, what).toMatch(/^seep: [^\n]+\n$/);
  expect(stderr.trimEnd(), what).toMatch(pattern);
}

/** Arguments that satisfy `command`'s required arguments. */
function argumentsOf(command: Command): string[] {
  return command.registeredArguments.filter((a) => a.required).map(() => "x");
}

/** `command`'s mandatory options, but `except`, each with a value. */
function mandatoryOf(command: Command, except?: Option): string[] {
  return (command.options as readonly Option[])
    .filter((o) => o.mandatory && o !== except)
    .flatMap((o) => [o.long ?? o.flags, "x"]);
}

/** Commander's own options, which need no default. */
function isBuiltIn(command: Command, option: Option): boolean {
  return option.long === "--help" || (command.parent === null && option.long === "--version");
}

/** `text` as a regular expression that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("seep --help", () => {
  it("lists every command on one line each, and examples that start from the README's first command", () => {
    const { program, out } = testProgram(80);
    program.outputHelp();
    const help = out.join("");
    const commands = help.slice(
      help.indexOf("\nCommands:\n") + 11,
      help.indexOf("\n\n", help.indexOf("Commands:")),
    );
    const names = commands.split("\n").map((line) => /^ {2}(\S+)/.exec(line)?.[1]);
    expect(names).toEqual([...program.commands.map((c) => c.name()), "help"]);
    const examples = help.slice(help.indexOf("\nExamples:\n"));
    expect(examples).toMatch(/^ {2}npx seep report lrb-scaleout\s/m);
    expect(examples).toMatch(/^ {2}npx seep sim wordcount\s/m);
    for (const [, name] of examples.matchAll(/^ {2}npx seep ([\w-]+)/gm))
      expect(
        program.commands.map((c) => c.name()),
        `example of ${name}`,
      ).toContain(name);
  });

  it("lists the subcommands of a command group on one line each", () => {
    const { program, out } = testProgram(80);
    for (const group of commandsUnder(program).filter((c) => c.parent !== null && c.commands.length > 0)) {
      out.length = 0;
      group.outputHelp();
      const help = out.join("");
      const commands = help.slice(help.indexOf("\nCommands:\n") + 11).trimEnd();
      expect(
        commands.split("\n").map((line) => /^ {2}(\S+)/.exec(line)?.[1]),
        pathOf(group).join(" "),
      ).toEqual([...group.commands.map((c) => c.name()), "help"]);
    }
  });

  it.each(PATHS.map((p) => [p.join(" "), p]))("seep %s --help exits 0 with its usage", async (_, path) => {
    const { program, out } = testProgram();
    const err = await program.parseAsync([...path, "--help"], { from: "user" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommanderError);
    expect(reportError(err, () => {})).toBe(0);
    expect(out.join("")).toMatch(new RegExp(`^Usage: seep ${literal(path.join(" "))} `));
  });

  it("shows every option's default (or that it is required) on its help line", () => {
    const { program } = testProgram();
    const missing: string[] = [];
    let checked = 0;
    for (const command of commandsUnder(program)) {
      const lines = command.helpInformation().split("\n");
      for (const option of command.options as readonly Option[]) {
        // A hidden option (one kept only to be refused with its reason) has no help line.
        if (isBuiltIn(command, option) || option.hidden) continue;
        const where = `seep ${pathOf(command).join(" ")} ${option.flags}`;
        const line = lines.find((l) => l.startsWith(`  ${option.flags}  `));
        expect(line, `${where}: no help line`).toBeDefined();
        const shows = option.mandatory ? /\(required\)/ : /[(,] ?default: \S/;
        if (!shows.test(line ?? "")) missing.push(where);
        expect(option.description, `${where}: a one-line description`).toMatch(/^[^\n]+$/);
        checked++;
      }
    }
    expect(missing, "options whose help line shows no default").toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it("names the presets and reports there are, and the experiment defaults and bounds it quotes", async () => {
    const { presetNames, parseExperiment } = await import("../../sim/index.js");
    const { NOTEBOOKS } = await import("../../notebooks/index.js");
    expect([...PRESET_NAMES].sort()).toEqual(presetNames().sort());
    const report = commandAt(buildProgram(), ["report"]).registeredArguments[0].description;
    expect(
      report
        .replace(/^the report: /, "")
        .split(", ")
        .sort(),
    ).toEqual(Object.keys(NOTEBOOKS).sort());
    const bare = parseExperiment({ name: "bare", workload: { name: "wordcount" } }, "test");
    expect([bare.seed, bare.cluster.vms]).toEqual([EXPERIMENT_DEFAULT_SEED, EXPERIMENT_DEFAULT_VMS]);
    const { TIME_MS_MAX: simTimeMsMax } = await import("../../sim/index.js");
    const { DEFAULT_MAX_KEY_GROUPS } = await import("../../engine/index.js");
    expect([TIME_MS_MAX, KEY_GROUPS]).toEqual([simTimeMsMax, DEFAULT_MAX_KEY_GROUPS]);
  });
});

describe("mistakes on the command line: one line, exit 1, a way to fix them", () => {
  it("an unknown command, or none, names the commands there are", async () => {
    await expectOneLine(
      ["no-such-command"],
      /unknown command 'no-such-command' \(known: demo, sim, .*lrb\) \(see 'seep --help'\)/,
    );
    await expectOneLine([], /^seep: 'seep' needs a command \(known: demo, .*\) \(see 'seep --help'\)/);
    await expectOneLine(["help", "nope"], /unknown command 'nope' \(known: demo, /);
    await expectOneLine(
      ["lrb"],
      /'seep lrb' needs a command \(known: generate, validate, rate\) \(see 'seep lrb --help'\)/,
    );
    await expectOneLine(
      ["lrb", "nope"],
      /unknown command 'nope' \(known: generate, validate, rate\) \(see 'seep lrb --help'\)/,
    );
  });

  it.each(
    PATHS.filter((p) => commandAt(buildProgram(), p).commands.length === 0).map((p) => [p.join(" "), p]),
  )(
    "seep %s: unknown option, missing and extra arguments, missing required options, bad values",
    async (_, path) => {
      const command = commandAt(buildProgram(), path);
      const hint = `\\(see 'seep ${literal(path.join(" "))} --help'\\)$`;
      const required = [...argumentsOf(command), ...mandatoryOf(command)];
      await expectOneLine(
        [...path, ...required, "--no-such-option"],
        new RegExp(`unknown option '--no-such-option'.* ${hint}`),
      );
      if (!command.registeredArguments.some((a) => a.variadic))
        await expectOneLine(
          [...path, ...required, "extra", "words"],
          new RegExp(`too many arguments .*${hint}`),
        );
      if (command.registeredArguments.some((a) => a.required))
        await expectOneLine(
          [...path, ...mandatoryOf(command)],
          new RegExp(`missing required argument '\\w+' ${hint}`),
        );
      for (const option of command.options as readonly Option[]) {
        if (option.mandatory) {
          await expectOneLine(
            [...path, ...argumentsOf(command), ...mandatoryOf(command, option)],
            new RegExp(`required option '${literal(option.flags)}' not specified ${hint}`),
          );
        }
        if (option.parseArg === undefined || option.long === undefined) continue;
        // A value no parser of seep takes: not a number, not a choice, not key=value.
        const bad = await failure([...path, ...required, option.long, ""]);
        expect(bad.err, `${option.long} ''`).toBeInstanceOf(UserError);
        expect(bad.stderr, `${option.long} ''`).toMatch(
          new RegExp(`^seep: [^\\n]*${literal(option.long)}[^\\n]*''[^\\n]*\\n$`),
        );
      }
    },
  );
});
