// How the CLI fails. A user's mistake (a wrong flag, a bad value, a job module that cannot
// be loaded) ends in one line on stderr, `seep: <message>`, and exit code 2, never a stack
// trace; a run that went but failed (it stalled, or chaos runs failed; its files are
// written) is one line and exit code 1, as is a bound of the real runtime that a busy
// machine overran; anything else is a bug in seep, exit 1, and keeps its stack so that it
// can be found.

import { type Command, CommanderError } from "commander";
import { TimeoutError } from "../cloud/timeouts.js";
import type { UnsupportedScenario } from "../engine/index.js";

/** Exit code of a user's mistake: bad input, nothing ran (as a shell's usage errors). */
export const USER_ERROR_EXIT_CODE = 2;
/** Exit code of a run that went but failed, and of anything else that is not the user's mistake. */
export const RUN_FAILURE_EXIT_CODE = 1;

/** A mistake by the user (a bad flag or value): reported on one line, without a stack. */
export class UserError extends Error {
  override readonly name = "UserError";
}

/** A run that went but failed (it stalled, chaos runs failed): one line, exit 1, after its files are written. */
export class RunFailure extends Error {
  override readonly name = "RunFailure";
}

/** Commander's codes for help or version output that ends the run as asked. */
const FINISHED_CODES = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** `seep demo` for the demo command: the words a user types to reach `command`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Make `command` and its subcommands report their parsing errors (unknown option,
 * missing argument, unknown or missing command) as one-line UserErrors with a hint to
 * `--help`, instead of printing them (or the whole help) and exiting on their own.
 */
export function routeParseErrors(command: Command): void {
  // Commander writes to stderr only to report an error: the error itself, or the whole
  // help when a command group is given no command. Both become the one line below.
  command.configureOutput({ outputError: () => {}, writeErr: () => {} });
  command.exitOverride((err: CommanderError) => {
    const hint = `(see '${commandPath(command)} --help')`;
    if (err.code === "commander.help" && err.exitCode !== 0)
      throw new UserError(`${noCommand(command)} ${hint}`);
    if (FINISHED_CODES.has(err.code) || err.exitCode === 0) throw err;
    let message = oneLine(err.message);
    if (err.code === "commander.unknownCommand" && !message.includes("Did you mean"))
      message += ` (known: ${subcommandNames(command)})`;
    throw new UserError(`${message} ${hint}`);
  });
  for (const sub of command.commands) routeParseErrors(sub);
}

/**
 * Commander's `message` on one line: without its `error: ` prefix, its sentences joined
 * by a colon (`too many arguments for 'demo': expected 0 arguments but got 1`) and
 * without a final full stop, so that a hint can follow.
 */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .replace(/\.\s+([A-Z])(?=[a-z])/g, (_, c: string) => `: ${c.toLowerCase()}`)
    .replace(/\.$/, "");
}

/** What is wrong when a command group shows its help as an error: no command, or `help <unknown>`. */
function noCommand(command: Command): string {
  const asked = command.args[0] === "help" ? command.args[1] : undefined;
  const what =
    asked === undefined ? `'${commandPath(command)}' needs a command` : `unknown command '${asked}'`;
  return `${what} (known: ${subcommandNames(command)})`;
}

function subcommandNames(command: Command): string {
  return command.commands.map((c) => c.name()).join(", ");
}

/** Report `err` on `stderr` as the top-level handler does, and return the exit code. */
export function reportError(err: unknown, stderr: (text: string) => void): number {
  if (err instanceof CommanderError) return err.exitCode; // help or version: already printed
  if (err instanceof UserError || err instanceof RunFailure) {
    stderr(`seep: ${err.message.replace(/\s*\n\s*/g, " ")}\n`);
    return err instanceof UserError ? USER_ERROR_EXIT_CODE : RUN_FAILURE_EXIT_CODE;
  }
  if (err instanceof TimeoutError) {
    // A machine too busy for a bound of the real runtime: the message says how to raise it.
    stderr(`seep: ${err.message.replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
  if (isUnsupportedScenario(err)) {
    stderr(`seep: not supported yet: ${err.message.replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
  const detail = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  stderr(`seep: internal error (a bug in seep, not in how it was called):\n${detail}\n`);
  return 1;
}

/**
 * The engine's UnsupportedScenario, told by its name: importing the engine here would load
 * all of it (about a second through tsx) at the start of every command, `--help` included.
 */
function isUnsupportedScenario(err: unknown): err is UnsupportedScenario {
  return err instanceof Error && err.name === "UnsupportedScenario";
}
