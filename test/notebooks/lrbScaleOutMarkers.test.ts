// The scale-out marks of the Linear Road report: one per completed scale out, labelled with
// the operator's instances after it; those close together merged into one mark; refused
// and unfinished scale outs left out.

import { expect, it } from "vitest";
import { parallelismAfter, scaleOutMarkers } from "../../notebooks/lrbScaleOutMarkers.js";
import type { ScaleOutRecord } from "../../sim/index.js";

function split(
  operator: string,
  id: number,
  completedS: number | null,
  refused: string | null = null,
): ScaleOutRecord {
  return {
    kind: "scaleOut",
    operator,
    instance: `${operator}#${id}`,
    instances: refused === null ? [`${operator}#${id + 100}`, `${operator}#${id + 101}`] : [],
    requestedAtMs: 0,
    pausedAtMs: completedS === null ? null : completedS * 1000 - 100,
    completedAtMs: completedS === null ? null : completedS * 1000,
    refused,
  };
}

const splits = [
  split("cars", 1, 100),
  split("accounts", 2, 110),
  split("cars", 3, 125),
  split("segments", 4, 400),
  split("accounts", 5, null),
  split("segments", 6, null, "no VM"),
];

it("counts each operator's instances after the completed scale outs", () => {
  expect(parallelismAfter(splits)).toEqual({ cars: 3, segments: 2, accounts: 2 });
  expect(parallelismAfter(splits, 110_000)).toEqual({ cars: 2, segments: 1, accounts: 2 });
});

it("marks each scale out, merging those within the gap of a mark's first", () => {
  expect(scaleOutMarkers(splits, 30)).toEqual([
    { x: 100, label: "cars ×3, accounts ×2" },
    { x: 400, label: "segments ×2" },
  ]);
  expect(scaleOutMarkers(splits, 5).map((m) => m.label)).toEqual([
    "cars ×2",
    "accounts ×2",
    "cars ×3",
    "segments ×2",
  ]);
});
