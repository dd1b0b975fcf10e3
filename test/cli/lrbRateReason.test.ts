import { describe, expect, it } from "vitest";
import { failureReason, type RatedRunOutcome } from "../../cli/lrbRateReason.js";

const clean: RatedRunOutcome["mismatches"] = {
  missing: { count: 0 },
  duplicate: { count: 0 },
  wrongValue: { count: 0 },
  late: { count: 0 },
  unexpected: { count: 0 },
};

function outcome(
  o: Partial<RatedRunOutcome> & { counts?: Partial<Record<string, number>> },
): RatedRunOutcome {
  const mismatches = Object.fromEntries(
    Object.keys(clean).map((k) => [k, { count: o.counts?.[k] ?? 0 }]),
  ) as RatedRunOutcome["mismatches"];
  return {
    lost: o.lost ?? 0,
    lostNoun: o.lostNoun ?? "worker",
    cutOffAfterS: o.cutOffAfterS ?? null,
    mismatches,
  };
}

describe("the reason a rated run failed", () => {
  it("is empty when nothing went wrong", () => {
    expect(failureReason(outcome({}))).toBe("");
  });

  it("names each kind of mismatch with its count, late first", () => {
    expect(failureReason(outcome({ counts: { late: 1234 } }))).toBe("late 1234");
    expect(
      failureReason(
        outcome({ counts: { missing: 12, late: 3, wrongValue: 2, duplicate: 1, unexpected: 5 } }),
      ),
    ).toBe("late 3, missing 12, wrong 2, duplicated 1, unexpected 5");
  });

  it("puts what the run saw before what the validator found", () => {
    expect(failureReason(outcome({ lost: 1, counts: { missing: 40 } }))).toBe("worker lost, missing 40");
    expect(failureReason(outcome({ lost: 2, lostNoun: "VM" }))).toBe("2 VMs lost");
    expect(failureReason(outcome({ cutOffAfterS: 90, counts: { missing: 7, late: 1 } }))).toBe(
      "cut off after 90 s, late 1, missing 7",
    );
  });
});
