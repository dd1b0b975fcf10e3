// `seep demo`: the project's first end-to-end job, a windowed word count run through the
// in-process runtime. The command parses flags, runs the workload, prints its result
// and the wall-clock time the run took (the CLI is the only layer that reads the clock).
// Its sizes are bounded so that a demo stays a demo: at most 10^7 lines (it keeps every
// window's counts in memory), windows up to a day and at most 1000 slides long.

import type { Command } from "commander";
import { UserError } from "../errors.js";
import { integerOption } from "../options.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Longest window or slide, ms: a day. */
const WINDOW_MS_MAX = 86_400_000;
/** Most windows a word falls in (--window-ms / --slide-ms). */
const WINDOWS_PER_WORD_MAX = 1_000;

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
  const demo = program
    .command("demo")
    .description("run a windowed word count through the in-process runtime and print its result")
    .summary("run a windowed word count in process")
    .addOption(integerOption("--seed <n>", "seed of the generated text", 42, { min: 0 }))
    .addOption(integerOption("--lines <n>", "lines of text to generate", 2000, { min: 1, max: 10_000_000 }))
    .addOption(
      integerOption("--window-ms <ms>", "window size in event-time ms, a multiple of --slide-ms", 10000, {
        min: 1,
        max: WINDOW_MS_MAX,
      }),
    )
    .addOption(
      integerOption("--slide-ms <ms>", "window slide in event-time ms", 5000, { min: 1, max: WINDOW_MS_MAX }),
    )
    .addOption(integerOption("--parallelism <n>", "instances of each operator", 2, { min: 1 }))
    .addOption(integerOption("--top <n>", "most frequent words shown per window", 5, { min: 1, max: 10_000 }))
    .action(runDemo);
  stopsAfterValidation(demo);
}

async function runDemo(flags: DemoFlags, command: Command): Promise<void> {
  if (flags.windowMs % flags.slideMs !== 0) {
    throw new UserError(
      `--window-ms (${flags.windowMs}) must be a multiple of --slide-ms (${flags.slideMs}), so that every window starts on a slide`,
    );
  }
  if (flags.windowMs / flags.slideMs > WINDOWS_PER_WORD_MAX) {
    throw new UserError(
      `--window-ms (${flags.windowMs}) must be at most ${WINDOWS_PER_WORD_MAX} times --slide-ms (${flags.slideMs}): each word is counted in every window it falls in`,
    );
  }
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { DEFAULT_MAX_KEY_GROUPS } = await import("../../engine/index.js");
  if (flags.parallelism > DEFAULT_MAX_KEY_GROUPS) {
    throw new UserError(
      `--parallelism (${flags.parallelism}) must be at most ${DEFAULT_MAX_KEY_GROUPS}, the number of key groups`,
    );
  }
  if (validatesOnly(command)) return;
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
