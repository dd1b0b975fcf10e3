// `seep bench` (also `npm run bench`): runs the benchmarks of bench/, which print their
// own figures; this command only parses which ones to run and how big.

import { type Command, Option } from "commander";
import { RunFailure, UserError } from "../errors.js";
import { listOption } from "../options.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Flags of `seep bench`, as parsed. */
interface BenchFlags {
  readonly only?: string[];
  readonly quick: boolean;
}

/** Register `seep bench` on `program`. */
export function registerBench(program: Command): void {
  const bench = program
    .command("bench")
    .description("run the benchmarks and print each figure next to a baseline measured in the same run")
    .summary("run the benchmarks against in-run baselines")
    .addOption(listOption("--only <names>", "run only these benchmarks, comma-separated", "all"))
    .addOption(new Option("--quick", "smaller sizes, for a quick look").default(false))
    .action(runBench);
  stopsAfterValidation(bench);
}

async function runBench(flags: BenchFlags, command: Command): Promise<void> {
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { BENCHMARKS, BenchFailure, runBenchmarks } = await import("../../bench/index.js");
  const unknown = (flags.only ?? []).filter((name) => !Object.hasOwn(BENCHMARKS, name));
  if (unknown.length > 0) {
    const known = Object.keys(BENCHMARKS).join(", ");
    throw new UserError(`--only names no benchmark '${unknown.join(",")}' (known: ${known})`);
  }
  if (validatesOnly(command)) return;
  // A benchmark that could not observe its event says why in one line (exit 1).
  await runBenchmarks({ only: flags.only, quick: flags.quick }).catch((e: unknown) => {
    throw e instanceof BenchFailure ? new RunFailure(`bench ${e.message}`) : e;
  });
}
