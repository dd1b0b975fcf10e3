// The `seep` command line: builds the program, registers one command per file under
// cli/commands/, and turns every failure into an exit code (see errors.ts). A new
// command is a new file there plus one line in COMMANDS.

import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBench } from "./commands/bench.js";
import { registerChaos } from "./commands/chaos.js";
import { registerDemo } from "./commands/demo.js";
import { registerLrb } from "./commands/lrb.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerSim } from "./commands/sim.js";
import { registerWorker } from "./commands/worker.js";
import { reportError, routeParseErrors } from "./errors.js";

/** Every command of `seep`, in the order `--help` lists them. */
const COMMANDS: readonly ((program: Command) => void)[] = [
  registerDemo,
  registerSim,
  registerChaos,
  registerReport,
  registerRun,
  registerWorker,
  registerBench,
  registerLrb,
];

/** The `seep` program with every command registered. */
function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const program = new Command("seep")
    .version(pkg.version)
    .description("seep-testbed: an elastic, fault-tolerant stream-processing engine and research testbed");
  for (const register of COMMANDS) register(program);
  routeParseErrors(program);
  return program;
}

// A reader that stops early (`seep demo | head`) is not an error: stop quietly.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(0);
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, (text) => process.stderr.write(text));
}
