// A file a new leader coordinator goes on writing (coordinator failover): the old leader's
// partial outputs file, cut at the length its last output snapshot recorded. The prefix is
// copied to the new leader's own partial file, not renamed: an old leader that is only
// paused may still write to its file (its inode) before it learns it was deposed, and must
// not write into the new one's. What the old leader wrote past the cut is sent again by the
// workers, and written once.

import { copyFileSync, openSync, statSync, truncateSync } from "node:fs";
import { UserError } from "./errors.js";

/** Where a partial file stood: its path and its length in bytes. */
export interface FilePosition {
  readonly file: string;
  readonly bytes: number;
}

/** Copy `from`'s first `from.bytes` bytes to `to` and open `to` for appending; the file descriptor. */
export function resumedFile(from: FilePosition, to: string): number {
  let size: number;
  try {
    size = statSync(from.file).size;
  } catch {
    throw new UserError(
      `${from.file}: the outputs file of the run's last leader is gone: the run cannot be taken over`,
    );
  }
  if (size < from.bytes)
    throw new UserError(
      `${from.file}: holds ${size} bytes, fewer than the ${from.bytes} its leader's last output snapshot recorded`,
    );
  copyFileSync(from.file, to);
  truncateSync(to, from.bytes);
  return openSync(to, "a");
}
