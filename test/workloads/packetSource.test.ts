// The packet source replays its packets in event time: at a rate, each when its time has
// come; with packetsPerMs 0, all of them at event time 0, and none before run time 0 (a
// real run's sources are started before its clock reaches 0).

import { describe, expect, it } from "vitest";
import { type Emitter, emitColumnsAsRows } from "../../engine/index.js";
import {
  FLOW_TABLE_FLOWS_MAX,
  flowHeader,
  PACKET_FIELDS,
  PacketSource,
} from "../../workloads/packetCounter/packetSource.js";

/** Counts what a source emits, and the latest event time. */
function counter() {
  const seen = { n: 0, lastMs: Number.NEGATIVE_INFINITY };
  const out: Emitter = {
    emit: () => {},
    emitRow: (_key: number, eventTimeMs: number) => {
      seen.n++;
      seen.lastMs = Math.max(seen.lastMs, eventTimeMs);
    },
    emitColumns: (...columns) => emitColumnsAsRows(out, ...columns),
  };
  return { seen, out };
}

describe("PacketSource", () => {
  it("with packetsPerMs 0, emits nothing before run time 0 and everything at event time 0 from then on", () => {
    const src = new PacketSource({ packets: 5000, flows: 100, packetsPerMs: 0, seed: 1 });
    const { seen, out } = counter();
    expect(src.next(out, 10_000, -300)).toBe(true);
    expect(seen.n).toBe(0);
    expect(src.next(out, 10_000, 0)).toBe(false);
    expect(seen.n).toBe(5000);
    expect(seen.lastMs).toBe(0);
  });

  it("at a rate, emits each packet once its event time has come", () => {
    const src = new PacketSource({ packets: 1000, flows: 100, packetsPerMs: 10, seed: 1 });
    const { seen, out } = counter();
    src.next(out, 10_000, 9);
    expect(seen.n).toBe(100);
    expect(seen.lastMs).toBe(9);
    src.next(out, 10_000, 99);
    expect(seen.n).toBe(1000);
  });

  it("gives each packet its flow's 5-tuple, from its table of flows or, for more flows, computed", () => {
    for (const flows of [1, 100, FLOW_TABLE_FLOWS_MAX + 1]) {
      const src = new PacketSource({ packets: 3000, flows, packetsPerMs: 0, seed: 3 });
      const header = new Float64Array(PACKET_FIELDS.length);
      let checked = 0;
      const out: Emitter = {
        emit: () => {},
        emitRow: (flow: number, _t: number, row: ArrayLike<number>) => {
          flowHeader(flow, header);
          expect(Array.from(row).slice(0, 5)).toEqual(Array.from(header).slice(0, 5));
          expect(flow).toBeLessThan(flows);
          checked++;
        },
        emitColumns: (...columns) => emitColumnsAsRows(out, ...columns),
      };
      src.next(out, 3000, 0);
      expect(checked).toBe(3000);
    }
  });
});
