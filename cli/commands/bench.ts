// `seep bench` (also `npm run bench`): runs the benchmarks of bench/, which print their
// own figures; this command only parses which ones to run, how big, how many times the
// real ones run, and where the figures are also written as JSON.

import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { RunFailure, UserError } from "../errors.js";
import { forceOption, listOption, parseInteger } from "../options.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Most runs of a real benchmark: each takes minutes, so more is surely a typo. */
const RUNS_MAX = 100;

/** Flags of `seep bench`, as parsed. */
interface BenchFlags {
  readonly only?: string[];
  readonly quick: boolean;
  readonly runs?: number;
  readonly json?: string;
  readonly force: boolean;
}

/** Register `seep bench` on `program`. */
export function registerBench(program: Command): void {
  const bench = program
    .command("bench")
    .description("run the benchmarks and print each figure next to a baseline measured in the same run")
    .summary("run the benchmarks against in-run baselines")
    .addOption(listOption("--only <names>", "run only these benchmarks, comma-separated", "all"))
    .addOption(new Option("--quick", "smaller sizes, for a quick look").default(false))
    .addOption(
      new Option(
        "--runs <n>",
        "runs of each real benchmark (packet-counter, worker-start, *-real), printed as median and range " +
          "beside the machine's load; the others run once (default: 3, 1 with --quick)",
      ).argParser((v: string) => parseInteger("--runs", v, { min: 1, max: RUNS_MAX })),
    )
    .addOption(
      new Option(
        "--json <file>",
        "also write the figures, every run's value, as JSON to this file (default: none written)",
      ),
    )
    .addOption(forceOption("the --json file"))
    .action(runBench);
  stopsAfterValidation(bench);
}

async function runBench(flags: BenchFlags, command: Command): Promise<void> {
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { BENCHMARKS, BenchFailure, runBenchmarks } = await import("../../bench/index.js");
  const { checkOutputFile, prepareOutputFile } = await import("../outputPath.js");
  const unknown = (flags.only ?? []).filter((name) => !Object.hasOwn(BENCHMARKS, name));
  if (unknown.length > 0) {
    const known = Object.keys(BENCHMARKS).join(", ");
    throw new UserError(`--only names no benchmark '${unknown.join(",")}' (known: ${known})`);
  }
  if (flags.json !== undefined) checkOutputFile(flags.json, "--json", flags.force);
  if (validatesOnly(command)) return;
  if (flags.json !== undefined) prepareOutputFile(flags.json, "--json");
  // A benchmark that could not observe its event says why in one line (exit 1).
  const reports = await runBenchmarks({ only: flags.only, quick: flags.quick, runs: flags.runs }).catch(
    (e: unknown) => {
      throw e instanceof BenchFailure ? new RunFailure(`bench ${e.message}`) : e;
    },
  );
  // NaN (a run that measured no value) is written as null.
  if (flags.json !== undefined) {
    const doc = { writtenAt: new Date().toISOString(), benchmarks: reports };
    writeFileSync(flags.json, `${JSON.stringify(doc, null, 2)}\n`);
  }
}
