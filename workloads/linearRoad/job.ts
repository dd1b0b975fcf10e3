// Linear Road as a job module: generated on the fly (L expressways, a duration, expressways
// opening one after another), or replayed from an input file with its historical tolls.
// The schema resolves every default it can: the tolls' seed defaults to the run's, which
// a schema does not know, so it stays absent when not given.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { z } from "zod";
import { defineJob, integerIn, JobError } from "../../engine/index.js";
import { parallelism } from "../paramRanges.js";
import { LrGenerator } from "./generator.js";
import { lrbPlan } from "./queries/index.js";
import { LrReader } from "./reader.js";
import { LR } from "./schema.js";
import { generatedTolls, tollsFromFile } from "./tollTable.js";
import { carSecondsUntil } from "./traffic.js";

const given = z
  .object({
    /** Expressways (L) generated on the fly, when no input file is named: 1 to 1000. */
    xways: integerIn(1, 1_000).default(1),
    /** Seconds of traffic generated on the fly (a full run is 10800), 1 to 86,400. */
    durationS: integerIn(1, 86_400).default(600),
    /** Expressway x opens at x times this many seconds (0, the default: all at once): L grows over the run. */
    xwayOpenEveryS: integerIn(0, 86_400).default(0),
    /** A Linear Road input file to replay instead of generating. */
    input: z.string().min(1).optional(),
    /** The historical tolls file of `input`. */
    tolls: z.string().min(1).optional(),
    /** Clamp `input`'s position report speeds outside 0..100 (some generators write -1) instead of refusing them. */
    clampSpeeds: z.boolean().default(false),
    /** Or: the seed `input` was generated with, to generate its tolls instead of reading them. */
    tollsSeed: integerIn(0, Number.MAX_SAFE_INTEGER).optional(),
    carsParallelism: parallelism.default(1),
    segmentsParallelism: parallelism.default(1),
    accountsParallelism: parallelism.default(1),
  })
  .strict();

/** Linear Road parameters, resolved. */
export type LrbParams = z.output<typeof given>;

/** Bytes of a Linear Road input line, on average (a 15-field CSV line; 49.6 in a generated hour). */
const LR_LINE_BYTES = 50;

/** Records of a generated Linear Road run: each car reports every 30 s, the cars ramp up over an hour. */
function generatedLrRecords(xways: number, durationS: number, openEveryS: number): number {
  let records = 0;
  for (let x = 0; x < xways; x++) {
    const openS = Math.min(x * openEveryS, durationS);
    records += (carSecondsUntil(durationS) - carSecondsUntil(openS)) / LR.reportIntervalS;
  }
  return records;
}

/** Records and event-time span of a Linear Road input file: its size, and the Time of its last line. */
function lrFileSize(path: string): { records: number; streamMs: number } {
  const cannot = (why: string) => new JobError(`workload "lrb": params.input: cannot read ${path} (${why})`);
  let bytes: number;
  const tail = Buffer.alloc(512);
  let got: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw cannot("not a file");
    bytes = stat.size;
    const fd = openSync(path, "r");
    try {
      got = readSync(fd, tail, 0, Math.min(bytes, tail.length), Math.max(0, bytes - tail.length));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof JobError) throw err;
    throw cannot(String((err as NodeJS.ErrnoException).code));
  }
  const lines = tail.subarray(0, got).toString("latin1").trimEnd().split("\n");
  const timeS = Number(lines.at(-1)?.split(",")[1]);
  return {
    records: bytes / LR_LINE_BYTES,
    streamMs: (Number.isFinite(timeS) && timeS >= 0 ? timeS : LR.runS) * 1000,
  };
}

/** The historical tolls file `path`, or a JobError saying why it cannot be read. */
function readTolls(path: string) {
  try {
    return tollsFromFile(path);
  } catch (err) {
    // A malformed line (the table's RangeError names the file and line) is the user's too.
    if (err instanceof RangeError) throw new JobError(`workload "lrb": params.tolls: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== "string") throw err;
    throw new JobError(`workload "lrb": params.tolls: cannot read ${path} (${code})`);
  }
}

export const workload = defineJob<LrbParams>({
  name: "lrb",
  description: "Linear Road: tolls, accidents, account balances and daily expenditures over L expressways",
  params: given,
  plan(p, seed) {
    const input = p.input;
    const generate = (sampleOneIn: number) =>
      new LrGenerator({
        seed,
        xways: p.xways,
        durationS: p.durationS,
        xwayOpenEveryS: p.xwayOpenEveryS,
        sampleOneIn,
      });
    const records =
      input === undefined
        ? () => generate(1)
        : () => new LrReader(input, { onBadLine: "stop", clampSpeeds: p.clampSpeeds });
    const tolls =
      p.tolls !== undefined
        ? readTolls(p.tolls)
        : input === undefined || p.tollsSeed !== undefined
          ? generatedTolls(p.tollsSeed ?? seed, p.xways)
          : () => 0;
    return lrbPlan({
      records,
      sampledRecords: input === undefined ? generate : undefined,
      tolls,
      carsParallelism: p.carsParallelism,
      segmentsParallelism: p.segmentsParallelism,
      accountsParallelism: p.accountsParallelism,
    });
  },
  size(p) {
    const { records, streamMs } =
      p.input === undefined
        ? {
            records: generatedLrRecords(p.xways, p.durationS, p.xwayOpenEveryS),
            streamMs: p.durationS * 1000,
          }
        : lrFileSize(p.input);
    // A record visits cars, then segments and accounts, and most make an answer; each of
    // these queries keeps per-car, per-segment or per-account state and costs about four
    // times a light operator's visit (measured with `seep sim lrb`), hence 16 per record.
    return { sourceTuples: records, streamMs, eventTimeStepMs: 1000, tupleVisits: 16 * records };
  },
});
