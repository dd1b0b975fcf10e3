// Historical tolls as a lookup for daily expenditure queries: either computed from the
// seed row by row (the rows historicalTolls writes), or read from a tolls file
// (`VID,Day,XWay,Toll` lines).

import { readFileSync } from "node:fs";
import { hashKey } from "../../engine/index.js";
import { historicalToll, historyXway } from "./historicalTolls.js";
import { LR } from "./schema.js";

/** The toll of (vid, day, xway), 0 when the table has no such row. */
export type TollLookup = (vid: number, day: number, xway: number) => number;

/** The generator's historical tolls for `seed` and `xways`, computed row by row as asked. */
export function generatedTolls(seed: number, xways: number): TollLookup {
  return (vid, day, xway) =>
    day < 1 || day > LR.historyDays || xway !== historyXway(vid, day, xways)
      ? 0
      : historicalToll(seed, vid, day);
}

/**
 * A tolls file read into memory, compactly: an open-addressing hash table over typed arrays
 * keyed by (vid, day, xway), since a full run's file has tens of millions of rows (more
 * than a Map may hold). Every instance that answers daily expenditures holds one.
 */
export function tollsFromFile(path: string): TollLookup {
  const bytes = readFileSync(path);
  let rows = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) rows++;
  let capacity = 1024;
  while (capacity < rows * 2) capacity *= 2;
  const keys = new Float64Array(capacity).fill(-1);
  const tolls = new Uint8Array(capacity);
  const mask = capacity - 1;
  const slotOf = (key: number): number => {
    let h = hashKey(key) & mask;
    while (keys[h] !== -1 && keys[h] !== key) h = (h + 1) & mask;
    return h;
  };
  const keyOf = (vid: number, day: number, xway: number) => (vid * 128 + day) * 4096 + xway;
  const fields = [0, 0, 0, 0];
  let f = 0;
  let n = 0;
  let digits = false;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    const c = i < bytes.length ? bytes[i] : 10;
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits = true;
    } else if (c === 44 || c === 10) {
      if (digits) fields[f++] = n;
      n = 0;
      digits = false;
      if (c === 10) {
        if (f === 4) {
          const key = keyOf(fields[0], fields[1], fields[2]);
          const h = slotOf(key);
          keys[h] = key;
          tolls[h] = fields[3];
        } else if (f !== 0) {
          throw new RangeError(`${path}:${line}: a tolls line has ${f} fields, not 4 (VID,Day,XWay,Toll)`);
        }
        f = 0;
        line++;
      }
    } else if (c !== 13 && c !== 32) {
      throw new RangeError(`${path}:${line}: a tolls line has a character that is not a digit or a comma`);
    }
  }
  return (vid, day, xway) => {
    const h = slotOf(keyOf(vid, day, xway));
    return keys[h] === -1 ? 0 : tolls[h];
  };
}
