// The packet counter (SAND's first experiment): packets -> count per flow (key exchange)
// -> sink. The counter keeps a packet and a byte count per flow and emits every flow's
// totals when the stream ends, so the run's output is the traffic matrix by flow; the
// sink's table lists each flow with its 5-tuple.

import {
  type Batch,
  type LogicalPlan,
  type Operator,
  type OperatorContext,
  QueryBuilder,
  type SinkTable,
  type TableCell,
} from "../../engine/index.js";
import {
  addPacketSource,
  FLOW_FIELDS,
  flowHeader,
  PACKET_FIELDS,
  type PacketSourceOptions,
  resolvePacketSourceOptions,
} from "./packetSource.js";

/** The fields of a flow's record in the counter's state: packets, then bytes. */
const PACKETS = 0;
const BYTES = 1;
/** The packet's length among the batch's fields (PACKET_FIELDS). */
const LENGTH_FIELD = PACKET_FIELDS.indexOf("lengthBytes");

/**
 * Counts packets and bytes per flow, each flow's counts a record of two numbers
 * (engine/recordState.ts); emits (flow, [packets, bytes]) at the end, by flow.
 */
export class FlowCounter implements Operator {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    // A packet each (PACKETS), and its length in bytes (BYTES).
    ctx.records.accumulate(batch.keys, batch.length, [1, batch.fields[LENGTH_FIELD]]);
  }

  onEnd(ctx: OperatorContext): void {
    const records = ctx.records;
    const flows: number[] = [];
    records.forEach((flow) => {
      flows.push(flow);
    });
    flows.sort((a, b) => a - b);
    for (const f of flows) {
      const h = records.find(f);
      ctx.emit(f, 0, [records.get(h, PACKETS), records.get(h, BYTES)]);
    }
  }
}

/** The columns of the packet counter's outputs: `flow`, its 5-tuple, `packets,bytes`. */
export function flowCountTable(): SinkTable<readonly [packets: number, bytes: number]> {
  const header = new Float64Array(FLOW_FIELDS.length);
  const cells: TableCell[] = new Array(FLOW_FIELDS.length + 3).fill(0);
  return {
    columns: ["flow", ...FLOW_FIELDS, "packets", "bytes"],
    row: (flow, [packets, bytes]) => {
      flowHeader(flow, header);
      cells[0] = flow;
      for (let i = 0; i < header.length; i++) cells[i + 1] = header[i];
      cells[header.length + 1] = packets;
      cells[header.length + 2] = bytes;
      return cells;
    },
  };
}

/** Knobs of the packet counter. */
export interface PacketCounterOptions extends Partial<PacketSourceOptions> {
  /** Instances of the source and of the counter. */
  readonly sourceParallelism?: number;
  readonly countParallelism?: number;
}

/** The packet counter's logical plan. */
export function packetCounterPlan(o: PacketCounterOptions = {}): LogicalPlan {
  const q = new QueryBuilder("packets");
  const packets = addPacketSource(q, resolvePacketSourceOptions(o), o.sourceParallelism ?? 1);
  const count = q.operator("count", () => new FlowCounter(), {
    stateful: true,
    parallelism: o.countParallelism ?? 1,
    recordWidth: 2,
  });
  const sink = q.sink("sink", () => ({}), { table: flowCountTable() });
  q.connect(packets, count, "key").connect(count, sink, "forward");
  return q.build();
}
