// The `seep` program: one command per file under cli/commands/, registered in the order
// `--help` lists them, with parse errors routed as one-line errors (see errors.ts). A new
// command is a new file there plus one line in COMMANDS. Building the program loads no
// command's work (each loads its modules when it runs), so that `--help` stays fast and
// tests can walk every command and option in process; built with `validateOnly`, every
// command stops once its input is checked (cli/validateOnly.ts).

import { Command } from "commander";
import { seepVersion } from "../cloud/packageRoot.js";
import { registerBench } from "./commands/bench.js";
import { registerChaos } from "./commands/chaos.js";
import { registerCoordinator } from "./commands/coordinator.js";
import { registerDemo } from "./commands/demo.js";
import { registerLrb } from "./commands/lrb.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerSim } from "./commands/sim.js";
import { registerSweep } from "./commands/sweep.js";
import { registerWorker } from "./commands/worker.js";
import { routeParseErrors } from "./errors.js";
import { markValidateOnly } from "./validateOnly.js";

/** Every command of `seep`, in the order `--help` lists them. */
const COMMANDS: readonly ((program: Command) => void)[] = [
  registerDemo,
  registerSim,
  registerSweep,
  registerChaos,
  registerReport,
  registerRun,
  registerCoordinator,
  registerWorker,
  registerBench,
  registerLrb,
];

/** Commands to start from, shown after the top-level help. */
const EXAMPLES = `
Examples:
  npx seep report lrb-scaleout              report: Linear Road scaled to L=350
  npx seep report lrb-scaleout --quick      the same, smaller: a few seconds
  npx seep sim wordcount                    simulate a preset: runs/wordcount/latest/
  npx seep sim my.yaml --set cluster.vms=8  an experiment file, with a change
  npx seep run wordcount --workers 2        a real run on local processes
  npx seep sweep my.yaml --grid cluster.vms=2,4 --seeds 5
                                            a sweep: 2 sizes x 5 seeds, on every core
  npx seep chaos wordcount --strategy rsm   a chaos campaign of 20 runs
  npx seep <command> --help                 a command's options and defaults
`;

/** How to build the program: `validateOnly` stops every command before its work. */
export interface ProgramOptions {
  readonly validateOnly?: boolean;
}

/** The `seep` program with every command registered. */
export function buildProgram(options: ProgramOptions = {}): Command {
  const program = new Command("seep")
    .version(seepVersion())
    .description("seep-testbed: an elastic, fault-tolerant stream-processing engine and research testbed")
    .addHelpText("after", EXAMPLES);
  for (const register of COMMANDS) register(program);
  routeParseErrors(program);
  if (options.validateOnly === true) markValidateOnly(program);
  return program;
}
