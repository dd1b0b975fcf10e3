// The Linear Road validator's public surface: the expected answers of an input (an
// independent reference of README.md), reading an output file of answers, and comparing
// the two into a report, in memory or streaming both files.

export { answerKey } from "./answerKey.js";
export {
  AnswersReader,
  forEachAnswer,
  parseAnswerLine,
  type ReadAnswer,
  readAnswers,
} from "./answersFile.js";
export {
  type StreamedValidation,
  type ValidationFiles,
  validate,
  validateFiles,
} from "./compare.js";
export { LrFileError } from "./fileError.js";
export { DEFAULT_LOOKAHEAD, type Lookahead, WHOLE_FILE } from "./matcher.js";
export { type Expected, type ExpectedOptions, expectedAnswers, ReferenceAnswers } from "./reference.js";
export {
  EXAMPLES_MAX,
  formatReport,
  MISMATCH_KINDS,
  type MismatchExample,
  type Mismatches,
  type MismatchKind,
  type TypeCounts,
  type ValidationReport,
} from "./report.js";
export { readTollsTable, type TollsTable, tollsKey } from "./tollsTable.js";
