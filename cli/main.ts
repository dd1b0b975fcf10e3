// The `seep` command line: builds the program (program.ts; for `seep worker`, which every
// local worker runs, the program of that command alone, workerProgram.ts, which loads less)
// and turns every failure into an exit code (see errors.ts).

import type { Command } from "commander";
import { reportError } from "./errors.js";

// A reader that stops early (`seep demo | head`) is not an error: stop quietly.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(0);
});

try {
  await (await program(process.argv[2])).parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, (text) => process.stderr.write(text));
}

/** The program that parses a command line whose first word is `first`. */
async function program(first: string | undefined): Promise<Command> {
  const { buildWorkerProgram, WORKER_COMMAND } = await import("./workerProgram.js");
  if (first === WORKER_COMMAND) return buildWorkerProgram();
  return (await import("./program.js")).buildProgram();
}
