// outputs.csv: every tuple the sinks received, written while the run goes, in the columns
// of outputsTable.ts (`timeMs,sink,instance,eventTimeMs`, then the sinks' own). The
// run is one synchronous loop, so an asynchronous stream would only queue everything in
// memory until it ends; lines are instead gathered into chunks of about a megabyte and
// written with writeSync, which bounds memory whatever the size of the run. The file is
// written under a partial name (`outputs.csv.partial-<pid>`) and renamed into place when the
// run has finished; an exit before that (a signal handled by `seep run`) removes it.
// `--outputs csv.gz` gzips each chunk as it goes (outputs.csv.gz: concatenated gzip members,
// which gunzip, zcat and Node's zlib read as one stream), about a tenth of the size for
// Linear Road; `--outputs none` writes nothing. A sink's row that fails (it throws, or
// gives a cell that is no scalar) stops the file: `add` throws a UserError naming the sink
// once, later tuples are dropped, and `close` throws it again, leaving no outputs file (a
// real run, whose outputs arrive in a worker's event handler, goes on to its end that way).

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { LogicalPlan, OutputRecord } from "../engine/index.js";
import { OutputsTable } from "./outputsTable.js";
import { removeOnExit } from "./partialFiles.js";
import { type FilePosition, resumedFile } from "./resumedFile.js";
import { onDisk, temporaryPath } from "./runFiles.js";

// Characters gathered before a chunk is written.
const CHUNK_CHARS = 1 << 20;

/** Where the sinks' outputs go during a run: `close` it after the run, or `abandon` it after a failure. */
export interface OutputsSink {
  add(r: OutputRecord): void;
  close(): void;
  abandon(): void;
  /** Everything added so far written: the partial file and its length (null: no file). */
  position(): FilePosition | null;
  /** Close the partial file and leave it (a deposed leader's: the new leader goes on from it). */
  keep(): void;
}

/**
 * The outputs file of a run of `plan` in `dir` in `format` (`csv`, `csv.gz`), or a sink that
 * keeps nothing (`none`).
 */
export function outputsSink(
  dir: string,
  format: "csv" | "csv.gz" | "none",
  plan: LogicalPlan,
  resume?: FilePosition | null,
): OutputsSink {
  // A run written over (--force) leaves no outputs of the run before in another format.
  for (const name of ["outputs.csv", "outputs.csv.gz"]) rmSync(join(dir, name), { force: true });
  if (format === "none")
    return { add: () => {}, close: () => {}, abandon: () => {}, position: () => null, keep: () => {} };
  const path = join(dir, format === "csv" ? "outputs.csv" : "outputs.csv.gz");
  return new OutputsCsv(path, new OutputsTable(plan), format === "csv.gz", resume ?? undefined);
}

/** outputs.csv (gzipped when `gzip`) being written; `close` it after the run, or `abandon` it after a failure. */
export class OutputsCsv implements OutputsSink {
  private readonly tmp: string;
  private readonly fd: number;
  private pending: string;
  private fdOpen = true;
  /** Bytes in the file so far. */
  private bytes = 0;
  private readonly forget: () => void;
  /** Why the file stopped (a sink's row failed, a disk error), or null. */
  private failure: Error | null = null;

  /** `resume`: a new leader's (coordinator failover): go on from another's partial file, cut where its output state stood. */
  constructor(
    private readonly path: string,
    private readonly table: OutputsTable,
    private readonly gzip = false,
    resume?: FilePosition,
  ) {
    this.tmp = temporaryPath(path);
    if (resume === undefined) {
      this.pending = `${table.header()}\n`;
      this.fd = onDisk(() => openSync(this.tmp, "w"));
    } else {
      this.pending = "";
      this.fd = onDisk(() => resumedFile(resume, this.tmp));
      this.bytes = resume.bytes;
    }
    this.forget = removeOnExit(this.tmp);
  }

  position(): FilePosition | null {
    if (this.failure !== null || !this.fdOpen) return null;
    this.flush();
    return { file: this.tmp, bytes: this.bytes };
  }

  /**
   * Add the lines of `r`. When that fails (a sink's row: a UserError naming it; the disk),
   * it throws, once: the file is dropped, and later tuples with it.
   */
  add(r: OutputRecord): void {
    if (this.failure !== null) return;
    try {
      this.pending += this.table.lines(r);
      if (this.pending.length >= CHUNK_CHARS) this.flush();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.pending = "";
      this.abandon();
      throw err;
    }
  }

  /** Write what is left and move the file into place; throws the failure of a sink's row, if any. */
  close(): void {
    if (this.failure !== null) throw this.failure;
    this.flush();
    onDisk(() => closeSync(this.fd));
    this.fdOpen = false;
    onDisk(() => renameSync(this.tmp, this.path));
    this.forget();
  }

  keep(): void {
    if (this.fdOpen) {
      this.fdOpen = false;
      closeSync(this.fd);
    }
    this.forget();
  }

  /** Close and delete the temporary file, leaving no partial outputs.csv; safe to call at any time. */
  abandon(): void {
    if (this.fdOpen) {
      this.fdOpen = false;
      closeSync(this.fd);
    }
    rmSync(this.tmp, { force: true });
    this.forget();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = Buffer.from(this.pending, "utf8");
    const bytes = this.gzip ? gzipSync(text) : text;
    this.pending = "";
    onDisk(() => {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
    });
    this.bytes += bytes.length;
  }
}
