// The historical tolls table that type 3 (daily expenditure) queries read: one row
// (VID, Day, XWay, Toll) per car and day of the 69 days of history. Each (VID, Day) has
// one expressway, a pure function of both, so the generator's queries name a row that
// exists and the table grows with VIDs x days, not VIDs x days x expressways.

import { fmix32 } from "../../engine/index.js";
import { LR } from "./schema.js";

/** The expressway car `vid` drove on `day` days ago, among `xways`. */
export function historyXway(vid: number, day: number, xways: number): number {
  return (vid + day) % xways;
}

/**
 * The toll car `vid` paid `day` days ago, 0..99: a hash of (seed, vid, day), so that any
 * row can be computed at once, without producing the rows before it.
 */
export function historicalToll(seed: number, vid: number, day: number): number {
  return fmix32(fmix32(seed ^ 0x5bd1e995) ^ fmix32(vid * 128 + day)) % 100;
}

/** Rows [vid, day, xway, toll] for VIDs 0..maxVid and days 1..69, tolls 0..99, seeded. */
export function* historicalTolls(
  seed: number,
  maxVid: number,
  xways = 1,
): Generator<[vid: number, day: number, xway: number, toll: number]> {
  for (let vid = 0; vid <= maxVid; vid++) {
    for (let day = 1; day <= LR.historyDays; day++) {
      yield [vid, day, historyXway(vid, day, xways), historicalToll(seed, vid, day)];
    }
  }
}
