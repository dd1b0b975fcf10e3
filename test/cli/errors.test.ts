// Error reporting: user errors and commander's parse errors become one line and exit 1;
// help and version end cleanly; anything else is reported as a bug, with its stack.

import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandPath, reportError, routeParseErrors, UserError } from "../../cli/errors.js";

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
  routeParseErrors(p);
  p.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const c of p.commands) c.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  return p;
}

describe("reportError", () => {
  it("prints a user error as one line prefixed by seep and returns 1", () => {
    expect(report(new UserError("--lines expects an integer, got 'x'"))).toEqual({
      code: 1,
      text: "seep: --lines expects an integer, got 'x'\n",
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
