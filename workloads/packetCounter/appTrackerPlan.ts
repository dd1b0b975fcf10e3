// AppTracker (SAND's second application) as a query plan: packets -> decode (round robin)
// -> classify, keyed by flow -> track, keyed by application class -> sink. It reports, per
// tumbling event-time window of `trackWindowMs`, the packets and bytes of each application
// class; `trafficDistribution` turns that into each class's share, SAND's output table.
// The sink's table lists `app,windowStartMs,windowEndMs,packets,bytes`.
//
// What it simplifies from SAND's AppTracker (spout -> decoder -> DPI engine -> tracker):
// - The source emits parsed header fields, not raw frames, so decoding is validating the
//   header and finding the flow's server endpoint rather than extracting IP packets.
// - There are no payloads to inspect: "DPI" is a rule table over protocol and server port,
//   and a seeded table over server addresses where a port carries several applications
//   (appClassifier.ts). A flow is classified on its first packet and keeps its class.
// - The flow table never expires idle flows (a run's flows are finite, `flows`).
// - The tracker counts per window and class; the shares are computed from its results
//   outside the plan instead of by a collector operator.

import {
  type Batch,
  type LogicalPlan,
  type Operator,
  QueryBuilder,
  type SinkTable,
  type TableCell,
  timeWindow,
  type WindowResult,
} from "../../engine/index.js";
import { APP_CLASSES, type AppClass, AppClassifier } from "./appClassifier.js";
import { CLASSIFIED_FIELDS, FlowClassifier } from "./flowClassifier.js";
import { DECODED_FIELDS, PacketDecoder } from "./packetDecoder.js";
import { addPacketSource, type PacketSourceOptions, resolvePacketSourceOptions } from "./packetSource.js";
import { type AppTraffic, trafficAggregate } from "./trafficTracker.js";

/** Knobs of AppTracker; every one has a default. */
export interface AppTrackerOptions extends Partial<PacketSourceOptions> {
  /** Instances of the source (default 1). */
  readonly sourceParallelism?: number;
  /** Instances of decode (default `sourceParallelism`). */
  readonly decodeParallelism?: number;
  /** Instances of classify, keyed by flow (default 1). */
  readonly classifyParallelism?: number;
  /** Instances of track, keyed by application class (default 1). */
  readonly trackParallelism?: number;
  /** Length of the tracker's tumbling windows (default 1000 ms). */
  readonly trackWindowMs?: number;
  /** Called with each (class, window) result the sink receives. */
  readonly onTraffic?: (traffic: AppTraffic) => void;
}

/** The application class of key `key`; throws for a key of none. */
function appOf(key: number): AppClass {
  const app = APP_CLASSES[key];
  if (app === undefined) throw new RangeError(`key ${key} is not an application class`);
  return app;
}

/** The columns of AppTracker's outputs: `app,windowStartMs,windowEndMs,packets,bytes`. */
export function appTrafficTable(): SinkTable<WindowResult<readonly [packets: number, bytes: number]>> {
  const cells: TableCell[] = ["", 0, 0, 0, 0];
  return {
    columns: ["app", "windowStartMs", "windowEndMs", "packets", "bytes"],
    row: (key, w) => {
      cells[0] = appOf(key);
      cells[1] = w.windowStartMs;
      cells[2] = w.windowEndMs;
      cells[3] = w.result[0];
      cells[4] = w.result[1];
      return cells;
    },
  };
}

/** Hands each tracker result to a callback, as an AppTraffic. */
class AppTrafficSink implements Operator {
  constructor(private readonly onTraffic: (traffic: AppTraffic) => void) {}

  onBatch(batch: Batch): void {
    for (let i = 0; i < batch.length; i++) {
      const w = batch.values?.[i] as WindowResult<[number, number]>;
      const app = appOf(batch.keys[i]);
      const [packets, bytes] = w.result;
      this.onTraffic({ app, windowStartMs: w.windowStartMs, windowEndMs: w.windowEndMs, packets, bytes });
    }
  }
}

/** AppTracker's logical plan. */
export function appTrackerPlan(o: AppTrackerOptions = {}): LogicalPlan {
  const source = resolvePacketSourceOptions(o);
  const sourceParallelism = o.sourceParallelism ?? 1;
  const trackWindowMs = o.trackWindowMs ?? 1000;
  const classifier = new AppClassifier(source.seed);
  const window = timeWindow({ sizeMs: trackWindowMs, slideMs: trackWindowMs, aggregate: trafficAggregate });
  const onTraffic = o.onTraffic;

  const q = new QueryBuilder("apptracker");
  const packets = addPacketSource(q, source, sourceParallelism);
  const decode = q.operator("decode", () => new PacketDecoder(), {
    parallelism: o.decodeParallelism ?? sourceParallelism,
    outputs: [{ fields: DECODED_FIELDS.length }],
  });
  const classify = q.operator("classify", () => new FlowClassifier(classifier), {
    stateful: true,
    parallelism: o.classifyParallelism ?? 1,
    outputs: [{ fields: CLASSIFIED_FIELDS.length }],
  });
  const track = q.operator("track", window.create, {
    ...window.options,
    parallelism: o.trackParallelism ?? 1,
  });
  const sink = q.sink("sink", () => (onTraffic === undefined ? {} : new AppTrafficSink(onTraffic)), {
    table: appTrafficTable(),
  });
  q.connect(packets, decode, "roundRobin")
    .connect(decode, classify, "key")
    .connect(classify, track, "key")
    .connect(track, sink, "forward");
  return q.build();
}
