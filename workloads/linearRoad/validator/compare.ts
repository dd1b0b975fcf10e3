// Comparing an output file of answers with the answers its input calls for: either with
// expected answers already in memory (validate: exact whatever the file's order), or
// streaming the input through the reference and the output file together (validateFiles:
// memory bounded by the file's disorder, see matcher.ts, for any length of run).

import { AnswersReader } from "./answersFile.js";
import { DEFAULT_LOOKAHEAD, type Lookahead, matchAnswers, WHOLE_FILE } from "./matcher.js";
import { type Expected, type ExpectedOptions, ReferenceAnswers } from "./reference.js";
import type { ValidationReport } from "./report.js";

/** Compares the answers of `outputPath` with `expected`, in memory; throws LrFileError on a malformed line. */
export function validate(expected: ReadonlyMap<string, Expected>, outputPath: string): ValidationReport {
  const answers = new AnswersReader(outputPath);
  const values = expected.values();
  try {
    return matchAnswers({ next: () => values.next().value ?? null }, answers, WHOLE_FILE);
  } finally {
    answers.close();
  }
}

/** The files of a streamed validation. */
export interface ValidationFiles {
  /** The Linear Road input the run read. */
  readonly input: string;
  /** Its historical tolls (VID,Day,XWay,Toll), or null: daily expenditure balances are then not checked. */
  readonly tolls: string | null;
  /** The answers the run wrote. */
  readonly output: string;
}

/** What a streamed validation found, and what it read. */
export interface StreamedValidation {
  readonly report: ValidationReport;
  /** Cars the reference remembered (its per-car state, the rest of what it holds). */
  readonly cars: number;
  /** Position reports whose speed was clamped into 0..100 (with `clampSpeeds`). */
  readonly clampedSpeeds: number;
}

/**
 * Validates `files.output` against the answers `files.input` calls for, streaming both;
 * throws LrFileError (or the reader's LrInputError) on a bad line of either.
 */
export function validateFiles(
  files: ValidationFiles,
  options: ExpectedOptions & Partial<Lookahead> = {},
): StreamedValidation {
  const reference = new ReferenceAnswers(files.input, files.tolls, options);
  let answers: AnswersReader | null = null;
  try {
    answers = new AnswersReader(files.output);
    const report = matchAnswers(reference, answers, {
      lookaheadS: options.lookaheadS ?? DEFAULT_LOOKAHEAD.lookaheadS,
      lookaheadLines: options.lookaheadLines ?? DEFAULT_LOOKAHEAD.lookaheadLines,
    });
    return { report, cars: reference.carsSeen, clampedSpeeds: reference.clampedSpeeds };
  } finally {
    answers?.close();
    reference.close();
  }
}
