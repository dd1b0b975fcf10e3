// The journal on the wire (cloud/failover/journalCodec.ts): the journals of simulated runs
// (a crash and its recovery, a live scale out, a stopping scale out with a crash in it),
// encoded entry by entry and read back, rebuild the same coordinator with no divergence;
// checkpoints travel apart; a malformed entry is one line naming it.

import { describe, expect, it } from "vitest";
import { decodeEntry, encodeEntry, JournalCodecError } from "../../../cloud/failover/journalCodec.js";
import { codecOfPlan } from "../../../cloud/runOptions.js";
import { type Journal, JournaledCoordinator, MemoryJournal } from "../../../engine/index.js";
import { journaledWordCount, unreachableRuntime } from "../../engine/takeover/fixtures.js";

const scaleOut = (stateTransfer: string) => ({
  stateTransfer,
  scaleOuts: [{ operator: "count", index: 0, atMs: 5000, factor: 2 }],
});

describe("the journal on the wire", () => {
  const runs: [string, ReturnType<typeof journaledWordCount>][] = [
    ["a crash and its recovery", journaledWordCount([{ type: "crash", vm: 2, atMs: 12_000 }])],
    ["a live scale out", journaledWordCount([], scaleOut("live"))],
    [
      "a stopping scale out with a crash in it",
      journaledWordCount([{ type: "crash", vm: 1, atMs: 5_400 }], scaleOut("pause")),
    ],
  ];
  for (const [what, { sim, journal }] of runs) {
    it(`reads back the journal of ${what} into a coordinator that replays it without divergence`, () => {
      const ctx = { codecOf: codecOfPlan(sim.plan), logical: sim.plan };
      const read = new MemoryJournal();
      let checkpoints = 0;
      for (const [at, entry] of journal.entries.entries()) {
        const encoded = encodeEntry(entry, ctx);
        if (encoded.checkpoint !== null) checkpoints++;
        expect(encoded.json).not.toMatch(/"checkpoint":"[A-Za-z0-9+/]{40,}/); // the bytes are apart
        read.append(decodeEntry({ json: encoded.json, checkpoint: encoded.checkpoint }, at, ctx));
      }
      expect(checkpoints).toBeGreaterThan(0);
      const rebuilt = JournaledCoordinator.takeOver(unreachableRuntime(), read as Journal).coordinator;
      expect(rebuilt.plan.instances).toEqual(sim.physicalPlan!.instances);
      expect(rebuilt.faultTolerance!.records).toEqual(sim.faultTolerance!.records);
      expect(rebuilt.scaling!.records).toEqual(sim.scaleOuts);
    });
  }

  it("refuses a malformed entry in one line naming it and what is wrong", () => {
    const ctx = { codecOf: codecOfPlan(runs[0][1].sim.plan), logical: runs[0][1].sim.plan };
    const bad = (json: string) => () => decodeEntry({ json, checkpoint: null }, 7, ctx);
    expect(bad("{")).toThrow(JournalCodecError);
    expect(bad("{")).toThrow(/^coordinator journal entry 7: not JSON/);
    const ok = { atMs: 1, depth: 0, afterEffect: 0, answers: [], effects: 3 };
    expect(bad(JSON.stringify({ ...ok, input: { kind: "nope" } }))).toThrow(
      /entry 7: no input of kind "nope"/,
    );
    expect(bad(JSON.stringify({ ...ok, input: { kind: "timer", timer: "x" } }))).toThrow(
      /timer: timer is not an integer/,
    );
    expect(bad(JSON.stringify({ ...ok, atMs: "soon", input: { kind: "start" } }))).toThrow(
      /atMs is not a number/,
    );
    expect(bad(JSON.stringify({ ...ok, input: { kind: "reply", reply: "AAAA" } }))).toThrow(
      /entry 7: reply: /,
    );
    expect(bad(JSON.stringify({ ...ok, input: { kind: "deployed", call: 1, placed: [[1, 2]] } }))).toThrow(
      /an instance is not \[id, operator/,
    );
  });
});
