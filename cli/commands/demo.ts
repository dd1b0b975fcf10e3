// `seep demo`: the project's first end-to-end job, a windowed word count run through the
// in-process runtime. The command parses flags, runs the workload, prints its result
// and the wall-clock time the run took (the CLI is the only layer that reads the clock).

import type { Command } from "commander";
import { UserError } from "../errors.js";
import { integerOption } from "../options.js";

/** Flags of `seep demo`, as parsed. */
interface DemoFlags {
  readonly seed: number;
  readonly lines: number;
  readonly windowMs: number;
  readonly slideMs: number;
  readonly parallelism: number;
  readonly top: number;
}

/** Register `seep demo` on `program`. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run a windowed word count through the in-process runtime and print its result")
    .summary("run a windowed word count in process")
    .addOption(integerOption("--seed <n>", "seed of the generated text", 42, { min: 0 }))
    .addOption(integerOption("--lines <n>", "lines of text to generate", 2000, { min: 1 }))
    .addOption(
      integerOption("--window-ms <ms>", "window size in event-time ms, a multiple of --slide-ms", 10000, {
        min: 1,
      }),
    )
    .addOption(integerOption("--slide-ms <ms>", "window slide in event-time ms", 5000, { min: 1 }))
    .addOption(integerOption("--parallelism <n>", "instances of each operator", 2, { min: 1 }))
    .addOption(integerOption("--top <n>", "most frequent words shown per window", 5, { min: 1 }))
    .action(runDemo);
}

async function runDemo(flags: DemoFlags): Promise<void> {
  if (flags.windowMs % flags.slideMs !== 0) {
    throw new UserError(
      `--window-ms (${flags.windowMs}) must be a multiple of --slide-ms (${flags.slideMs}), so that every window starts on a slide`,
    );
  }
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { DEFAULT_MAX_KEY_GROUPS } = await import("../../engine/index.js");
  if (flags.parallelism > DEFAULT_MAX_KEY_GROUPS) {
    throw new UserError(
      `--parallelism (${flags.parallelism}) must be at most ${DEFAULT_MAX_KEY_GROUPS}, the number of key groups`,
    );
  }
  const { runWordCountDemo, formatWordCount } = await import("../../workloads/wordCount/index.js");
  const startedMs = performance.now();
  const result = runWordCountDemo({
    seed: flags.seed,
    lines: flags.lines,
    windowSizeMs: flags.windowMs,
    windowSlideMs: flags.slideMs,
    parallelism: flags.parallelism,
  });
  const elapsedS = (performance.now() - startedMs) / 1000;
  process.stdout.write(`${formatWordCount(result, { top: flags.top })}\n`);
  process.stdout.write(`seed ${flags.seed}, ${elapsedS.toFixed(2)} s wall clock\n`);
}
