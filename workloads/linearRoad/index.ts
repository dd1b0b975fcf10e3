// Linear Road's public surface: records, the generator, the reader, the queries, tolls.

export { ANSWER_COLUMNS, answerTable } from "./answerTable.js";
export { LrGenerator, type LrGeneratorOptions, openXways } from "./generator.js";
export { historicalTolls, historyXway } from "./historicalTolls.js";
export { type LrbPlanOptions, lrbPlan, type RecordStream } from "./queries/index.js";
export { LrInputError, LrReader } from "./reader.js";
export { formatRecordCsv } from "./recordCsv.js";
export * from "./schema.js";
export { generatedTolls, type TollLookup, tollsFromFile } from "./tollTable.js";
