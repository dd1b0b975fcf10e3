// outputs.csv: every tuple the sinks received, written while the simulation runs. The
// run is one synchronous loop, so an asynchronous stream would only queue everything in
// memory until it ends; lines are instead gathered into chunks of about a megabyte and
// written with writeSync, which bounds memory whatever the size of the run. The file is
// written under a partial name (`outputs.csv.partial-<pid>`) and renamed into place when the
// run has finished; an exit before that (a signal handled by `seep run`) removes it.
// `--outputs csv.gz` gzips each chunk as it goes (outputs.csv.gz: concatenated gzip members,
// which gunzip, zcat and Node's zlib read as one stream), about a tenth of the size for
// Linear Road; `--outputs none` writes nothing.

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { OutputRecord } from "../sim/index.js";
import { removeOnExit } from "./partialFiles.js";
import { onDisk, temporaryPath } from "./runFiles.js";

/** The header line of outputs.csv. */
export const OUTPUTS_CSV_HEADER = "timeMs,sink,instance,key,eventTimeMs,value";

// Characters gathered before a chunk is written.
const CHUNK_CHARS = 1 << 20;

/** Where the sinks' outputs go during a run: `close` it after the run, or `abandon` it after a failure. */
export interface OutputsSink {
  add(r: OutputRecord): void;
  close(): void;
  abandon(): void;
}

/** The outputs file of a run in `dir` in `format` (`csv`, `csv.gz`), or a sink that keeps nothing (`none`). */
export function outputsSink(dir: string, format: "csv" | "csv.gz" | "none"): OutputsSink {
  // A run written over (--force) leaves no outputs of the run before in another format.
  for (const name of ["outputs.csv", "outputs.csv.gz"]) rmSync(join(dir, name), { force: true });
  if (format === "none") return { add: () => {}, close: () => {}, abandon: () => {} };
  return new OutputsCsv(join(dir, format === "csv" ? "outputs.csv" : "outputs.csv.gz"), format === "csv.gz");
}

/** outputs.csv (gzipped when `gzip`) being written; `close` it after the run, or `abandon` it after a failure. */
export class OutputsCsv implements OutputsSink {
  private readonly tmp: string;
  private readonly fd: number;
  private pending = `${OUTPUTS_CSV_HEADER}\n`;
  private fdOpen = true;
  private readonly forget: () => void;

  constructor(
    private readonly path: string,
    private readonly gzip = false,
  ) {
    this.tmp = temporaryPath(path);
    this.fd = onDisk(() => openSync(this.tmp, "w"));
    this.forget = removeOnExit(this.tmp);
  }

  /** Add one line for `r`. */
  add(r: OutputRecord): void {
    this.pending += `${r.timeMs},${csvField(r.sink)},${r.instance},${r.key},${r.eventTimeMs},${csvField(jsonOf(r.value))}\n`;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /** Write what is left and move the file into place. */
  close(): void {
    this.flush();
    onDisk(() => closeSync(this.fd));
    this.fdOpen = false;
    onDisk(() => renameSync(this.tmp, this.path));
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
  }
}

/** `text` as one CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `value` as JSON; bigints as decimal strings, undefined as the empty string. */
export function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "";
}
