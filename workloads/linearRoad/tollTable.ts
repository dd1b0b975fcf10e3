// Historical tolls as a lookup for daily expenditure queries: either generated on the fly
// from the seed (the rows of historicalTolls, produced up to the highest VID asked for so
// far and kept in typed arrays), or read from a tolls file (`VID,Day,XWay,Toll` lines).

import { readFileSync } from "node:fs";
import { historicalTolls, historyXway } from "./historicalTolls.js";
import { LR } from "./schema.js";

/** The toll of (vid, day, xway), 0 when the table has no such row. */
export type TollLookup = (vid: number, day: number, xway: number) => number;

/** The generator's historical tolls for `seed` and `xways`, produced as far as queries need. */
export function generatedTolls(seed: number, xways: number): TollLookup {
  let tolls = new Uint8Array(0);
  let rows: Iterator<[number, number, number, number]> | null = null;
  let upToVid = -1;
  const grow = (vid: number) => {
    if (rows === null) rows = historicalTolls(seed, Number.MAX_SAFE_INTEGER, xways)[Symbol.iterator]();
    const need = (vid + 1) * LR.historyDays;
    if (tolls.length < need) {
      const next = new Uint8Array(Math.max(need, tolls.length * 2));
      next.set(tolls);
      tolls = next;
    }
    while (upToVid < vid) {
      for (let d = 0; d < LR.historyDays; d++) {
        const [v, day, , toll] = rows.next().value as [number, number, number, number];
        tolls[v * LR.historyDays + day - 1] = toll;
      }
      upToVid++;
    }
  };
  return (vid, day, xway) => {
    if (day < 1 || day > LR.historyDays || xway !== historyXway(vid, day, xways)) return 0;
    if (vid > upToVid) grow(vid);
    return tolls[vid * LR.historyDays + day - 1];
  };
}

/** A tolls file read into memory (it is read-only state every instance may consult). */
export function tollsFromFile(path: string): TollLookup {
  const table = new Map<number, number>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const [vid, day, xway, toll] = line.split(",").map(Number);
    table.set((vid * 100 + day) * 4096 + xway, toll);
  }
  return (vid, day, xway) => table.get((vid * 100 + day) * 4096 + xway) ?? 0;
}
