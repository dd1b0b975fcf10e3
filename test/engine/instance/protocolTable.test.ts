import { describe, expect, it } from "vitest";
import type { ControlType } from "../../../engine/control.js";
import type { InstanceController, InstanceProtocol } from "../../../engine/instance/protocol.js";
import { type InstanceEvent, ProtocolTable } from "../../../engine/instance/protocolTable.js";
import { LIFECYCLE } from "../../../engine/lifecycle.js";

const EVENTS: readonly Exclude<InstanceEvent, "handle">[] = [
  "defers",
  "starting",
  "started",
  "restored",
  "admits",
  "accepted",
  "delivering",
  "progressing",
  "progressed",
  "mutes",
];

// The protocols only keep their controller when built; nothing here calls it.
const table = new ProtocolTable({ id: 1 } as unknown as InstanceController);

describe("the protocol table", () => {
  it("gives every control message the lifecycle knows exactly one owning protocol", () => {
    const known = new Set(Object.values(LIFECYCLE).flatMap((row) => Object.keys(row) as ControlType[]));
    const owned = table.all.flatMap((p) => p.messages);
    expect(new Set(owned).size).toBe(owned.length);
    expect([...owned].sort()).toEqual([...known].sort());
    for (const type of known) expect(table.ownerOf(type).messages).toContain(type);
  });

  it("lets each event be heard by exactly the protocols that implement it", () => {
    for (const event of EVENTS) {
      const implementing = table.all.filter((p) => typeof p[event] === "function");
      const heard: readonly InstanceProtocol[] = table[event];
      expect(new Set(heard), event).toEqual(new Set(implementing));
    }
  });

  it("refuses a message no protocol owns", () => {
    expect(() => table.ownerOf("nonsense" as ControlType)).toThrow(/no protocol owns/);
  });
});
