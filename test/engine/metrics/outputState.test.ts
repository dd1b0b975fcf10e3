// Tests of the output state snapshot: a coordinator that restores it mid-run, is sent again
// what the workers had not seen acknowledged and then the rest of the run, ends with the
// digest, metrics and ledger of one that ran through (simulated word count and Linear Road
// runs under rsm, whose restored sinks report output again); unreadable bytes are refused.

import { describe, expect, it } from "vitest";
import { Metrics } from "../../../engine/metrics/metrics.js";
import { OutputState } from "../../../engine/metrics/outputState.js";
import { OutputStateError } from "../../../engine/metrics/snapshotBytes.js";
import {
  feed,
  freshState,
  metricsFigures,
  type OutputEvent,
  recordRun,
  resumedFrom,
  sameBytes,
} from "./outputEvents.js";

const runs = {
  "word count": recordRun("wordcount", 14_321),
  "Linear Road": recordRun("lrb", 60_321),
};

/** Tuples in the sink batches that `resumedFrom` sends again before event `k`. */
function resentTuples(events: readonly OutputEvent[], k: number, resent: number): number {
  return events
    .slice(Math.max(0, k - resent), k)
    .reduce((n, e) => n + (e.kind === "sink" ? e.batch.length : 0), 0);
}

/** The state after `events[0, k)`, through a snapshot, then the events from `k` on after `resent` sent again. */
function takenOverAt(events: readonly OutputEvent[], k: number, resent: number): OutputState {
  const before = freshState();
  feed(before, events.slice(0, k));
  const after = OutputState.restore(before.snapshot());
  feed(after, resumedFrom(events, k, resent));
  return after;
}

describe.each(Object.entries(runs))("OutputState over a %s run with a sink restored", (_, run) => {
  const n = run.events.length;
  const whole = freshState();
  feed(whole, run.events);
  const figures = metricsFigures(whole.metrics);

  it("counts the events as the simulation did: its digest, and the repeats its restored sink made", () => {
    expect(whole.digest.digest()).toBe(run.outputDigest);
    expect(run.repeats).toBeGreaterThan(0);
    expect(whole.ledger.repeats).toBe(run.repeats);
    expect(figures.rows.length).toBeGreaterThan(10);
  });

  it("restored at any of 25 cuts (the first and last among them), ends as the run without a takeover", () => {
    const cuts = Array.from({ length: 25 }, (_, i) => Math.round((i * n) / 24));
    for (const k of cuts) {
      const after = takenOverAt(run.events, k, 0);
      expect(after.digest.digest(), `cut ${k} of ${n}`).toBe(run.outputDigest);
      expect(after.digest.count, `cut ${k}`).toBe(whole.digest.count);
      expect(metricsFigures(after.metrics), `cut ${k}`).toEqual(figures);
      expect(after.ledger.repeats, `cut ${k}`).toBe(whole.ledger.repeats);
      expect(sameBytes(after.snapshot(), whole.snapshot()), `cut ${k}`).toBe(true);
    }
  });

  it("drops exactly what the workers send again from before the cut, at 150 cuts or more", () => {
    const step = Math.max(1, Math.floor(n / 150));
    for (let k = 0; k <= n; k += step) {
      const after = takenOverAt(run.events, k, 12);
      expect(after.digest.digest(), `cut ${k} of ${n}`).toBe(run.outputDigest);
      expect(after.metrics.tuplesOutTotal, `cut ${k}`).toBe(whole.metrics.tuplesOutTotal);
      expect(after.ledger.repeats, `cut ${k}`).toBe(whole.ledger.repeats + resentTuples(run.events, k, 12));
    }
    const k = Math.round(n / 2);
    expect(metricsFigures(takenOverAt(run.events, k, 40).metrics)).toEqual(figures);
  });

  it("takes over twice in a row, the second time from the restored state's own snapshot", () => {
    const [a, b] = [Math.round(n / 3), Math.round((2 * n) / 3)];
    const first = freshState();
    feed(first, run.events.slice(0, a));
    const second = OutputState.restore(first.snapshot());
    const resumed = resumedFrom(run.events, a, 5);
    feed(second, resumed.slice(0, resumed.length - (n - b)));
    const third = OutputState.restore(second.snapshot());
    feed(third, resumedFrom(run.events, b, 5));
    expect(third.digest.digest()).toBe(run.outputDigest);
    expect(metricsFigures(third.metrics)).toEqual(figures);
  });

  it("snapshots what restores from it to the same bytes", () => {
    const half = freshState();
    feed(half, run.events.slice(0, Math.round(n / 2)));
    const bytes = half.snapshot();
    expect(sameBytes(OutputState.restore(bytes).snapshot(), bytes)).toBe(true);
  });
});

describe("OutputState's refusals", () => {
  const small = freshState();
  feed(small, runs["word count"].events.slice(0, 200));
  const bytes = small.snapshot();

  it("refuses every truncation of a snapshot in one line that names what ran out", () => {
    for (let length = 0; length < bytes.length; length++) {
      let error: unknown = null;
      try {
        OutputState.restore(bytes.subarray(0, length));
      } catch (e) {
        error = e;
      }
      expect(error, `${length} of ${bytes.length} bytes`).toBeInstanceOf(OutputStateError);
      const message = (error as Error).message;
      expect(message).not.toContain("\n");
      expect(message).toMatch(/truncated|too short/);
    }
  });

  it("refuses another layout version, another kind and bytes left over", () => {
    const version = bytes.slice();
    version[4] = 2;
    expect(() => OutputState.restore(version)).toThrow(
      "unreadable output state snapshot: layout version 2, this seep reads version 1",
    );
    expect(() => OutputState.restore(small.metrics.snapshot())).toThrow(
      "unreadable output state snapshot: it holds metrics, expected an output state",
    );
    expect(() => Metrics.restore(bytes)).toThrow("it holds an output state, expected metrics");
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(() => OutputState.restore(longer)).toThrow("unreadable output state snapshot: 3 bytes left over");
    expect(() => OutputState.restore(new TextEncoder().encode("not a snapshot"))).toThrow(
      'no "SEOS" at its start',
    );
  });
});
