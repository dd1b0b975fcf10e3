// Rerouting and resuming the upstreams: each re-slices over the plan as it stands, moving
// what it holds for the listed receivers, and sends again.

import { describe, expect, it } from "vitest";
import { rerouteAndResume } from "../../../engine/reconfiguration/index.js";
import { countPlan, fakeLink } from "./fakeLink.js";

describe("reroute and resume", () => {
  it("reroutes the edges with receivers to move, and resumes every upstream", () => {
    const plan = countPlan();
    const { link, sent } = fakeLink();
    rerouteAndResume(link, plan, [0, 1], 1, (edge, u) => (u === 0 ? [[2, 40 + edge]] : []));
    expect(sent.map(([to, m]) => [to, m.type])).toEqual([
      [0, "reroute"],
      [0, "resume"],
      [1, "resume"],
    ]);
    const [, reroute] = sent[0];
    expect(reroute.type === "reroute" && reroute.resumeFrom).toEqual([[2, 40]]);
  });
});
