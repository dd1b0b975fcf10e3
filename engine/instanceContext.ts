// The context an operator instance sees: emitters per output port, its keyed state and
// its event time. Emitting goes straight to the output edges' routers and builders.
// A source's emitters may keep only a sample of the keys (1 in n, by a stable hash of
// the key), which a runtime asks for to run large experiments at reduced fidelity: a
// sampled key keeps its whole stream, so per-key operator state stays meaningful.

import { hashKey } from "./hash.js";
import type { KeyedState } from "./keyedState.js";
import { type Emitter, emitColumnsAsRows, type OperatorContext } from "./operator.js";
import type { OutputEdge } from "./outputEdge.js";
import type { RecordState } from "./recordState.js";

/** Emits to every edge leaving one output port. */
export class PortEmitter implements Emitter {
  /** Latest event time emitted through this port (a source's watermark). */
  maxEventTimeMs = Number.NEGATIVE_INFINITY;
  /** Tuples emitted through this port (sampled out or not). */
  count = 0;
  /** Share of the tuples to drop (load shedding, 0: none); drops are spread evenly. */
  shedRate = 0;
  /** Tuples dropped by load shedding. */
  shed = 0;
  private shedCredit = 0;

  constructor(
    readonly edges: OutputEdge[],
    /** Keep only keys whose hash is 0 modulo this (1: keep every tuple). */
    private readonly sampleOneIn = 1,
  ) {}

  emit(key: number, eventTimeMs: number, value?: unknown): void {
    if (eventTimeMs > this.maxEventTimeMs) this.maxEventTimeMs = eventTimeMs;
    this.count++;
    if (this.sampleOneIn > 1 && hashKey(key) % this.sampleOneIn !== 0) return;
    if (this.shedRate > 0 && this.shedding()) return;
    const edges = this.edges;
    for (let i = 0; i < edges.length; i++) edges[i].push(key, eventTimeMs, value, undefined);
  }

  /** True for the tuples load shedding drops: `shedRate` of them, one every 1/rate. */
  private shedding(): boolean {
    this.shedCredit += this.shedRate;
    if (this.shedCredit < 1) return false;
    this.shedCredit -= 1;
    this.shed++;
    return true;
  }

  emitRow(key: number, eventTimeMs: number, row: ArrayLike<number>, value?: unknown): void {
    if (eventTimeMs > this.maxEventTimeMs) this.maxEventTimeMs = eventTimeMs;
    this.count++;
    if (this.sampleOneIn > 1 && hashKey(key) % this.sampleOneIn !== 0) return;
    if (this.shedRate > 0 && this.shedding()) return;
    const edges = this.edges;
    for (let i = 0; i < edges.length; i++) edges[i].push(key, eventTimeMs, value, row);
  }

  emitColumns(
    length: number,
    keys: Float64Array,
    eventTimesMs: Float64Array,
    fields: readonly Float64Array[],
  ): void {
    // Sampling and shedding drop tuple by tuple: emitRow's own path.
    if (this.sampleOneIn > 1 || this.shedRate > 0) {
      emitColumnsAsRows(this, length, keys, eventTimesMs, fields);
      return;
    }
    let latest = this.maxEventTimeMs;
    for (let i = 0; i < length; i++) if (eventTimesMs[i] > latest) latest = eventTimesMs[i];
    this.maxEventTimeMs = latest;
    this.count += length;
    const edges = this.edges;
    for (let i = 0; i < edges.length; i++) edges[i].pushColumns(length, keys, eventTimesMs, fields);
  }
}

/** The engine's side of an OperatorContext. */
export class InstanceContext<V> implements OperatorContext<V> {
  eventTimeMs = Number.NEGATIVE_INFINITY;

  /** The state as records, for an operator with a record width; null otherwise. */
  recordState: RecordState | null = null;

  constructor(
    public state: KeyedState<V>,
    readonly ports: PortEmitter[],
    readonly instanceIndex: number,
    readonly parallelism: number,
    private readonly now: () => number,
  ) {}

  get nowMs(): number {
    return this.now();
  }

  get records(): RecordState {
    if (this.recordState === null)
      throw new TypeError("this operator keeps no records (its spec sets no recordWidth)");
    return this.recordState;
  }

  out(port: number): Emitter {
    const e = this.ports[port];
    if (e === undefined) throw new RangeError(`no output port ${port}`);
    return e;
  }

  emit(key: number, eventTimeMs: number, value?: unknown): void {
    this.out(0).emit(key, eventTimeMs, value);
  }

  emitRow(key: number, eventTimeMs: number, row: ArrayLike<number>, value?: unknown): void {
    this.out(0).emitRow(key, eventTimeMs, row, value);
  }

  emitColumns(...columns: Parameters<Emitter["emitColumns"]>): void {
    this.out(0).emitColumns(...columns);
  }

  /** Latest event time emitted on any port. */
  maxEmittedEventTimeMs(): number {
    let t = Number.NEGATIVE_INFINITY;
    for (const p of this.ports) if (p.maxEventTimeMs > t) t = p.maxEventTimeMs;
    return t;
  }

  /** Tuples emitted on all ports so far. */
  emittedCount(): number {
    let n = 0;
    for (const p of this.ports) n += p.count;
    return n;
  }
}
