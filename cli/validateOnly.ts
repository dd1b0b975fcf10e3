// A `seep` program that only validates: every command parses its arguments, loads and
// checks its experiment, builds the plan, estimates the run and checks where it would
// write, then returns before any work (no simulation, no worker, no file written, no
// question asked). The fuzz test drives random argument lists through it, in process,
// to show that the validation layer fails only with one-line user errors.
//
// A command opts in by calling `stopsAfterValidation` on itself and asking
// `validatesOnly` in its action, once its checks are done. A command that has not opted
// in is stopped after parsing, before its action runs, by a ValidationStopped.

import type { Command } from "commander";

/** Programs built to validate only. */
const VALIDATING = new WeakSet<Command>();

/** Commands whose action stops by itself after its checks. */
const STOPS_ITSELF = new WeakSet<Command>();

/** Thrown, in a program built to validate only, instead of running an action that has not opted in. */
export class ValidationStopped extends Error {
  override readonly name = "ValidationStopped";
}

/** Say that `command`'s action asks `validatesOnly` and returns before its work. */
export function stopsAfterValidation(command: Command): Command {
  STOPS_ITSELF.add(command);
  return command;
}

/** Mark `program` (a whole `seep` program) so that its commands stop after validation. */
export function markValidateOnly(program: Command): void {
  VALIDATING.add(program);
  program.hook("preAction", (_program, action) => {
    if (!STOPS_ITSELF.has(action)) throw new ValidationStopped(`${action.name()}: stopped after parsing`);
  });
}

/** True when `command` belongs to a program built to validate only: its action must stop now. */
export function validatesOnly(command: Command): boolean {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return VALIDATING.has(root);
}
