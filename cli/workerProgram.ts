// The program a `seep worker` process parses: `seep` with the worker command alone. Every
// local worker starts through it (cli/main.ts picks it when the first word is `worker`), so
// its start loads none of the other commands' modules (their options, the simulator's and
// the lab's parts they name); what the worker's help and mistakes print is the same as under
// the whole program (cli/program.ts), which a test holds.

import { Command } from "commander";
import { seepVersion } from "../cloud/packageRoot.js";
import { registerWorker } from "./commands/worker.js";
import { routeParseErrors } from "./errors.js";

/** The first word of a command line that the worker program parses. */
export const WORKER_COMMAND = "worker";

/** `seep` with only `seep worker` registered. */
export function buildWorkerProgram(): Command {
  const program = new Command("seep").version(seepVersion());
  registerWorker(program);
  routeParseErrors(program);
  return program;
}
