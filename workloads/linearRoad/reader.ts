// Streaming a Linear Road input file into record rows, one line at a time, in fixed-size
// chunks read synchronously (the whole file, about 1 GB per expressway, never sits in
// memory). It owns what spans lines: line numbers, lines cut by a chunk boundary, the rule
// that time never goes backwards, what to do with a bad line, and counts by record type.
// Whitespace-only lines (a trailing newline, say) are not records and are passed over.
// With `clampSpeeds`, a position report's speed outside 0..100 (other generators write -1
// for a braking car) is clamped into that range and counted, instead of making a bad line.

import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { checkRanges, type ParseIssue, parseFields } from "./recordParser.js";
import { F, LR, RecordType } from "./schema.js";

/** What the reader does with a bad line: throw an LrInputError, or count it and go on. */
export type BadLinePolicy = "stop" | "skip";

/** Options of an LrReader. */
export interface LrReaderOptions {
  readonly onBadLine: BadLinePolicy;
  /** Clamp a position report's speed into 0..100 instead of refusing the line (default false). */
  readonly clampSpeeds?: boolean;
  /** Bytes read at a time; 1 MiB unless told (tests use tiny chunks to cut lines). */
  readonly chunkBytes?: number;
}

/** A bad line, where it was. */
export interface LineIssue extends ParseIssue {
  readonly line: number;
}

/** What a reader has seen so far. */
export interface LrReadStats {
  /** Valid records returned. */
  readonly records: number;
  /** Valid records by type: index 0, 2, 3, 4 (1 is always 0). */
  readonly byType: readonly number[];
  /** Bad lines skipped ("skip" mode). */
  readonly skipped: number;
  /** The first MAX_KEPT_ISSUES bad lines, for a report. */
  readonly issues: readonly LineIssue[];
  /** Lines read, blank ones included. */
  readonly lines: number;
  /** Valid records whose speed was clamped into 0..100 (`clampSpeeds`). */
  readonly clamped: number;
}

/** A bad line in "stop" mode; the message is one line: `<file>:<line>: <field>: <message>`. */
export class LrInputError extends Error {
  /** @param file the path as given to the reader */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${field}: ${reason}`);
    this.name = "LrInputError";
  }
}

/** Bad lines kept with their line numbers in "skip" mode. */
export const MAX_KEPT_ISSUES = 10;

const DEFAULT_CHUNK_BYTES = 1 << 20;
const NEWLINE = 10;

/** Reads a Linear Road file record by record: `while (reader.next(row)) ...`. */
export class LrReader {
  private fd: number | null;
  private readonly buffer: Buffer;
  private readonly decoder = new StringDecoder("utf8");
  /** Decoded text not yet consumed; `pos` is where the next line starts. */
  private text = "";
  private pos = 0;
  private eof = false;
  private lastTime = Number.NEGATIVE_INFINITY;
  private lineNo = 0;
  private records = 0;
  private skipped = 0;
  private clamped = 0;
  private readonly byType = [0, 0, 0, 0, 0];
  private readonly issues: LineIssue[] = [];

  /** Opens `path`; the file is closed when the reader reaches its end, throws, or is closed. */
  constructor(
    readonly path: string,
    private readonly options: LrReaderOptions,
  ) {
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes ${chunkBytes} < 1`);
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    this.fd = openSync(path, "r");
  }

  /** Fills `row` with the next valid record and returns true, or returns false at the end of the file. */
  next(row: Float64Array): boolean {
    for (;;) {
      let nl = this.text.indexOf("\n", this.pos);
      while (nl < 0 && !this.eof) {
        this.readChunk();
        nl = this.text.indexOf("\n", this.pos);
      }
      const start = this.pos;
      const end = nl < 0 ? this.text.length : nl;
      if (start >= end && nl < 0) return false; // at the end, nothing left
      this.pos = nl < 0 ? end : nl + 1;
      this.lineNo++;
      if (isBlank(this.text, start, end)) continue;
      let clamped = false;
      let issue = parseFields(this.text, start, end, row);
      if (issue === null) {
        if (this.options.clampSpeeds === true) clamped = clampSpeed(row);
        issue = checkRanges(row) ?? this.checkTime(row);
      }
      if (issue === null) {
        this.lastTime = row[F.time];
        this.records++;
        this.byType[row[F.type]]++;
        if (clamped) this.clamped++;
        return true;
      }
      this.bad(issue);
    }
  }

  /** The 1-based number of the line read last (of the record next() returned, after a true). */
  get line(): number {
    return this.lineNo;
  }

  /** Counts so far (a copy). */
  stats(): LrReadStats {
    return {
      records: this.records,
      byType: [...this.byType],
      skipped: this.skipped,
      issues: [...this.issues],
      lines: this.lineNo,
      clamped: this.clamped,
    };
  }

  /** Closes the file; next() then returns false. Safe to call twice. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    this.eof = true;
    this.text = "";
    this.pos = 0;
  }

  private checkTime(row: Float64Array): ParseIssue | null {
    const time = row[F.time];
    return time < this.lastTime
      ? { field: "time", message: `time ${time} goes back from ${this.lastTime}` }
      : null;
  }

  private bad(issue: ParseIssue): void {
    if (this.options.onBadLine === "stop") {
      this.close();
      throw new LrInputError(this.path, this.lineNo, issue.field, issue.message);
    }
    this.skipped++;
    if (this.issues.length < MAX_KEPT_ISSUES) this.issues.push({ line: this.lineNo, ...issue });
  }

  /** Appends the next chunk to the unconsumed text, dropping what is consumed; sets eof at the end. */
  private readChunk(): void {
    const rest = this.pos === 0 ? this.text : this.text.slice(this.pos);
    this.pos = 0;
    if (this.fd === null) {
      this.text = rest;
      this.eof = true;
      return;
    }
    const n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
    if (n === 0) {
      this.text = rest + this.decoder.end();
      closeSync(this.fd);
      this.fd = null;
      this.eof = true;
      return;
    }
    this.text =
      rest + this.decoder.write(n === this.buffer.length ? this.buffer : this.buffer.subarray(0, n));
  }
}

/** Reads a whole file and returns its counts; with "stop" it throws LrInputError at the first bad line. */
export function countRecords(path: string, options: LrReaderOptions): LrReadStats {
  const reader = new LrReader(path, options);
  const row = new Float64Array(F.day + 1);
  try {
    while (reader.next(row)) {
      // counting only
    }
  } finally {
    reader.close();
  }
  return reader.stats();
}

/** Clamps the speed of a position report into 0..LR.maxSpeed; true when it changed. */
function clampSpeed(row: Float64Array): boolean {
  if (row[F.type] !== RecordType.position) return false;
  const spd = row[F.spd];
  if (spd >= 0 && spd <= LR.maxSpeed) return false;
  row[F.spd] = spd < 0 ? 0 : LR.maxSpeed;
  return true;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== NEWLINE) return false;
  }
  return true;
}
