// What identifies an answer (README rule "An answer is identified by"): notifications by
// (type, VID, Time), queries by (type, QID). Both the expected answers and the answers
// read from an output file are indexed by this string, so it lives in one place.

import type { LrAnswer } from "../schema.js";

/** The identity of an answer: `0:VID:Time`, `1:VID:Time`, `2:QID` or `3:QID`. */
export function answerKey(a: LrAnswer): string {
  switch (a.type) {
    case 0:
    case 1:
      return `${a.type}:${a.vid}:${a.time}`;
    case 2:
    case 3:
      return `${a.type}:${a.qid}`;
  }
}
