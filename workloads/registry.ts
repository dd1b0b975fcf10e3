// The workloads a run can name, by name: each validates its parameters (an unknown key,
// a wrong type or a value out of its range is an error naming the parameter and the
// range), builds its logical plan from them and the run's seed, and says how big a run
// is (`size`: tuples and event time, for the CLI's estimate before a long run). The
// simulator and the real runtime take plans, not names; the CLI and the notebooks
// resolve names here.
//
// Ranges: parallelism 1 to 128 (the key groups); at most 10^9 lines or packets and
// 10^7 flows; event times (intervals, windows) up to a day; a sliding window at most
// 1000 slides long; Linear Road up to 1000 expressways and 86,400 s.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { z } from "zod";
import {
  DEFAULT_MAX_KEY_GROUPS,
  describeIssue,
  integerIn,
  type LogicalPlan,
  numberIn,
} from "../engine/index.js";
import { generatedTolls, LR, LrGenerator, LrReader, lrbPlan, tollsFromFile } from "./linearRoad/index.js";
import { carSecondsUntil } from "./linearRoad/traffic.js";
import { appTrackerPlan, packetCounterPlan } from "./packetCounter/index.js";
import {
  DEFAULT_TEXT_SHAPE,
  DEFAULT_WINDOW_SIZE_MS,
  resolveWordCountOptions,
  VOCABULARY_SIZE_MAX,
  WORDS_PER_LINE_LIMIT,
  wordCountPlan,
} from "./wordCount/index.js";

/** A workload the CLI and experiments can name. */
export interface Workload {
  readonly name: string;
  readonly description: string;
  /** Validate parameters; throws a WorkloadError naming the bad parameter. */
  plan(params: Record<string, unknown>, seed: number): LogicalPlan;
  /** How much a run with these (valid) parameters moves; throws a WorkloadError as `plan` does. */
  size(params: Record<string, unknown>): WorkloadSize;
}

/** How much a run of a workload moves: what an estimate of a run's work starts from. */
export interface WorkloadSize {
  /** Tuples the sources emit, all together. */
  readonly sourceTuples: number;
  /** Event time from the stream's start to its last tuple, ms. */
  readonly streamMs: number;
  /** Event times are multiples of this, ms (Linear Road's whole seconds: 1000); 0: any time. */
  readonly eventTimeStepMs: number;
  /**
   * Tuples the operators and sinks take in, all together (one source tuple is several),
   * each counted as the visits of a light operator (a count) it costs as much as.
   */
  readonly tupleVisits: number;
}

/** A parameter of a workload that is wrong (unknown, or of the wrong type or range). */
export class WorkloadError extends Error {
  override readonly name = "WorkloadError";
}

function parse<T>(schema: z.ZodType<T>, params: unknown, workload: string): T {
  const r = schema.safeParse(params, { reportInput: true });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new WorkloadError(
    `workload "${workload}": ${describeIssue({ ...issue, path: ["params", ...issue.path] }, "params")}`,
  );
}

/** Instances of an operator: 1 to the number of key groups. */
const parallelism = integerIn(1, DEFAULT_MAX_KEY_GROUPS);
/** An event-time length: above 0 and at most a day, in ms. */
const eventMs = numberIn(0, 86_400_000, { aboveMin: true });
/** Most lines or packets a stream has. */
const TUPLES_MAX = 1e9;
/** Most windows a sliding window's tuple falls in (windowSizeMs / windowSlideMs). */
const WINDOWS_PER_TUPLE_MAX = 1_000;
/** Longest event time a generated stream spans, in ms (about 31,700 years): its times stay exact integers. */
const STREAM_MS_MAX = 1e15;

/** Refuses a generated stream whose last tuple lies past STREAM_MS_MAX of event time. */
function checkStreamLength(workload: string, streamMs: number, what: string): void {
  if (streamMs <= STREAM_MS_MAX) return;
  throw new WorkloadError(
    `workload "${workload}": ${what} span more than 10^15 ms of event time, the most a stream may`,
  );
}

const wordCountParams = z
  .object({
    /** Lines of text, 1 to 10^9. */
    lines: integerIn(1, TUPLES_MAX).optional(),
    /** Event time between two lines, above 0 and at most a day. */
    lineIntervalMs: eventMs.optional(),
    /** Window length, 1 ms to a day, a multiple of windowSlideMs and at most 1000 of them. */
    windowSizeMs: integerIn(1, 86_400_000).optional(),
    windowSlideMs: integerIn(1, 86_400_000).optional(),
    /** Distinct words (the first 50 are common English words, the rest synthetic). */
    vocabularySize: integerIn(1, VOCABULARY_SIZE_MAX).optional(),
    /** Skew of word frequencies: rank r has weight 1 / (r + 1)^zipfExponent; 0 is uniform; at most 10. */
    zipfExponent: numberIn(0, 10).optional(),
    wordsPerLineMin: integerIn(1, WORDS_PER_LINE_LIMIT).optional(),
    wordsPerLineMax: integerIn(1, WORDS_PER_LINE_LIMIT).optional(),
    parallelism: parallelism.optional(),
    splitParallelism: parallelism.optional(),
    countParallelism: parallelism.optional(),
  })
  .strict();

/** The plans of the packets workload, and the parameters that only one of them takes. */
const PACKET_SHAPES = {
  count: ["countParallelism"],
  apptracker: ["decodeParallelism", "classifyParallelism", "trackParallelism", "trackWindowMs"],
} as const;

const packetParams = z
  .object({
    /** count: packets and bytes per flow; apptracker: decode, classify, track per application class. */
    shape: z.enum(["count", "apptracker"]).optional(),
    /** Packets, 1 to 10^9. */
    packets: integerIn(1, TUPLES_MAX).optional(),
    /** Flows, 1 to 10^7. */
    flows: integerIn(1, 10_000_000).optional(),
    /** Packets per ms of event time, 0 (all at time 0) to 10^6. */
    packetsPerMs: numberIn(0, 1_000_000).optional(),
    sourceParallelism: parallelism.optional(),
    countParallelism: parallelism.optional(),
    decodeParallelism: parallelism.optional(),
    classifyParallelism: parallelism.optional(),
    trackParallelism: parallelism.optional(),
    /** The tracker's tumbling windows, 1 ms to a day. */
    trackWindowMs: integerIn(1, 86_400_000).optional(),
  })
  .strict();

const lrbParams = z
  .object({
    /** Expressways (L) generated on the fly, when no input file is named: 1 to 1000. */
    xways: integerIn(1, 1_000).optional(),
    /** Seconds of traffic generated on the fly (a full run is 10800), 1 to 86,400. */
    durationS: integerIn(1, 86_400).optional(),
    /** Expressway x opens at x times this many seconds (0, the default: all at once): L grows over the run. */
    xwayOpenEveryS: integerIn(0, 86_400).optional(),
    /** A Linear Road input file to replay instead of generating. */
    input: z.string().min(1).optional(),
    /** The historical tolls file of `input`. */
    tolls: z.string().min(1).optional(),
    /** Clamp `input`'s position report speeds outside 0..100 (some generators write -1) instead of refusing them. */
    clampSpeeds: z.boolean().optional(),
    /** Or: the seed `input` was generated with, to generate its tolls instead of reading them. */
    tollsSeed: integerIn(0, Number.MAX_SAFE_INTEGER).optional(),
    carsParallelism: parallelism.optional(),
    segmentsParallelism: parallelism.optional(),
    accountsParallelism: parallelism.optional(),
  })
  .strict();

/** Word count parameters, checked together: the window's slide divides it, the words per line are in order. */
function wordCountParamsOf(params: Record<string, unknown>) {
  const p = parse(wordCountParams, params, "wordcount");
  const sizeMs = p.windowSizeMs ?? DEFAULT_WINDOW_SIZE_MS;
  const slideMs = p.windowSlideMs ?? sizeMs;
  if (sizeMs % slideMs !== 0) {
    const size = p.windowSizeMs === undefined ? `${sizeMs}, the default` : sizeMs;
    throw new WorkloadError(
      `workload "wordcount": params.windowSizeMs (${size}) must be a multiple of params.windowSlideMs (${slideMs})`,
    );
  }
  if (sizeMs / slideMs > WINDOWS_PER_TUPLE_MAX) {
    throw new WorkloadError(
      `workload "wordcount": params.windowSizeMs (${sizeMs}) must be at most ${WINDOWS_PER_TUPLE_MAX} times ` +
        `params.windowSlideMs (${slideMs}): each word is counted in every window it falls in`,
    );
  }
  const min = p.wordsPerLineMin ?? DEFAULT_TEXT_SHAPE.wordsPerLineMin;
  const max = p.wordsPerLineMax ?? DEFAULT_TEXT_SHAPE.wordsPerLineMax;
  if (max < min) {
    const of = (v: number, given: number | undefined) => (given === undefined ? `${v}, the default` : v);
    throw new WorkloadError(
      `workload "wordcount": params.wordsPerLineMax (${of(max, p.wordsPerLineMax)}) ` +
        `must be at least params.wordsPerLineMin (${of(min, p.wordsPerLineMin)})`,
    );
  }
  const { lines, lineIntervalMs } = resolveWordCountOptions(p);
  checkStreamLength(
    "wordcount",
    lines * lineIntervalMs,
    `params.lines (${lines}) at params.lineIntervalMs (${lineIntervalMs})`,
  );
  return p;
}

/** Packets of a packet counter stream when params.packets is left out. */
const DEFAULT_PACKETS = 1_000_000;

/** Packet parameters, checked together: those of one shape are refused with the other. */
function packetParamsOf(params: Record<string, unknown>) {
  const { shape = "count", ...p } = parse(packetParams, params, "packets");
  for (const [other, keys] of Object.entries(PACKET_SHAPES)) {
    if (other === shape) continue;
    const key = keys.find((k) => p[k] !== undefined);
    if (key !== undefined) {
      throw new WorkloadError(`workload "packets": params.${key} applies only to params.shape "${other}"`);
    }
  }
  const packets = p.packets ?? DEFAULT_PACKETS;
  const perMs = p.packetsPerMs ?? 0;
  if (perMs > 0) {
    checkStreamLength(
      "packets",
      packets / perMs,
      `params.packets (${packets}) at params.packetsPerMs (${perMs})`,
    );
  }
  return { shape, ...p };
}

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
  const cannot = (why: string) =>
    new WorkloadError(`workload "lrb": params.input: cannot read ${path} (${why})`);
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
    if (err instanceof WorkloadError) throw err;
    throw cannot(String((err as NodeJS.ErrnoException).code));
  }
  const lines = tail.subarray(0, got).toString("latin1").trimEnd().split("\n");
  const timeS = Number(lines.at(-1)?.split(",")[1]);
  return {
    records: bytes / LR_LINE_BYTES,
    streamMs: (Number.isFinite(timeS) && timeS >= 0 ? timeS : LR.runS) * 1000,
  };
}

/** The historical tolls file `path`, or a WorkloadError saying why it cannot be read. */
function readTolls(path: string) {
  try {
    return tollsFromFile(path);
  } catch (err) {
    // A malformed line (the table's RangeError names the file and line) is the user's too.
    if (err instanceof RangeError) throw new WorkloadError(`workload "lrb": params.tolls: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== "string") throw err;
    throw new WorkloadError(`workload "lrb": params.tolls: cannot read ${path} (${code})`);
  }
}

/** Every workload, by name. */
export const WORKLOADS: Readonly<Record<string, Workload>> = {
  wordcount: {
    name: "wordcount",
    description: "windowed word count: text lines -> split -> count per word in event-time windows -> sink",
    plan(params, seed) {
      return wordCountPlan({ ...wordCountParamsOf(params), seed }).plan;
    },
    size(params) {
      const p = resolveWordCountOptions(wordCountParamsOf(params));
      const words = (p.lines * (p.wordsPerLineMin + p.wordsPerLineMax)) / 2;
      const streamMs = p.lines * p.lineIntervalMs;
      // Every word is counted in each window it falls in; each window lets out its words' counts.
      const windows = Math.ceil(streamMs / p.windowSlideMs) + p.windowSizeMs / p.windowSlideMs;
      const results = windows * Math.min(p.vocabularySize, words);
      return {
        sourceTuples: p.lines,
        streamMs,
        eventTimeStepMs: 0,
        tupleVisits: p.lines + (words * p.windowSizeMs) / p.windowSlideMs + results,
      };
    },
  },
  lrb: {
    name: "lrb",
    description: "Linear Road: tolls, accidents, account balances and daily expenditures over L expressways",
    plan(params, seed) {
      const p = parse(lrbParams, params, "lrb");
      const xways = p.xways ?? 1;
      const input = p.input;
      const generate = (sampleOneIn: number) =>
        new LrGenerator({
          seed,
          xways,
          durationS: p.durationS ?? 600,
          xwayOpenEveryS: p.xwayOpenEveryS,
          sampleOneIn,
        });
      const records =
        input === undefined
          ? () => generate(1)
          : () => new LrReader(input, { onBadLine: "stop", clampSpeeds: p.clampSpeeds ?? false });
      const tolls =
        p.tolls !== undefined
          ? readTolls(p.tolls)
          : input === undefined || p.tollsSeed !== undefined
            ? generatedTolls(p.tollsSeed ?? seed, xways)
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
    size(params) {
      const p = parse(lrbParams, params, "lrb");
      const durationS = p.durationS ?? 600;
      const { records, streamMs } =
        p.input === undefined
          ? {
              records: generatedLrRecords(p.xways ?? 1, durationS, p.xwayOpenEveryS ?? 0),
              streamMs: durationS * 1000,
            }
          : lrFileSize(p.input);
      // A record visits cars, then segments and accounts, and most make an answer; each of
      // these queries keeps per-car, per-segment or per-account state and costs about four
      // times a light operator's visit (measured with `seep sim lrb`), hence 16 per record.
      return { sourceTuples: records, streamMs, eventTimeStepMs: 1000, tupleVisits: 16 * records };
    },
  },
  packets: {
    name: "packets",
    description:
      "packet counter (SAND): packet headers -> count packets and bytes per flow -> sink; " +
      "or, with shape apptracker: decode -> classify by flow -> packets and bytes per application class",
    plan(params, seed) {
      const { shape, ...p } = packetParamsOf(params);
      return shape === "count" ? packetCounterPlan({ ...p, seed }) : appTrackerPlan({ ...p, seed });
    },
    size(params) {
      const { shape, ...p } = packetParamsOf(params);
      const packets = p.packets ?? DEFAULT_PACKETS;
      const flows = p.flows ?? 10_000;
      const perMs = p.packetsPerMs ?? 0;
      // count: one count per packet, a result per flow; apptracker: decode, classify and track each.
      const hops = shape === "count" ? 1 : 3;
      return {
        sourceTuples: packets,
        streamMs: perMs > 0 ? packets / perMs : 0,
        eventTimeStepMs: 0,
        tupleVisits: packets * hops + flows,
      };
    },
  },
};

/** The workload named `name`; throws a WorkloadError listing the known ones. */
export function workloadNamed(name: string): Workload {
  const w = WORKLOADS[name];
  if (w === undefined) {
    throw new WorkloadError(`unknown workload "${name}" (known: ${Object.keys(WORKLOADS).join(", ")})`);
  }
  return w;
}
