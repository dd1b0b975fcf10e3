// Events numbered on a chart's x axis (notebooks/lib/chartEvents.ts): events closer than the
// gap share a number, numbers stay at least the gap apart, and each number says what
// happened and when.

import { describe, expect, it } from "vitest";
import { numberEvents } from "../../../notebooks/lib/chartEvents.js";

const px = (x: number) => x * 2;

describe("numberEvents", () => {
  it("gives events further apart than the gap a number each, in order of x", () => {
    const e = numberEvents(
      [
        { x: 30, label: "detected" },
        { x: 10, label: "VM 3 crashes" },
      ],
      px,
      10,
      "s",
    );
    expect(e.map((n) => [n.number, n.anchorPx, n.description])).toEqual([
      [1, 20, "VM 3 crashes at 10 s"],
      [2, 60, "detected at 30 s"],
    ]);
  });

  it("joins events within the gap of a number's first, counting repeated labels, their times as a range", () => {
    const events = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      x: 10 + i * 1.5,
      label: i === 2 ? "tolls" : "cars",
    }));
    const e = numberEvents(events, px, 10, "s");
    expect(e.map((n) => n.description)).toEqual([
      "cars ×3 at 10–14.5 s; tolls at 13 s",
      "cars ×4 at 16–20.5 s",
    ]);
    expect(e.map((n) => n.members.length)).toEqual([4, 4]);
    for (let i = 1; i < e.length; i++) expect(e[i].anchorPx - e[i - 1].anchorPx).toBeGreaterThanOrEqual(10);
  });

  it("names the time once when every event of a number happened at it, and leaves out a unit it has not", () => {
    const e = numberEvents(
      [
        { x: 28, label: "rsm caught up" },
        { x: 28, label: "source-replay caught up" },
      ],
      px,
      10,
      "",
    );
    expect(e.map((n) => n.description)).toEqual(["rsm caught up; source-replay caught up at 28"]);
  });

  it("leaves out events the axis cannot place (a log axis at 0)", () => {
    expect(numberEvents([{ x: 0, label: "start" }], (x) => Math.log(x), 10, "s")).toEqual([]);
  });
});
