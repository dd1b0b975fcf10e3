// Checkpoints: a consistent copy of an instance's operator state, processing, routing
// and buffer state together, tagged with the per-input timestamps it reflects. Also
// partition (split by key-group ranges, for scale out and parallel recovery) and its
// inverse, merge (scale in), which work on checkpoints, not on operators. A checkpoint whose
// state a runtime keeps elsewhere (a real runtime's, left on the worker that took it) does
// partition and the part-level fields (a new instance's identity, a suppression cut) its
// own way (STATE_ELSEWHERE), so that the protocols call the same functions on it.

import type { Batch } from "./batch.js";
import type { ChannelPosition } from "./channelPosition.js";
import { type KeyGroupRange, mergeRanges } from "./keyGroups.js";
import type { SuppressionCut } from "./outputSuppression.js";
import type { RoutingState } from "./router.js";
import { StateSnapshot } from "./stateSnapshot.js";

// A checkpoint's inputs are channel positions, which output cuts (and so batches) name too:
// they live in channelPosition.ts, outside this file's imports of batches.
export type { ChannelPosition };

/** The output side of one edge: routing state and the next timestamp to stamp. */
export interface OutputPosition {
  readonly edge: number;
  readonly routing: RoutingState;
  /** Timestamp of the last tuple emitted on this edge (0 before the first). */
  readonly seq: number;
  /** Per receiver, the timestamp of the last tuple sent to it, as [receiver, seq] pairs. */
  readonly sentTo: readonly (readonly [number, number])[];
}

/** Buffered tuples of one output channel. */
export interface BufferedChannel {
  readonly edge: number;
  readonly receiver: number;
  readonly batches: readonly Batch[];
}

/** The fields a part gets beyond its state: a new instance's (asNewInstancePart), a suppression cut (withSuppression). */
export interface PartFields {
  /** No identity, output channels of its own, nothing buffered (asNewInstancePart). */
  readonly newInstance?: true;
  /** The output it suppresses, in place of its own (withSuppression). */
  readonly suppression?: readonly SuppressionCut[];
}

/** How a checkpoint whose state is elsewhere is partitioned and given part fields, its state left where it is. */
export interface StateElsewhere {
  /** `partition(cp, ranges)`: parts whose state is elsewhere too. */
  partition(cp: Checkpoint, ranges: readonly KeyGroupRange[]): Checkpoint[];
  /** `cp` with `fields` set, its state still elsewhere. */
  withFields(cp: Checkpoint, fields: PartFields): Checkpoint;
}

/** The key under which a checkpoint whose state is elsewhere carries its StateElsewhere. */
export const STATE_ELSEWHERE: unique symbol = Symbol("stateElsewhere");

/** A consistent, immutable copy of an instance's state. */
export interface Checkpoint<V = unknown> {
  /** Checkpoint number (chosen by whoever asked for it). */
  readonly id: number;
  /** The instance the state belongs to (after a partition: -1 for parts that take a new identity). */
  readonly instance: number;
  readonly operator: number;
  /** Key groups the processing state covers. */
  readonly range: KeyGroupRange;
  /** Input positions: exactly the tuples at or before these timestamps are reflected. */
  readonly inputs: readonly ChannelPosition[];
  /** Keyed processing state (empty for stateless operators). */
  readonly processing: StateSnapshot<V>;
  /** Routing state and timestamps of each output edge. */
  readonly outputs: readonly OutputPosition[];
  /** Buffer state: sent tuples not yet covered by the receivers' checkpoints. */
  readonly buffers: readonly BufferedChannel[];
  /** A source's position, or -1. */
  readonly sourcePosition: number;
  /** The instance's event time when the checkpoint was taken. */
  readonly watermarkMs: number;
  /** True once every input had ended. */
  readonly ended: boolean;
  /**
   * Marks only (upstream backup): the state's horizon when the mark was taken. The state
   * depended only on processed tuples with event times at or after it.
   */
  readonly horizonMs?: number;
  /**
   * The output the instance still suppresses (it took over keys another instance had
   * processed up to these cuts: a live scale out, a parallel recovery); restored with it.
   */
  readonly suppression?: readonly SuppressionCut[];
  /** Set by a runtime that keeps the state elsewhere (see StateElsewhere); absent otherwise. */
  readonly [STATE_ELSEWHERE]?: StateElsewhere;
}

/** The input positions and event time of a checkpoint, as one comparable string. */
function positionsKey(cp: Checkpoint): string {
  const inputs = [...cp.inputs].sort((a, b) => a.edge - b.edge || a.sender - b.sender);
  return `${cp.watermarkMs}|${cp.ended}|${inputs.map((c) => `${c.edge}/${c.sender}:${c.seq}@${c.watermarkMs}`).join(",")}`;
}

/** Number of keyed entries in a checkpoint. */
export function checkpointEntries(cp: Checkpoint): number {
  return cp.processing.size;
}

/** Number of buffered tuples in a checkpoint. */
export function checkpointBufferedTuples(cp: Checkpoint): number {
  let n = 0;
  for (const b of cp.buffers) for (const batch of b.batches) n += batch.length;
  return n;
}

/**
 * Split a checkpoint by key-group ranges that tile its range. Every part reflects the
 * same input positions; part 0 keeps the instance's identity, with its output
 * timestamps and buffers; the other parts start as new senders (instance -1).
 */
export function partition<V>(cp: Checkpoint<V>, ranges: readonly KeyGroupRange[]): Checkpoint<V>[] {
  const elsewhere = cp[STATE_ELSEWHERE];
  if (elsewhere !== undefined) return elsewhere.partition(cp as Checkpoint, ranges) as Checkpoint<V>[];
  if (!mergeRanges(ranges).equals(cp.range)) {
    throw new RangeError(`ranges ${ranges.join(" ")} do not tile the checkpoint's ${cp.range}`);
  }
  const parts = cp.processing.partition(ranges);
  return parts.map((processing, i) =>
    i === 0
      ? { ...cp, range: ranges[0], processing }
      : asNewInstancePart({ ...cp, range: ranges[i], processing }),
  );
}

/**
 * A part of a checkpoint for a new instance: no identity, and output channels of its own
 * (timestamps from 0, nothing buffered); its state, input positions and times are kept.
 */
export function asNewInstancePart<V>(part: Checkpoint<V>): Checkpoint<V> {
  const elsewhere = part[STATE_ELSEWHERE];
  if (elsewhere !== undefined)
    return elsewhere.withFields(part as Checkpoint, { newInstance: true }) as Checkpoint<V>;
  return {
    ...part,
    instance: -1,
    outputs: part.outputs.map((o) => ({ ...o, seq: 0, sentTo: [], routing: { ...o.routing, next: 0 } })),
    buffers: [],
  };
}

/** `cp` suppressing output up to `suppression` (in place of its own cuts): a scale out's or recovery's rewind base. */
export function withSuppression<V>(cp: Checkpoint<V>, suppression: readonly SuppressionCut[]): Checkpoint<V> {
  const elsewhere = cp[STATE_ELSEWHERE];
  if (elsewhere !== undefined)
    return elsewhere.withFields(cp as Checkpoint, { suppression }) as Checkpoint<V>;
  return { ...cp, suppression };
}

/**
 * Merge checkpoints of adjacent key-group ranges of one operator (the inverse of
 * `partition`). The parts must have been taken at one cut: the same input positions
 * and event time (scale-in pauses the upstreams and drains before checkpointing). The
 * part whose instance is not -1 (or else the first) gives the identity, output
 * timestamps and buffers; the other parts must hold no buffered output.
 */
export function merge<V>(parts: readonly Checkpoint<V>[]): Checkpoint<V> {
  if (parts.length === 0) throw new RangeError("merge needs at least one checkpoint");
  const primary = parts.find((p) => p.instance !== -1) ?? parts[0];
  for (const p of parts) {
    if (p.operator !== primary.operator)
      throw new RangeError("cannot merge checkpoints of different operators");
    if (p !== primary && p.buffers.some((b) => b.batches.length > 0)) {
      throw new RangeError(
        `checkpoint of instance ${p.instance} still holds buffered output; drain it first`,
      );
    }
  }
  const cut = positionsKey(primary);
  for (const p of parts) {
    if (positionsKey(p) !== cut) {
      throw new RangeError(
        `checkpoints of instances ${primary.instance} and ${p.instance} were not taken at one cut ` +
          "(different input positions or event time); pause the upstreams, drain, then checkpoint",
      );
    }
  }
  const processing = StateSnapshot.merge(parts.map((p) => p.processing));
  return { ...primary, range: processing.range, processing };
}

/**
 * Merge the checkpoints of adjacent instances taken at one scale-in cut, where each has
 * processed everything it was sent: every channel's position is the higher of theirs (an
 * upstream numbers its output per edge, so each tuple up to the higher position went to
 * one of them and was processed; the merged instance drops it if an upstream restored from
 * an older backup sends it again), and the event time is the lower of theirs (time windows
 * record per key what they fired, so nothing fires twice). The part whose instance is not
 * -1 gives the identity, output positions and buffers.
 */
export function mergeAtCut<V>(parts: readonly Checkpoint<V>[]): Checkpoint<V> {
  if (parts.length === 0) throw new RangeError("mergeAtCut needs at least one checkpoint");
  const primary = parts.find((p) => p.instance !== -1) ?? parts[0];
  if (parts.some((p) => p.operator !== primary.operator))
    throw new RangeError("cannot merge checkpoints of different operators");
  const inputs = new Map<string, ChannelPosition>();
  for (const p of parts) {
    for (const c of p.inputs) {
      const k = `${c.edge}/${c.sender}`;
      const seen = inputs.get(k);
      inputs.set(
        k,
        seen === undefined
          ? c
          : { ...c, seq: Math.max(seen.seq, c.seq), watermarkMs: Math.min(seen.watermarkMs, c.watermarkMs) },
      );
    }
  }
  const processing = StateSnapshot.merge(parts.map((p) => p.processing));
  return {
    ...primary,
    range: processing.range,
    processing,
    inputs: [...inputs.values()].sort((a, b) => a.edge - b.edge || a.sender - b.sender),
    watermarkMs: Math.min(...parts.map((p) => p.watermarkMs)),
    ended: parts.every((p) => p.ended),
  };
}
