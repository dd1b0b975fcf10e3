// Events held in keyed state until the watermark has passed their time, then taken in a
// fixed order: how Linear Road's operators see every input in event-time order although
// several upstream instances interleave their batches. Across keys, due events are taken
// time first (then key), so the sequence of what an operator emits is the same however
// the watermark advanced (one second at a time, or several at once after a recovery):
// replays after a failure regenerate exactly the original output. Rows are kept flat (a number[]
// with `stride` numbers per event, the event time first), so state stays plain data
// that checkpoints copy and codecs encode as it is.

/** Append an event (its time, then its fields) to a flat list of held events. */
export function hold(held: number[], eventTimeMs: number, row: ArrayLike<number>, fields: number): void {
  held.push(eventTimeMs);
  for (let f = 0; f < fields; f++) held.push(row[f]);
}

/**
 * Remove from `held` the events whose time is before `watermarkMs` (every event of that
 * time has arrived) and return them sorted by time, then by the fields named in `order`
 * (offsets into the event's fields). Returns null when none is due.
 */
export function takeDue(
  held: number[],
  stride: number,
  watermarkMs: number,
  order: readonly number[],
): number[][] | null {
  let due: number[][] | null = null;
  let kept = 0;
  for (let at = 0; at < held.length; at += stride) {
    if (held[at] < watermarkMs) {
      due ??= [];
      due.push(held.slice(at, at + stride));
    } else {
      for (let k = 0; k < stride; k++) held[kept + k] = held[at + k];
      kept += stride;
    }
  }
  if (due === null) return null;
  held.length = kept;
  due.sort((a, b) => {
    if (a[0] !== b[0]) return a[0] - b[0];
    for (const o of order) if (a[1 + o] !== b[1 + o]) return a[1 + o] - b[1 + o];
    return 0;
  });
  return due;
}

/** A due event of one key. */
export interface DueEvent<S> {
  readonly key: number;
  /** The key's state (mutable). */
  readonly state: S;
  readonly event: number[];
}

/**
 * The due events of every key, each key's taken by `takeDue`, in one sequence ordered by
 * time, then key, then each key's own order.
 */
export function takeDueAcross<S>(
  keys: readonly number[],
  stateOf: (key: number) => S,
  heldOf: (state: S) => number[],
  stride: number,
  watermarkMs: number,
  order: readonly number[],
): DueEvent<S>[] {
  const all: DueEvent<S>[] = [];
  for (const key of keys) {
    const state = stateOf(key);
    const due = takeDue(heldOf(state), stride, watermarkMs, order);
    if (due !== null) for (const event of due) all.push({ key, state, event });
  }
  // Stable: each key's events keep their order within a time.
  all.sort((a, b) => a.event[0] - b.event[0] || a.key - b.key);
  return all;
}
