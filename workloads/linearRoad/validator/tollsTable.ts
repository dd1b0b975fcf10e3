// The historical tolls file that type 3 (daily expenditure) answers come from: lines
// `VID,Day,XWay,Toll`, one per (VID, Day, XWay). Read whole into a Map, as the table is
// read-only and looked up at random; given the keys the queries ask for, only those are
// kept (a 3-hour table has millions of rows and a run asks for a few thousand). A repeated
// (VID, Day, XWay) among the kept ones is an error rather than "last one wins", since
// either reading would make a different expected answer.

import { closeSync, openSync, readSync } from "node:fs";
import { LrFileError, unreadable } from "./fileError.js";

/** Tolls by (VID, Day, XWay). */
export type TollsTable = ReadonlyMap<string, number>;

/** The key of a (VID, Day, XWay) in a TollsTable. */
export function tollsKey(vid: number, day: number, xway: number): string {
  return `${vid},${day},${xway}`;
}

const NON_NEGATIVE = /^\d{1,15}$/;

/** The table of a tolls file (only the `wanted` keys, if given); a malformed or repeated line is an LrFileError. */
export function readTollsTable(path: string, wanted?: ReadonlySet<string>): TollsTable {
  const table = new Map<string, number>();
  let line = 0;
  for (const raw of fileLines(path)) {
    line++;
    const lineText = raw.trim();
    if (lineText === "") continue;
    const parts = lineText.split(",").map((p) => p.trim());
    if (parts.length !== 4)
      throw new LrFileError(path, line, `expected VID,Day,XWay,Toll, got '${lineText}'`);
    const bad = parts.findIndex((p) => !NON_NEGATIVE.test(p));
    if (bad >= 0)
      throw new LrFileError(path, line, `field ${bad + 1} '${parts[bad]}' is not a non-negative integer`);
    const [vid, day, xway, toll] = parts.map(Number);
    const key = tollsKey(vid, day, xway);
    if (wanted !== undefined && !wanted.has(key)) continue;
    if (table.has(key))
      throw new LrFileError(path, line, `(VID ${vid}, Day ${day}, XWay ${xway}) appears twice`);
    table.set(key, toll);
  }
  return table;
}

/** The lines of a file, read in chunks (a full run's tolls file is larger than a string may be). */
function* fileLines(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw unreadable(path, err);
  }
  try {
    const chunk = Buffer.alloc(1 << 22);
    let rest = "";
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const text = rest + chunk.toString("latin1", 0, n);
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      yield* lines;
    }
    if (rest !== "") yield rest;
  } finally {
    closeSync(fd);
  }
}
