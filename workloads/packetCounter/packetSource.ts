// A source of packet headers, as in the SAND paper's first experiment: each tuple is one
// packet, keyed by its flow (a hash of the 5-tuple), with the header as numeric fields
// (source and destination address, ports, protocol, length). Packet i is a function of
// (seed, i) alone, so seeking is O(1). Flows follow a skewed popularity, as real traffic.
// A flow's 5-tuple is computed once, into a table (for up to FLOW_TABLE_FLOWS_MAX flows):
// the source runs at millions of packets a second, and the header is most of a packet's work.

import {
  type Emitter,
  fmix32,
  type OperatorRef,
  type QueryBuilder,
  type Source,
} from "../../engine/index.js";

/** Numeric fields of a packet tuple, in order. */
export const PACKET_FIELDS = ["srcIp", "dstIp", "srcPort", "dstPort", "protocol", "lengthBytes"] as const;

/** The fields a packet takes from its flow, its 5-tuple: every one of PACKET_FIELDS but the length. */
export const FLOW_FIELDS = ["srcIp", "dstIp", "srcPort", "dstPort", "protocol"] as const;

/** Write the 5-tuple of flow `flow` (FLOW_FIELDS, in order) into `row` from index `at`. */
export function flowHeader(flow: number, row: Float64Array, at = 0): void {
  const h = fmix32(flow + 1);
  row[at] = h & 0xffff;
  row[at + 1] = h >>> 16;
  row[at + 2] = 1024 + (flow % 50000);
  row[at + 3] = flow % 3 === 0 ? 443 : 80;
  row[at + 4] = flow % 7 === 0 ? 17 : 6;
}

/** Flows whose 5-tuples a source keeps in a table (40 bytes each); more are computed per packet. */
export const FLOW_TABLE_FLOWS_MAX = 1 << 16;
const HEADER = FLOW_FIELDS.length;

/** Packets a source makes a column at a time (the columns are 8 KiB each). */
const COLUMN_PACKETS = 1024;

/** Columns of COLUMN_PACKETS packets: keys (flows), event times and PACKET_FIELDS. */
interface PacketColumns {
  readonly keys: Float64Array;
  readonly eventTimesMs: Float64Array;
  readonly fields: readonly Float64Array[];
}

function packetColumns(): PacketColumns {
  return {
    keys: new Float64Array(COLUMN_PACKETS),
    eventTimesMs: new Float64Array(COLUMN_PACKETS),
    fields: PACKET_FIELDS.map(() => new Float64Array(COLUMN_PACKETS)),
  };
}

/** What a packet source produces. */
export interface PacketSourceOptions {
  readonly seed: number;
  /** Number of packets. */
  readonly packets: number;
  /** Number of distinct flows. */
  readonly flows: number;
  /** Packets per millisecond of event time; 0: every packet at event time 0 (as fast as possible). */
  readonly packetsPerMs: number;
}

/** The source options with defaults applied: seed 1, a million packets, 10,000 flows, as fast as possible. */
export function resolvePacketSourceOptions(o: Partial<PacketSourceOptions> = {}): PacketSourceOptions {
  return {
    seed: o.seed ?? 1,
    packets: o.packets ?? 1_000_000,
    flows: o.flows ?? 10_000,
    packetsPerMs: o.packetsPerMs ?? 0,
  };
}

/**
 * Add a source "packets" of `parallelism` instances to a plan: the packets are split
 * among them as evenly as possible, and instance i draws its packets with seed + i.
 */
export function addPacketSource(
  q: QueryBuilder,
  source: PacketSourceOptions,
  parallelism: number,
): OperatorRef {
  return q.source(
    "packets",
    (i) =>
      new PacketSource({
        ...source,
        packets: Math.floor(source.packets / parallelism) + (i.index < source.packets % parallelism ? 1 : 0),
        seed: source.seed + i.index,
      }),
    { parallelism, outputs: [{ fields: PACKET_FIELDS.length }] },
  );
}

/** Emits packet headers keyed by flow. */
export class PacketSource implements Source {
  private produced = 0;
  private readonly row = new Float64Array(PACKET_FIELDS.length);
  /** The columns emitTabled makes its packets in, made on its first call. */
  private columns: PacketColumns | null = null;
  /** Each flow's 5-tuple, HEADER numbers a flow, or null for too many flows (computed per packet). */
  private readonly headers: Float64Array | null;

  constructor(readonly options: PacketSourceOptions) {
    // flowOf draws flows below `flows` (and 0 when there are none).
    const flows = Math.max(1, Math.ceil(options.flows));
    if (!(flows <= FLOW_TABLE_FLOWS_MAX)) this.headers = null;
    else {
      this.headers = new Float64Array(flows * HEADER);
      for (let f = 0; f < flows; f++) flowHeader(f, this.headers, f * HEADER);
    }
  }

  /** The flow of packet i: skewed, the square of a uniform draw favours low flow ids (as `next` draws it). */
  flowOf(i: number): number {
    const u = fmix32((i ^ Math.imul(this.options.seed, 0x9e3779b1)) >>> 0) / 4294967296;
    return Math.floor(u * u * this.options.flows);
  }

  next(out: Emitter, max: number, untilEventTimeMs: number): boolean {
    const { packets, packetsPerMs } = this.options;
    // packetsPerMs 0: every packet at event time 0, released once run time 0 has come.
    const due =
      packetsPerMs === 0
        ? untilEventTimeMs >= 0
          ? packets
          : 0
        : Math.floor((untilEventTimeMs + 1) * packetsPerMs);
    const end = Math.min(packets, this.produced + max, Math.max(this.produced, due));
    if (this.headers === null) this.emitComputed(out, end);
    else this.emitTabled(out, end, this.headers);
    this.produced = end;
    return this.produced < packets;
  }

  /**
   * Emit packets up to `end`, each flow's 5-tuple from `headers`: the source's whole
   * per-packet work, made a column at a time (COLUMN_PACKETS packets per emitColumns).
   */
  private emitTabled(out: Emitter, end: number, headers: Float64Array): void {
    const { seed, flows, packetsPerMs } = this.options;
    this.columns ??= packetColumns();
    const { keys, eventTimesMs, fields } = this.columns;
    const [srcIp, dstIp, srcPort, dstPort, protocol, lengthBytes] = fields;
    // flowOf, inlined.
    const mix = Math.imul(seed, 0x9e3779b1);
    for (let from = this.produced; from < end; from += COLUMN_PACKETS) {
      const n = Math.min(COLUMN_PACKETS, end - from);
      for (let j = 0; j < n; j++) {
        const i = from + j;
        const u = fmix32((i ^ mix) >>> 0) / 4294967296;
        const flow = Math.floor(u * u * flows);
        const at = flow * HEADER;
        keys[j] = flow;
        srcIp[j] = headers[at];
        dstIp[j] = headers[at + 1];
        srcPort[j] = headers[at + 2];
        dstPort[j] = headers[at + 3];
        protocol[j] = headers[at + 4];
        lengthBytes[j] = 64 + (fmix32(i) % 1400);
        eventTimesMs[j] = packetsPerMs === 0 ? 0 : Math.floor(i / packetsPerMs);
      }
      out.emitColumns(n, keys, eventTimesMs, fields);
    }
  }

  /** Emit packets up to `end`, each flow's 5-tuple computed (too many flows for a table). */
  private emitComputed(out: Emitter, end: number): void {
    const packetsPerMs = this.options.packetsPerMs;
    const row = this.row;
    for (let i = this.produced; i < end; i++) {
      const flow = this.flowOf(i);
      flowHeader(flow, row);
      row[5] = 64 + (fmix32(i) % 1400);
      out.emitRow(flow, packetsPerMs === 0 ? 0 : Math.floor(i / packetsPerMs), row);
    }
  }

  position(): number {
    return this.produced;
  }

  seek(position: number): void {
    this.produced = position;
  }
}
