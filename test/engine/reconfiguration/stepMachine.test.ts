// The step machine and its generic steps: a machine is in one step at a time, hands it the
// replies, and a step with nothing to wait for moves on at once.

import { describe, expect, it } from "vitest";
import type { ControlReply } from "../../../engine/control.js";
import { Acting, AwaitingEach, Collecting, StepMachine } from "../../../engine/reconfiguration/index.js";

const restored = (instance: number): ControlReply => ({ type: "restored", instance, checkpointId: 1 });
const ended = (instance: number): ControlReply => ({ type: "ended", instance });

describe("step machine", () => {
  it("hands a reply to the step under way, and to nobody once the protocol is over", () => {
    const m = new StepMachine();
    const order: string[] = [];
    m.go(
      new AwaitingEach(
        "restoring",
        "restored",
        [1, 2],
        () => order.push("sent"),
        () => m.go(null),
      ),
    );
    expect(m.step?.name).toBe("restoring");
    expect(m.handleReply(ended(1))).toBe(false);
    expect(m.handleReply(restored(3))).toBe(false);
    expect(m.handleReply(restored(1))).toBe(true);
    expect(m.handleReply(restored(1))).toBe(false);
    expect(m.handleReply(restored(2))).toBe(true);
    expect(m.step).toBeNull();
    expect(m.handleReply(restored(2))).toBe(false);
    expect(order).toEqual(["sent"]);
  });

  it("is in the next step before that step sends, and a step that waits for nothing moves on at once", () => {
    const m = new StepMachine();
    const seen: (string | undefined)[] = [];
    m.go(
      new Acting("deploying", () => {
        seen.push(m.step?.name);
        m.go(
          new Collecting(
            "probing",
            () => null,
            () => {},
            () => m.go(new Acting("done", () => {})),
          ),
        );
      }),
    );
    expect(seen).toEqual(["deploying"]);
    expect(m.step?.name).toBe("done");
  });

  it("collects what each expected reply says, in the order the replies came", () => {
    const m = new StepMachine();
    let got: number[] = [];
    const read = (r: ControlReply) =>
      r.type === "ended" ? { key: r.instance, value: r.instance * 10 } : null;
    m.go(
      new Collecting(
        "collecting",
        read,
        (expect) => {
          for (const k of [5, 3, 4]) expect(k);
        },
        (c) => {
          got = [...c.values()];
        },
      ),
    );
    for (const r of [ended(4), ended(9), ended(5), ended(4), ended(3)]) m.handleReply(r);
    expect(got).toEqual([40, 50, 30]);
  });
});
