// `seep lrb validate`: checks an output file of Linear Road answers against the answers
// its input calls for (workloads/linearRoad/validator), prints the report, and exits 0
// when the output is valid, 1 otherwise. Both files are streamed, so a run of any length
// validates in bounded memory. Problems with the files themselves (missing, malformed)
// are the user's: one line, through UserError.

import { accessSync, constants } from "node:fs";
import type { Command } from "commander";
import { UserError } from "../errors.js";

/** Flags of `seep lrb validate`, as parsed. */
export interface LrbValidateFlags {
  readonly input: string;
  readonly output: string;
  readonly tolls?: string;
  readonly clampSpeeds?: boolean;
}

/** Add `validate` to the `seep lrb` command group. */
export function registerLrbValidate(lrb: Command): void {
  lrb
    .command("validate")
    .description(
      "check an output file of answers (0,VID,Time,Emit,LAV,Toll / 1,Time,Emit,Seg,VID,XWay,Dir / " +
        "2,Time,Emit,ResultTime,QID,Bal / 3,Time,Emit,QID,Bal) against the answers its input calls for; " +
        "exit 0 when every answer is present once, right and within 5 s, 1 otherwise",
    )
    .summary("check a run's answers against its input")
    .requiredOption("--input <file>", "the Linear Road input file the run read (required)")
    .requiredOption("--output <file>", "the answers the run wrote (required)")
    .option(
      "--tolls <file>",
      "historical tolls (VID,Day,XWay,Toll) for daily expenditure answers " +
        "(default: none: their balances are not checked)",
    )
    .option(
      "--clamp-speeds",
      "clamp position reports' speeds outside 0..100 (some generators write -1) into 0..100 " +
        "instead of refusing the line, and say how many were (default: refuse them)",
    )
    .action(async (flags: LrbValidateFlags) => {
      process.exitCode = await lrbValidate(
        flags,
        (text) => process.stdout.write(text),
        (text) => process.stderr.write(text),
      );
    });
}

/**
 * Validates the files of `flags`, writes the report with `write` (and how many speeds were
 * clamped, with `--clamp-speeds`, with `warn`), and returns the exit code.
 */
export async function lrbValidate(
  flags: LrbValidateFlags,
  write: (text: string) => void,
  warn: (text: string) => void = () => {},
): Promise<number> {
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { formatReport, LrFileError, validateFiles } = await import(
    "../../workloads/linearRoad/validator/index.js"
  );
  const { clampedSpeedsLine, inputErrorMessage } = await import("../lrbInput.js");
  const { LrInputError } = await import("../../workloads/linearRoad/reader.js");
  // Every file is looked at before the input is read, which takes seconds on a long run.
  for (const [flag, file] of [
    ["--input", flags.input],
    ["--output", flags.output],
    ["--tolls", flags.tolls],
  ] as const) {
    if (file === undefined) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new UserError(`${flag}: cannot read ${file}: no such file or not readable`);
    }
  }
  try {
    const clampSpeeds = flags.clampSpeeds === true;
    const { report, clampedSpeeds } = validateFiles(
      { input: flags.input, tolls: flags.tolls ?? null, output: flags.output },
      { clampSpeeds },
    );
    if (clampSpeeds) warn(`seep: ${clampedSpeedsLine(flags.input, clampedSpeeds)}\n`);
    write(formatReport(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof LrInputError)
      throw new UserError(inputErrorMessage(err, "--clamp-speeds clamps speeds into 0..100"));
    if (err instanceof LrFileError) throw new UserError(err.message);
    throw err;
  }
}
