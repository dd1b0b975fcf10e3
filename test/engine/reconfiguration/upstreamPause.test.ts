// Pausing the upstreams: each is asked to pause, and what they had sent to the watched
// receivers is noted per channel.

import { describe, expect, it } from "vitest";
import type { ControlReply } from "../../../engine/control.js";
import { PausingUpstreams, type SentPosition, sentTo } from "../../../engine/reconfiguration/index.js";
import { fakeLink } from "./fakeLink.js";

const paused = (instance: number, sent: { edge: number; receiver: number; seq: number }[]): ControlReply => ({
  type: "paused",
  instance,
  sent,
});

describe("pausing upstreams", () => {
  it("pauses each upstream and moves on with what they had sent to the watched receivers", () => {
    const { link, sent } = fakeLink();
    let done: readonly SentPosition[] | null = null;
    const step = new PausingUpstreams(link, [0, 1], [2], (s) => {
      done = s;
    });
    step.enter();
    expect(sent).toEqual([
      [0, { type: "pause" }],
      [1, { type: "pause" }],
    ]);
    expect(
      step.reply(
        paused(0, [
          { edge: 0, receiver: 2, seq: 10 },
          { edge: 0, receiver: 3, seq: 11 },
        ]),
      ),
    ).toBe(true);
    expect(step.reply(paused(0, []))).toBe(false);
    expect(done).toBeNull();
    expect(step.reply(paused(1, [{ edge: 0, receiver: 2, seq: 7 }]))).toBe(true);
    expect(done).not.toBeNull();
    expect(sentTo(done!, 2)).toEqual([
      { edge: 0, sender: 0, seq: 10, watermarkMs: Number.NEGATIVE_INFINITY },
      { edge: 0, sender: 1, seq: 7, watermarkMs: Number.NEGATIVE_INFINITY },
    ]);
    expect(sentTo(done!, 3)).toEqual([]);
  });

  it("moves on at once when there is no upstream", () => {
    let done = false;
    new PausingUpstreams(fakeLink().link, [], [2], () => {
      done = true;
    }).enter();
    expect(done).toBe(true);
  });
});
