// Events held in keyed state until the watermark has passed their time, then taken in a
// fixed order: how Linear Road's operators see every input in event-time order although
// several upstream instances interleave their batches. Rows are kept flat (a number[]
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
