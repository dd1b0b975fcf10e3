// The files of a generated Linear Road run: its input (15-field CSV, no header) and the
// historical tolls beside it (`<path>.tolls`), streamed in large chunks through partial
// files that are renamed into place only when complete. `seep lrb generate` and `seep lrb
// rate` write them (and the Linear Road calibration benchmark), with progress bars.

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "./errors.js";
import { partialPath, removeOnExit, removeStalePartials } from "./partialFiles.js";
import type { PhaseBars } from "./phaseBar.js";

/** Where the writing of a run's files is: its records (by event time, s) or its tolls (by car). */
export type LrbFilesProgress = (phase: "records" | "tolls", done: number, total: number) => void;

/** Bytes gathered before a write. */
const CHUNK_BYTES = 1 << 22;
/** Room kept free in a chunk for one more line (a record line is at most 256 bytes). */
const LINE_BYTES_MAX = 512;

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
  const { LrGenerator } = await import("../workloads/linearRoad/generator.js");
  const { historicalTolls } = await import("../workloads/linearRoad/historicalTolls.js");
  const { writeInteger, writeRecordCsv } = await import("../workloads/linearRoad/recordCsv.js");
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
