import { describe, expect, it } from "vitest";
import type { ControlType } from "../../engine/control.js";
import { LIFECYCLE, type LifecycleState, nextState } from "../../engine/lifecycle.js";

const STATES = Object.keys(LIFECYCLE) as LifecycleState[];
const MESSAGES: ControlType[] = [
  "start",
  "checkpoint",
  "backup",
  "ack",
  "replay",
  "pause",
  "resume",
  "reroute",
  "restore",
  "stop",
];

describe("the instance lifecycle", () => {
  it("lets every live state stop, and a stopped instance accepts nothing but acks still in flight", () => {
    for (const s of STATES) {
      if (s === "stopped")
        for (const m of MESSAGES) expect(nextState(s, m)).toBe(m === "ack" ? "stopped" : undefined);
      else expect(nextState(s, "stop")).toBe("stopped");
    }
  });

  it("restores only a fresh instance", () => {
    expect(STATES.filter((s) => nextState(s, "restore") !== undefined)).toEqual(["created"]);
  });

  it("starts only from created or restored, into running", () => {
    for (const s of STATES) {
      const next = nextState(s, "start");
      if (s === "created" || s === "restored") expect(next).toBe("running");
      else expect(next).toBeUndefined();
    }
  });

  it("pauses and resumes between running and paused, and keeps serving acks and replays in both", () => {
    expect(nextState("running", "pause")).toBe("paused");
    expect(nextState("paused", "resume")).toBe("running");
    for (const s of ["running", "paused", "finished"] as const) {
      for (const m of ["ack", "replay", "backup", "checkpoint", "reroute"] as const)
        expect(nextState(s, m)).toBe(s);
    }
  });

  it("only ever moves to a known state", () => {
    for (const s of STATES)
      for (const m of MESSAGES) {
        const n = nextState(s, m);
        if (n !== undefined) expect(STATES).toContain(n);
      }
  });
});
