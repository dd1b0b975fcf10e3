// The operator API: all a user's operator sees. It emits to output ports, reads and
// writes its keyed state and reads the current event time, and knows nothing of
// routing, buffers, timestamps or the runtime (the ETRI and SEEP designs alike).

import type { Batch } from "./batch.js";
import type { CloneValue, KeyedState } from "./keyedState.js";
import type { RecordState } from "./recordState.js";
import type { StateCodec } from "./stateCodec.js";

/** Emits tuples on one output port. */
export interface Emitter {
  /** Emit a tuple with an optional payload value. */
  emit(key: number, eventTimeMs: number, value?: unknown): void;
  /** Emit a tuple whose numeric fields are `row` (as many as the port declares). */
  emitRow(key: number, eventTimeMs: number, row: ArrayLike<number>, value?: unknown): void;
  /**
   * Emit `length` tuples given as columns: tuple i has key keys[i], event time
   * eventTimesMs[i] and numeric fields fields[f][i] (as many as the port declares). The
   * same as emitRow tuple by tuple, for a source that makes its tuples a column at a time.
   */
  emitColumns(
    length: number,
    keys: Float64Array,
    eventTimesMs: Float64Array,
    fields: readonly Float64Array[],
  ): void;
}

/**
 * Emit tuples given as columns (as Emitter.emitColumns takes them) through `emitter`'s
 * emitRow, one by one: emitColumns for an emitter that takes rows.
 */
export function emitColumnsAsRows(
  emitter: Pick<Emitter, "emitRow">,
  length: number,
  keys: Float64Array,
  eventTimesMs: Float64Array,
  fields: readonly Float64Array[],
): void {
  const row = new Float64Array(fields.length);
  for (let i = 0; i < length; i++) {
    for (let f = 0; f < fields.length; f++) row[f] = fields[f][i];
    emitter.emitRow(keys[i], eventTimesMs[i], row);
  }
}

/** What an operator instance sees of the engine. */
export interface OperatorContext<V = unknown> extends Emitter {
  /** The instance's keyed processing state (empty for stateless operators). */
  readonly state: KeyedState<V>;
  /** The instance's keyed state as records, for an operator with a `recordWidth` (throws otherwise). */
  readonly records: RecordState;
  /**
   * Event time of the instance: the low watermark over its inputs (for a source, the
   * latest event time it emitted). Never decreases; Infinity once every input ended.
   */
  readonly eventTimeMs: number;
  /** Processing time from the runtime's clock (virtual in the simulator). */
  readonly nowMs: number;
  /** This instance's index among its operator's instances, and their number. */
  readonly instanceIndex: number;
  readonly parallelism: number;
  /** The emitter of output port `port` (`emit` on the context is port 0). */
  out(port: number): Emitter;
}

/** Batches waiting on each input port, for operators that read their inputs in step. */
export interface AlignedInputs {
  /** Number of input ports. */
  readonly ports: number;
  /** The batches waiting on `port`, oldest first. */
  get(port: number): readonly Batch[];
}

/** A processing operator (stateless, or stateful when its spec says so). */
export interface Operator<V = unknown> {
  /** Called once before the first tuple, and after a restore. */
  open?(ctx: OperatorContext<V>): void;
  /** Asynchronous inputs: a batch arrived on `port`. */
  onBatch?(batch: Batch, port: number, ctx: OperatorContext<V>): void;
  /** Synchronous inputs: every input port has at least one batch waiting. */
  onAligned?(inputs: AlignedInputs, ctx: OperatorContext<V>): void;
  /** The instance's event time advanced (e.g. windows may close). */
  onWatermark?(ctx: OperatorContext<V>): void;
  /** Every input has ended; emit what is left. */
  onEnd?(ctx: OperatorContext<V>): void;
  /**
   * The state's horizon: an event time H such that the state, as far as any future output
   * goes, depends only on the processed tuples with event times at or after H. Replaying
   * just those into a fresh instance (output suppressed) and advancing it to the current
   * event time gives a state that emits exactly what this one will. The upstream-backup
   * strategy lets upstreams drop the tuples before H. Absent: -Infinity for a stateful
   * operator (keep everything), Infinity for a stateless one (keep nothing processed).
   * Time windows return the start of their oldest open window.
   */
  stateHorizonMs?(ctx: OperatorContext<V>): number;
}

/**
 * A source: produces tuples in event-time order from a position it can return to, so
 * that a restored source resumes (or replays) exactly where its checkpoint was taken.
 */
export interface Source<V = unknown> {
  /** Called once before the first tuple, and after a restore. */
  open?(ctx: OperatorContext<V>): void;
  /**
   * Emit at most `max` tuples, none with an event time after `untilEventTimeMs` (a
   * runtime that replays a stream at the pace of its event times sets this to the time
   * now; Infinity means as fast as possible). Return false once the source is exhausted.
   */
  next(ctx: OperatorContext<V>, max: number, untilEventTimeMs: number): boolean;
  /** Where the source stands (tuples produced so far, a file offset, ...). */
  position(): number;
  /** Go back or forward to a position returned by `position`. */
  seek(position: number): void;
  /**
   * Produce from now on only the keys a 1-in-`oneIn` sample keeps (`hashKey(key) % oneIn
   * === 0`): a runtime at reduced fidelity asks this of a source that can make its sample
   * itself, cheaper than producing every tuple for the emitter to drop. Positions then
   * count the sampled stream.
   */
  sampleKeys?(oneIn: number): void;
  /**
   * The event time before which no tuple will follow, when the source knows more than
   * its latest tuple says (a sparse sample of a time-ordered stream knows that time has
   * passed); asked after each `next`. Absent: the latest event time emitted.
   */
  watermarkMs?(untilEventTimeMs: number): number;
}

/** A sink: an operator without outputs that hands results to the outside world. */
export type Sink<V = unknown> = Operator<V>;

/** Where an operator instance is created: its index and its operator's parallelism. */
export interface InstanceInfo {
  readonly index: number;
  readonly parallelism: number;
}

/** An output port: how many numeric fields its tuples carry. */
export interface PortSchema {
  readonly fields: number;
}

/** What kind of node an operator is in a query plan. */
export type OperatorKind = "source" | "operator" | "sink";

/** Options common to every operator of a query plan (V: its keyed state's values). */
export interface OperatorOptions<V = unknown> {
  /** Number of instances at deployment. */
  readonly parallelism?: number;
  /** Key groups (maximum parallelism) of the operator. */
  readonly maxKeyGroups?: number;
  /** Input ports (default 1; sources have none). */
  readonly inputs?: number;
  /** Output ports (default one port without numeric fields; sinks have none). */
  readonly outputs?: readonly PortSchema[];
  /** Read all input ports in step (`onAligned`) instead of batch by batch. */
  readonly syncInputs?: boolean;
  /** True when the operator keeps keyed processing state. */
  readonly stateful?: boolean;
  /** How the engine copies a state value that the operator changes in place. */
  readonly cloneState?: CloneValue<V>;
  /** How an encoded checkpoint carries a state value (default: as JSON data, unchanged). */
  readonly stateCodec?: StateCodec<V>;
  /**
   * Keep the state as records of this many numbers per key (recordState.ts), read and
   * written through `ctx.records` instead of `ctx.state`; `cloneState` and `stateCodec`
   * then apply to the extras.
   */
  readonly recordWidth?: number;
}
