// Reading a text file line by line, in fixed-size chunks read synchronously: the answers
// file and the historical tolls of a full run are larger than a string may hold (and than
// memory should hold), so neither is ever read whole. A file that cannot be opened or read
// is an LrFileError naming it.

import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { unreadable } from "./fileError.js";

/** Bytes read at a time. */
const DEFAULT_CHUNK_BYTES = 1 << 20;

/** The lines of a file, one at a time, in order: `for (let l = f.next(); l !== null; l = f.next())`. */
export class TextLines {
  private fd: number | null;
  private readonly buffer: Buffer;
  private readonly decoder = new StringDecoder("utf8");
  /** Decoded text not yet consumed; `pos` is where the next line starts. */
  private text = "";
  private pos = 0;
  private eof = false;
  /** The 1-based number of the line next() returned last (0 before the first). */
  line = 0;

  /** Opens `path`; it is closed at its end, on an error, or by close(). */
  constructor(
    readonly path: string,
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes ${chunkBytes} < 1`);
    try {
      this.fd = openSync(path, "r");
    } catch (err) {
      throw unreadable(path, err);
    }
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /** The next line, without its line end (a last line without one included), or null at the end. */
  next(): string | null {
    let nl = this.text.indexOf("\n", this.pos);
    while (nl < 0 && !this.eof) {
      this.readChunk();
      nl = this.text.indexOf("\n", this.pos);
    }
    if (nl < 0 && this.pos >= this.text.length) {
      this.close();
      return null;
    }
    const end = nl < 0 ? this.text.length : nl;
    const line = this.text.slice(this.pos, end);
    this.pos = nl < 0 ? end : nl + 1;
    this.line++;
    return line;
  }

  /** Closes the file; next() then returns null. Safe to call twice. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    this.eof = true;
    this.text = "";
    this.pos = 0;
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
    let n: number;
    try {
      n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
    } catch (err) {
      this.close();
      throw unreadable(this.path, err);
    }
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
