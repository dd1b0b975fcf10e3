// AppTracker's tracker: packets and bytes per application class in tumbling event-time
// windows, as the engine's time window over a two-counter aggregate, so its state is
// keyed by class and checkpointed and partitioned like any window. The distribution (each
// class's share of a window's traffic) spans every class, hence every tracker instance,
// and is computed from the tracker's results by `trafficDistribution`.

import type { Aggregate } from "../../engine/index.js";
import { APP_CLASSES, type AppClass } from "./appClassifier.js";

/** Packets and bytes of a class in a window so far, changed in place (cloned for checkpoints). */
export interface Traffic {
  packets: number;
  bytes: number;
}

/** Counts packets and sums field 0 (the length) of classified packets; the result is [packets, bytes]. */
export const trafficAggregate: Aggregate<Traffic, [packets: number, bytes: number]> = {
  create: () => ({ packets: 0, bytes: 0 }),
  add: (acc, batch, i) => {
    acc.packets++;
    acc.bytes += batch.fields[0][i];
    return acc;
  },
  merge: (a, b) => {
    a.packets += b.packets;
    a.bytes += b.bytes;
    return a;
  },
  result: (acc) => [acc.packets, acc.bytes],
  clone: (acc) => ({ packets: acc.packets, bytes: acc.bytes }),
};

/** The traffic of one application class in one window, as the tracker reports it. */
export interface AppTraffic {
  readonly app: AppClass;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly packets: number;
  readonly bytes: number;
}

/** One class's share of a window's traffic. */
export interface AppShare extends AppTraffic {
  /** Fractions of the window's packets and bytes, in [0, 1]. */
  readonly packetShare: number;
  readonly byteShare: number;
}

/** Each class's share of its window's packets and bytes: by window, then by decreasing bytes. */
export function trafficDistribution(traffic: readonly AppTraffic[]): AppShare[] {
  const totals = new Map<number, { packets: number; bytes: number }>();
  for (const t of traffic) {
    const w = totals.get(t.windowStartMs) ?? { packets: 0, bytes: 0 };
    w.packets += t.packets;
    w.bytes += t.bytes;
    totals.set(t.windowStartMs, w);
  }
  return traffic
    .map((t) => {
      const w = totals.get(t.windowStartMs)!;
      return { ...t, packetShare: t.packets / w.packets, byteShare: w.bytes === 0 ? 0 : t.bytes / w.bytes };
    })
    .sort(
      (a, b) =>
        a.windowStartMs - b.windowStartMs ||
        b.bytes - a.bytes ||
        APP_CLASSES.indexOf(a.app) - APP_CLASSES.indexOf(b.app),
    );
}
