// Linear Road's answers as a table: the columns outputs.csv lists the plan's sink in, the
// fields of the four answer types side by side (`type,time,vid,lav,toll,seg,xway,dir,
// resultTime,qid,bal`), each answer filling those of its type and leaving the others
// empty. Emit is the time the runtime measured, the `timeMs` every output has (answers.csv,
// in the benchmark's own format, has it in seconds).

import type { SinkTable, TableCell } from "../../engine/index.js";
import type { LrAnswer } from "./schema.js";

/** The columns of an answer, in order. */
export const ANSWER_COLUMNS = [
  "type",
  "time",
  "vid",
  "lav",
  "toll",
  "seg",
  "xway",
  "dir",
  "resultTime",
  "qid",
  "bal",
] as const;

/** The table of the answers sink; its row is one array, filled anew for each answer. */
export function answerTable(): SinkTable<LrAnswer> {
  const cells: TableCell[] = new Array(ANSWER_COLUMNS.length).fill(undefined);
  return {
    columns: ANSWER_COLUMNS,
    row: (_key, a) => {
      cells.fill(undefined, 2);
      cells[0] = a.type;
      cells[1] = a.time;
      switch (a.type) {
        case 0:
          cells[2] = a.vid;
          cells[3] = a.lav;
          cells[4] = a.toll;
          break;
        case 1:
          cells[2] = a.vid;
          cells[5] = a.seg;
          cells[6] = a.xway;
          cells[7] = a.dir;
          break;
        case 2:
          cells[8] = a.resultTime;
          cells[9] = a.qid;
          cells[10] = a.bal;
          break;
        case 3:
          cells[9] = a.qid;
          cells[10] = a.bal;
          break;
      }
      return cells;
    },
  };
}
