// Benchmark: the simulation kernel's events/s in the hold model (each event schedules
// one successor at a random delay), with 1e3 and 1e6 events pending. Baseline: the same
// workload on a binary heap of event objects, the design the kernel avoids.

import { nowMs } from "../measure/clock.js";
import { keyStream } from "../measure/keyStream.js";
import { medianOf } from "../measure/statistics.js";
import { Environment } from "../sim/kernel.js";
import type { BenchResult } from "./benchResult.js";

const DELAYS = keyStream(1 << 16, 1000, 3);

function kernelRun(pending: number, events: number): number {
  const env = new Environment();
  let i = 0;
  const hold = () => {
    env.schedule(DELAYS[i++ & 0xffff], hold);
  };
  for (let k = 0; k < pending; k++) env.schedule(DELAYS[k & 0xffff], hold);
  const t0 = nowMs();
  const start = env.events;
  while (env.events - start < events) env.step();
  return (events / (nowMs() - t0)) * 1000;
}

interface Ev {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
}

/** A textbook binary heap of event objects ordered by (time, seq). */
class ObjectHeap {
  private readonly a: Ev[] = [];
  private seq = 0;
  now = 0;
  get size(): number {
    return this.a.length;
  }
  schedule(delay: number, run: () => void): void {
    const e = { time: this.now + delay, seq: this.seq++, run };
    const a = this.a;
    let i = a.length;
    a.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].time < e.time || (a[p].time === e.time && a[p].seq < e.seq)) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }
  step(): void {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= a.length) break;
        if (
          c + 1 < a.length &&
          (a[c + 1].time < a[c].time || (a[c + 1].time === a[c].time && a[c + 1].seq < a[c].seq))
        )
          c++;
        if (last.time < a[c].time || (last.time === a[c].time && last.seq < a[c].seq)) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    this.now = top.time;
    top.run();
  }
}

function objectRun(pending: number, events: number): number {
  const heap = new ObjectHeap();
  let i = 0;
  const hold = () => heap.schedule(DELAYS[i++ & 0xffff], hold);
  for (let k = 0; k < pending; k++) heap.schedule(DELAYS[k & 0xffff], hold);
  const t0 = nowMs();
  for (let n = 0; n < events; n++) heap.step();
  return (events / (nowMs() - t0)) * 1000;
}

/** Run the kernel benchmark. */
export function benchKernel(quick: boolean): BenchResult[] {
  const events = quick ? 2_000_000 : 5_000_000;
  const runs = quick ? 3 : 5;
  kernelRun(1000, 500_000);
  objectRun(1000, 500_000);
  const results: BenchResult[] = [];
  for (const pending of [1_000, 1_000_000]) {
    results.push({
      name: `simulation kernel, hold model, ${pending.toExponential(0)} events pending`,
      value: medianOf(runs, () => kernelRun(pending, events)),
      unit: "events/s",
      baseline: {
        name: "binary heap of event objects",
        value: medianOf(runs, () => objectRun(pending, events)),
        unit: "events/s",
      },
      target: pending === 1_000 ? ">= 5M events/s" : undefined,
    });
  }
  return results;
}
