import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Environment, StepLimitError } from "../../sim/kernel.js";

describe("Environment", () => {
  it("pops events by time, then priority, then scheduling order", () => {
    const env = new Environment();
    const seen: string[] = [];
    env.schedule(5, () => seen.push("t5 p0 a"));
    env.schedule(5, () => seen.push("t5 p-1"), -1);
    env.schedule(1, () => seen.push("t1"));
    env.schedule(5, () => seen.push("t5 p0 b"));
    env.schedule(5, () => seen.push("t5 p3"), 3);
    env.run();
    expect(seen).toEqual(["t1", "t5 p-1", "t5 p0 a", "t5 p0 b", "t5 p3"]);
  });

  it("never runs time backwards, whatever is scheduled from inside events", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1000), fc.integer({ min: -3, max: 3 }), fc.nat(3)), { maxLength: 200 }),
        (specs) => {
          const env = new Environment();
          const times: number[] = [];
          const orderKeys: [number, number, number][] = [];
          let seq = 0;
          const add = (delay: number, prio: number, children: number) => {
            const mySeq = seq++;
            const at = env.nowMs() + delay;
            env.schedule(
              delay,
              () => {
                times.push(env.nowMs());
                orderKeys.push([at, prio, mySeq]);
                for (let c = 0; c < children && seq < 2000; c++) add((delay * 7 + c) % 50, prio, 0);
              },
              prio,
            );
          };
          for (const [d, p, c] of specs) add(d, p, c);
          env.run();
          for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
          for (let i = 1; i < orderKeys.length; i++) {
            const [t0, p0, s0] = orderKeys[i - 1];
            const [t1, p1, s1] = orderKeys[i];
            expect(t1 > t0 || (t1 === t0 && (p1 > p0 || (p1 === p0 && s1 > s0)))).toBe(true);
          }
        },
      ),
    );
  });

  it("refuses to schedule in the past", () => {
    const env = new Environment();
    env.schedule(10, () => {
      expect(() => env.scheduleAt(5, () => {})).toThrow(/time is already 10 ms/);
    });
    env.run();
    expect(() => env.schedule(-1, () => {})).toThrow(RangeError);
  });

  it("cancels a pending event, and ignores the handle of one that already ran", () => {
    const env = new Environment();
    const seen: number[] = [];
    const a = env.schedule(1, () => seen.push(1));
    const b = env.schedule(2, () => seen.push(2));
    env.cancel(b);
    env.run();
    env.cancel(a);
    const c = env.schedule(1, () => seen.push(3)); // may reuse a's slot
    env.cancel(a);
    env.run();
    expect(seen).toEqual([1, 3]);
    expect(c).not.toBe(a);
  });

  it("runs until a time, leaving later events pending, and peeks at the next one", () => {
    const env = new Environment();
    const seen: number[] = [];
    for (const t of [1, 5, 9]) env.schedule(t, () => seen.push(t));
    env.run(5);
    expect(seen).toEqual([1, 5]);
    expect(env.nowMs()).toBe(5);
    expect(env.peek()).toBe(9);
    env.run(7);
    expect(env.nowMs()).toBe(7);
  });

  it("stops a runaway run at its bound on steps with a clear error", () => {
    const env = new Environment(1000);
    const tick = () => env.schedule(1, tick);
    tick();
    expect(() => env.run()).toThrow(StepLimitError);
    expect(() => env.run()).toThrow(/exceeded its bound of 1000 steps/);
  });
});
