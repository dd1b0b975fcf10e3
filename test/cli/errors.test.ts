// Error reporting: user errors and commander's parse errors become one line and exit 1;
// help and version end cleanly; anything else is reported as a bug, with its stack.

import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { commandPath, RunFailure, reportError, routeParseErrors, UserError } from "../../cli/errors.js";
import { UnsupportedScenario } from "../../engine/index.js";

/** What `reportError` writes and returns for `err`. */
function report(err: unknown): { code: number; text: string } {
  let text = "";
  const code = reportError(err, (t) => {
    text += t;
  });
  return { code, text };
}

/** The error `program` throws when parsing `args`. */
function parseFailure(program: Command, args: string[]): unknown {
  try {
    program.parse(args, { from: "user" });
  } catch (err) {
    return err;
  }
  throw new Error(`parsing ${args.join(" ")} did not fail`);
}

/** A program with one subcommand, with parse errors routed as the CLI does. */
function program(): Command {
  const p = new Command("seep");
  p.command("demo")
    .option("--lines <n>", "lines")
    .action(() => {});
  const group = p.command("lrb");
  group.command("generate").action(() => {});
  group.command("rate").action(() => {});
  routeParseErrors(p);
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const c of p.commands) c.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  return p;
}

describe("reportError", () => {
  it("a scenario the protocols do not handle yet is one line, not an internal error", () => {
    const { code, text } = report(new UnsupportedScenario("instances 2 failed during a parallel recovery"));
    expect(code).toBe(1);
    expect(text).toBe("seep: not supported yet: instances 2 failed during a parallel recovery\n");
  });

  it("prints a user error as one line prefixed by seep and returns 2", () => {
    expect(report(new UserError("--lines expects an integer, got 'x'"))).toEqual({
      code: 2,
      text: "seep: --lines expects an integer, got 'x'\n",
    });
  });

  it("prints a run that went but failed as one line and returns 1", () => {
    expect(report(new RunFailure("the run stalled at 2.0 s"))).toEqual({
      code: 1,
      text: "seep: the run stalled at 2.0 s\n",
    });
  });

  it("reports anything else as a bug, stack included", () => {
    const { code, text } = report(new TypeError("boom"));
    expect(code).toBe(1);
    expect(text).toMatch(/^seep: internal error/);
    expect(text).toMatch(/TypeError: boom\n\s+at /);
  });
});

describe("routeParseErrors", () => {
  it("turns an unknown option into a one-line user error that points to the command's help", () => {
    const err = parseFailure(program(), ["demo", "--nope"]);
    expect(err).toBeInstanceOf(UserError);
    expect(report(err).text).toBe("seep: unknown option '--nope' (see 'seep demo --help')\n");
  });

  it("keeps commander's suggestion on the same line", () => {
    const { text } = report(parseFailure(program(), ["dmeo"]));
    expect(text).toBe("seep: unknown command 'dmeo' (Did you mean demo?) (see 'seep --help')\n");
  });

  it("joins commander's sentences into one line that ends in the hint", () => {
    expect(report(parseFailure(program(), ["demo", "extra"])).text).toBe(
      "seep: too many arguments for 'demo': expected 0 arguments but got 1 (see 'seep demo --help')\n",
    );
  });

  it("lists the known commands after an unknown one that suggests none", () => {
    expect(report(parseFailure(program(), ["lrb", "nope"])).text).toBe(
      "seep: unknown command 'nope' (known: generate, rate) (see 'seep lrb --help')\n",
    );
  });

  it("turns a command group run without its command into one line, instead of its whole help", () => {
    // Routed as the CLI is, with commander's own stderr left as it is: it must stay silent.
    const p = new Command("seep");
    p.command("lrb")
      .command("generate")
      .action(() => {});
    routeParseErrors(p);
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    let err: unknown;
    let written: unknown[][];
    try {
      err = parseFailure(p, ["lrb"]);
    } finally {
      written = [...write.mock.calls];
      write.mockRestore();
    }
    expect(written).toEqual([]);
    expect(report(err).text).toBe(
      "seep: 'seep lrb' needs a command (known: generate) (see 'seep lrb --help')\n",
    );
    expect(report(parseFailure(program(), ["help", "nope"])).text).toMatch(
      /^seep: unknown command 'nope' \(known: demo, lrb\) \(see 'seep --help'\)\n$/,
    );
  });

  it("lets help end the run with commander's exit code and nothing more printed", () => {
    expect(report(parseFailure(program(), ["demo", "--help"]))).toEqual({ code: 0, text: "" });
  });
});

describe("commandPath", () => {
  it("names a subcommand the way a user types it", () => {
    const p = new Command("seep");
    const demo = p.command("demo");
    expect(commandPath(demo)).toBe("seep demo");
  });
});
