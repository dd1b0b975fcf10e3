// How the CLI fails. A user's mistake (a wrong flag, a bad value) ends in one line on
// stderr, `seep: <message>`, and exit code 1, never a stack trace; anything else is a
// bug in seep and keeps its stack so that it can be found.

import { type Command, CommanderError } from "commander";

/** A mistake by the user (a bad flag or value): reported on one line, without a stack. */
export class UserError extends Error {
  override readonly name = "UserError";
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
 * missing argument, unknown command) as UserErrors with a hint to `--help`, instead
 * of printing them and exiting on their own.
 */
export function routeParseErrors(command: Command): void {
  command.configureOutput({ outputError: () => {} });
  command.exitOverride((err: CommanderError) => {
    if (FINISHED_CODES.has(err.code) || err.exitCode === 0) throw err;
    const message = err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
    throw new UserError(`${message} (see '${commandPath(command)} --help')`);
  });
  for (const sub of command.commands) routeParseErrors(sub);
}

/** Report `err` on `stderr` as the top-level handler does, and return the exit code. */
export function reportError(err: unknown, stderr: (text: string) => void): number {
  if (err instanceof CommanderError) return err.exitCode; // help or version: already printed
  if (err instanceof UserError) {
    stderr(`seep: ${err.message.replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
  const detail = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  stderr(`seep: internal error (a bug in seep, not in how it was called):\n${detail}\n`);
  return 1;
}
