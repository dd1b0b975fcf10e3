// Which instances the fault-tolerance protocol leaves alone, and which it checkpoints.

import { describe, expect, it } from "vitest";
import { InstanceStatus } from "../../../engine/faultTolerance/instanceStatus.js";
import { countPlan } from "../reconfiguration/fakeLink.js";

describe("instance status", () => {
  it("checkpoints every instance that runs, and one whose input ended only once more", () => {
    const specs = countPlan().instances;
    const s = new InstanceStatus();
    s.down.add(0);
    s.suspended.add(1);
    s.gone.set(2, 1);
    s.ended.add(4);
    expect(s.dueForCheckpoint(specs)).toEqual([3, 4]);
    expect(s.dueForCheckpoint(specs)).toEqual([3]);
    // A replacement starts afresh: its input is still to come.
    s.started(0);
    s.started(4);
    expect(s.dueForCheckpoint(specs)).toEqual([0, 3, 4]);
  });
});
