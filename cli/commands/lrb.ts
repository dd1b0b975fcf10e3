// `seep lrb`: the Linear Road benchmark's tools. `seep lrb generate` writes a seeded
// input file (15-field CSV, no header) and the historical tolls beside it, streaming in
// large chunks through temp files that are renamed into place only when complete. An
// existing file (or a directory) at `-o` is refused before any work, unless `--force`;
// so is a run estimated long (cli/runEstimate.ts), unless `--yes`.

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { type Command, Option } from "commander";
import { UserError } from "../errors.js";
import { forceOption, integerOption, quietOption, yesOption } from "../options.js";
import { partialPath, removeOnExit, removeStalePartials } from "../partialFiles.js";
import type { PhaseBars } from "../phaseBar.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";
import { registerLrbRate } from "./lrbRate.js";
import { registerLrbValidate } from "./lrbValidate.js";

/** Flags of `seep lrb generate`, as parsed. */
interface GenerateFlags {
  readonly xways: number;
  readonly duration: number;
  readonly seed: number;
  readonly output: string;
  readonly quiet: boolean;
  readonly force: boolean;
  readonly yes: boolean;
}

/** Where the writing of a run's files is: its records (by event time, s) or its tolls (by car). */
export type LrbFilesProgress = (phase: "records" | "tolls", done: number, total: number) => void;

/** Bytes gathered before a write. */
const CHUNK_BYTES = 1 << 22;
/** Room kept free in a chunk for one more line (a record line is at most 256 bytes). */
const LINE_BYTES_MAX = 512;

/** Register `seep lrb` and its subcommands on `program`. */
export function registerLrb(program: Command): void {
  const lrb = program
    .command("lrb")
    .description("Linear Road benchmark tools: generate an input, validate a run's answers, find an L-rating")
    .summary("Linear Road tools: generate, validate, rate");
  const generate = lrb
    .command("generate")
    .description(
      "write a seeded Linear Road input file (Type,Time,VID,Spd,XWay,Lane,Dir,Seg,Pos,QID,S_init,S_end,DOW,TOD,Day; " +
        "-1 where unused) and its historical tolls as <FILE>.tolls (VID,Day,XWay,Toll); same seed, same bytes",
    )
    .summary("write a seeded Linear Road input and its tolls")
    .addOption(integerOption("--xways <n>", "expressways, L", 1, { min: 1, max: 1000 }))
    .addOption(
      integerOption("--duration <seconds>", "event-time length of the run", 10800, { min: 1, max: 86_400 }),
    )
    .addOption(integerOption("--seed <n>", "seed of every random choice", 0, { min: 0 }))
    .addOption(
      new Option(
        "-o, --output <file>",
        "input file to write; the tolls go to <file>.tolls (required)",
      ).makeOptionMandatory(),
    )
    .addOption(quietOption())
    .addOption(forceOption("the input file and its tolls"))
    .addOption(yesOption())
    .action(runGenerate);
  stopsAfterValidation(generate);
  registerLrbValidate(lrb);
  registerLrbRate(lrb);
}

async function runGenerate(flags: GenerateFlags, command: Command): Promise<void> {
  if (flags.output === "") throw new UserError("lrb generate needs -o <file>");
  const { checkOutputFile, prepareOutputFile } = await import("../outputPath.js");
  const { confirmRecords, terminalQuestion } = await import("../runEstimate.js");
  const { WORKLOADS } = await import("../../workloads/index.js");
  checkOutputFile(flags.output, "-o", flags.force);
  checkOutputFile(`${flags.output}.tolls`, "-o", flags.force);
  const validating = validatesOnly(command);
  const { sourceTuples } = WORKLOADS.lrb.size({ xways: flags.xways, durationS: flags.duration });
  await confirmRecords("lrb generate", sourceTuples, 50, "--xways, --duration", {
    yes: flags.yes,
    ask: validating ? undefined : terminalQuestion(),
  });
  if (validating) return;
  prepareOutputFile(flags.output, "-o");
  const { PhaseBars } = await import("../phaseBar.js");
  const bars = process.stderr.isTTY && !flags.quiet ? new PhaseBars(process.stderr) : null;
  const startedMs = performance.now();
  let written: { records: number; tollRows: number };
  try {
    written = await writeLrbFiles(
      flags.output,
      flags.seed,
      flags.xways,
      flags.duration,
      0,
      bars === null ? undefined : lrbFilesBars(bars),
    );
  } catch (err) {
    // A disk that fills up or goes away mid-way: the user's to fix, in one line.
    if (typeof (err as NodeJS.ErrnoException).code === "string")
      throw new UserError(`-o ${flags.output}: cannot write: ${(err as Error).message}`);
    throw err;
  } finally {
    bars?.stop();
  }
  const { records, tollRows } = written;
  const elapsedS = (performance.now() - startedMs) / 1000;
  process.stdout.write(
    `${records} records to ${flags.output}, ${tollRows} historical tolls to ${flags.output}.tolls, ` +
      `seed ${flags.seed}, ${elapsedS.toFixed(2)} s wall clock\n`,
  );
}

/** The progress of writing a run's files as `bars`, a bar per phase, each label after `prefix`. */
export function lrbFilesBars(bars: PhaseBars, prefix = ""): LrbFilesProgress {
  return (phase, done, total) =>
    phase === "records"
      ? bars.update(`${prefix}records`, done, total, "s event time")
      : bars.update(`${prefix}tolls  `, done, total, "cars");
}

/** Calls of a LrbFilesProgress: one every this many rows (a power of two). */
const PROGRESS_ROWS = 1 << 16;

/**
 * Write the input file of a generated run and its tolls beside it (`<path>.tolls`). With
 * `fromS` > 0 only records from `fromS` on are kept (a window of the run, for rating), and
 * only the toll rows its daily expenditure queries ask for.
 */
export async function writeLrbFiles(
  path: string,
  seed: number,
  xways: number,
  durationS: number,
  fromS: number,
  onProgress?: LrbFilesProgress,
): Promise<{ records: number; tollRows: number }> {
  const { LrGenerator } = await import("../../workloads/linearRoad/generator.js");
  const { historicalTolls } = await import("../../workloads/linearRoad/historicalTolls.js");
  const { writeInteger, writeRecordCsv } = await import("../../workloads/linearRoad/recordCsv.js");
  const gen = new LrGenerator({ seed, xways, durationS });
  const row = new Float64Array(15);
  const wanted = new Set<string>();
  const records = writeAtomically(path, (out) => {
    let n = 0;
    let seen = 0;
    while (gen.next(row)) {
      if (onProgress !== undefined && (++seen & (PROGRESS_ROWS - 1)) === 0)
        onProgress("records", row[1], durationS);
      if (row[1] < fromS) continue;
      if (fromS > 0 && row[0] === 3) wanted.add(`${row[2]},${row[14]},${row[4]}`);
      out.at = writeRecordCsv(row, out.buf, out.at);
      out.flushIfFull();
      n++;
    }
    onProgress?.("records", durationS, durationS);
    return n;
  });
  const cars = gen.maxVid + 1;
  const tollRows = writeAtomically(`${path}.tolls`, (out) => {
    let n = 0;
    let seen = 0;
    for (const fields of historicalTolls(seed, gen.maxVid, xways)) {
      if (onProgress !== undefined && (++seen & (PROGRESS_ROWS - 1)) === 0)
        onProgress("tolls", fields[0], cars);
      if (fromS > 0 && !wanted.has(`${fields[0]},${fields[1]},${fields[2]}`)) continue;
      for (let i = 0; i < 4; i++) {
        out.at = writeInteger(fields[i], out.buf, out.at);
        out.buf[out.at++] = i < 3 ? COMMA : NEWLINE;
      }
      out.flushIfFull();
      n++;
    }
    onProgress?.("tolls", cars, cars);
    return n;
  });
  return { records, tollRows };
}

const COMMA = 44;
const NEWLINE = 10;

/** A chunk of bytes being filled, written out to a file when nearly full. */
class ChunkWriter {
  readonly buf = new Uint8Array(CHUNK_BYTES);
  at = 0;
  constructor(private readonly fd: number) {}

  /** Write the chunk out once fewer than LINE_BYTES_MAX bytes are left. */
  flushIfFull(): void {
    if (this.at > CHUNK_BYTES - LINE_BYTES_MAX) this.flush();
  }

  /** Write out what the chunk holds. */
  flush(): void {
    let done = 0;
    while (done < this.at) done += writeSync(this.fd, this.buf, done, this.at - done);
    this.at = 0;
  }
}

/**
 * Write `path` through `<path>.partial-<pid>` in chunks; rename it into place when `fill`
 * returns. The generation runs without yielding, so a signal kills the process at once and
 * cannot clean up: the partial file says what it is, and the next generation into the same
 * directory removes those of processes that are gone (cli/partialFiles.ts).
 */
function writeAtomically<T>(path: string, fill: (out: ChunkWriter) => T): T {
  removeStalePartials(dirname(path));
  const tmp = partialPath(path);
  let fd: number;
  try {
    fd = openSync(tmp, "w");
  } catch (err) {
    throw new UserError(`cannot write ${path}: ${(err as Error).message}`);
  }
  const forget = removeOnExit(tmp);
  try {
    const out = new ChunkWriter(fd);
    const result = fill(out);
    out.flush();
    closeSync(fd);
    renameSync(tmp, path);
    return result;
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    forget();
  }
}
