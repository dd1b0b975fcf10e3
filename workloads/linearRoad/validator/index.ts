// The Linear Road validator's public surface: the expected answers of an input (an
// independent reference of README.md), reading an output file of answers, and comparing
// the two into a report.

export { answerKey } from "./answerKey.js";
export { forEachAnswer, parseAnswerLine, type ReadAnswer, readAnswers } from "./answersFile.js";
export {
  EXAMPLES_MAX,
  formatReport,
  MISMATCH_KINDS,
  type MismatchExample,
  type Mismatches,
  type MismatchKind,
  type TypeCounts,
  type ValidationReport,
  validate,
} from "./compare.js";
export { LrFileError } from "./fileError.js";
export { type Expected, type ExpectedOptions, expectedAnswers } from "./reference.js";
export { readTollsTable, type TollsTable, tollsKey } from "./tollsTable.js";
