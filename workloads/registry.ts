// The workloads a run can name, by name: each validates its parameters (an unknown key
// or a wrong type is an error naming the parameter) and builds its logical plan from
// them and the run's seed. The simulator and the real runtime take plans, not names;
// the CLI and the notebooks resolve names here.

import { z } from "zod";
import type { LogicalPlan } from "../engine/index.js";
import { generatedTolls, LrGenerator, LrReader, lrbPlan, tollsFromFile } from "./linearRoad/index.js";
import { appTrackerPlan, packetCounterPlan } from "./packetCounter/index.js";
import {
  DEFAULT_TEXT_SHAPE,
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
}

/** A parameter of a workload that is wrong (unknown, or of the wrong type or range). */
export class WorkloadError extends Error {
  override readonly name = "WorkloadError";
}

function parse<T>(schema: z.ZodType<T>, params: unknown, workload: string): T {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.length === 0 ? "params" : `params.${issue.path.join(".")}`;
  throw new WorkloadError(`workload "${workload}": ${path}: ${issue.message}`);
}

const positiveInt = z.number().int().positive();

const wordCountParams = z
  .object({
    lines: positiveInt.optional(),
    lineIntervalMs: z.number().positive().optional(),
    windowSizeMs: positiveInt.optional(),
    windowSlideMs: positiveInt.optional(),
    /** Distinct words (the first 50 are common English words, the rest synthetic). */
    vocabularySize: positiveInt.max(VOCABULARY_SIZE_MAX).optional(),
    /** Skew of word frequencies: rank r has weight 1 / (r + 1)^zipfExponent; 0 is uniform. */
    zipfExponent: z.number().nonnegative().optional(),
    wordsPerLineMin: positiveInt.max(WORDS_PER_LINE_LIMIT).optional(),
    wordsPerLineMax: positiveInt.max(WORDS_PER_LINE_LIMIT).optional(),
    parallelism: positiveInt.optional(),
    splitParallelism: positiveInt.optional(),
    countParallelism: positiveInt.optional(),
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
    packets: positiveInt.optional(),
    flows: positiveInt.optional(),
    packetsPerMs: z.number().nonnegative().optional(),
    sourceParallelism: positiveInt.optional(),
    countParallelism: positiveInt.optional(),
    decodeParallelism: positiveInt.optional(),
    classifyParallelism: positiveInt.optional(),
    trackParallelism: positiveInt.optional(),
    trackWindowMs: positiveInt.optional(),
  })
  .strict();

const lrbParams = z
  .object({
    /** Expressways (L) generated on the fly, when no input file is named. */
    xways: positiveInt.optional(),
    /** Seconds of traffic generated on the fly (a full run is 10800). */
    durationS: positiveInt.optional(),
    /** Expressway x opens at x times this many seconds (0, the default: all at once): L grows over the run. */
    xwayOpenEveryS: z.number().int().nonnegative().optional(),
    /** A Linear Road input file to replay instead of generating. */
    input: z.string().min(1).optional(),
    /** The historical tolls file of `input`. */
    tolls: z.string().min(1).optional(),
    /** Or: the seed `input` was generated with, to generate its tolls instead of reading them. */
    tollsSeed: z.number().int().nonnegative().optional(),
    carsParallelism: positiveInt.optional(),
    segmentsParallelism: positiveInt.optional(),
    accountsParallelism: positiveInt.optional(),
  })
  .strict();

/** Every workload, by name. */
export const WORKLOADS: Readonly<Record<string, Workload>> = {
  wordcount: {
    name: "wordcount",
    description: "windowed word count: text lines -> split -> count per word in event-time windows -> sink",
    plan(params, seed) {
      const p = parse(wordCountParams, params, "wordcount");
      if (
        p.windowSizeMs !== undefined &&
        p.windowSlideMs !== undefined &&
        p.windowSizeMs % p.windowSlideMs !== 0
      ) {
        throw new WorkloadError(
          `workload "wordcount": params.windowSizeMs must be a multiple of params.windowSlideMs`,
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
      return wordCountPlan({ ...p, seed }).plan;
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
        input === undefined ? () => generate(1) : () => new LrReader(input, { onBadLine: "stop" });
      const tolls =
        p.tolls !== undefined
          ? tollsFromFile(p.tolls)
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
  },
  packets: {
    name: "packets",
    description:
      "packet counter (SAND): packet headers -> count packets and bytes per flow -> sink; " +
      "or, with shape apptracker: decode -> classify by flow -> packets and bytes per application class",
    plan(params, seed) {
      const { shape = "count", ...p } = parse(packetParams, params, "packets");
      for (const [other, keys] of Object.entries(PACKET_SHAPES)) {
        if (other === shape) continue;
        const key = keys.find((k) => p[k] !== undefined);
        if (key !== undefined) {
          throw new WorkloadError(
            `workload "packets": params.${key} applies only to params.shape "${other}"`,
          );
        }
      }
      return shape === "count" ? packetCounterPlan({ ...p, seed }) : appTrackerPlan({ ...p, seed });
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
