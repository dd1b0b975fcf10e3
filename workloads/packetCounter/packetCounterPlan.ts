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
  type PacketSourceOptions,
  resolvePacketSourceOptions,
} from "./packetSource.js";

/** Packet and byte counts of a flow, changed in place (the state's clone keeps checkpoints intact). */
export interface FlowCount {
  packets: number;
  bytes: number;
}

/** A copy of a flow count, for checkpoints taken while counting goes on. */
export const cloneFlowCount = (c: FlowCount): FlowCount => ({ packets: c.packets, bytes: c.bytes });

/** Counts packets and bytes per flow; emits (flow, [packets, bytes]) at the end. */
export class FlowCounter implements Operator<FlowCount> {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<FlowCount>): void {
    const state = ctx.state;
    const keys = batch.keys;
    const lengths = batch.fields[5];
    for (let i = 0; i < batch.length; i++) {
      const c = state.mutable(keys[i]);
      if (c === undefined) state.set(keys[i], { packets: 1, bytes: lengths[i] });
      else {
        c.packets++;
        c.bytes += lengths[i];
      }
    }
  }

  onEnd(ctx: OperatorContext<FlowCount>): void {
    const flows = [...ctx.state.keys()].sort((a, b) => a - b);
    for (const f of flows) {
      const c = ctx.state.get(f)!;
      ctx.emit(f, 0, [c.packets, c.bytes]);
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
    cloneState: cloneFlowCount,
  });
  const sink = q.sink("sink", () => ({}), { table: flowCountTable() });
  q.connect(packets, count, "key").connect(count, sink, "forward");
  return q.build();
}
