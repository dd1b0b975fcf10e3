// Which numbered control messages a worker has applied, so that none is applied twice. Under
// HA the coordinator numbers the messages it sends to each instance id (ControlRequest
// .control_seq: 1, 2, 3, ... over the run, across incarnations), and a new leader resends
// those it cannot tell were taken. Messages travel on two connections (the control one, and
// the bulk one for those carrying checkpoints), so they may arrive out of order: nothing
// here assumes a number comes after the one before it.
//
// Per instance id the worker keeps a low-water mark (every number up to it applied) and the
// ranges applied above it, merged as they touch: with messages arriving nearly in order the
// ranges are few and short-lived, and the record stays small however long the run. An
// instance that came here from another worker starts with a gap below its first number
// here (those went elsewhere): one range, never filled, which costs one entry.

import type { AppliedControls as AppliedControlsMessage } from "./gen/seep/v1/seep.js";

/** Numbers first..last, both included. */
type Range = [first: number, last: number];

/** The sequence numbers applied to one instance id: a low-water mark and the ranges above it. */
export class AppliedSeqs {
  private low = 0;
  /** Disjoint, sorted, none touching another nor the low-water mark. */
  private readonly ranges: Range[] = [];

  /** Every number up to this has been applied. */
  get lowWater(): number {
    return this.low;
  }

  /** The ranges applied above the low-water mark, in order. */
  get above(): readonly (readonly [number, number])[] {
    return this.ranges;
  }

  /** True when `seq` has been applied. */
  has(seq: number): boolean {
    if (seq <= this.low) return true;
    const i = this.indexAfter(seq);
    return i > 0 && this.ranges[i - 1][1] >= seq;
  }

  /** Record `seq` (a safe integer >= 1) as applied; false when it had been already. */
  add(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 1)
      throw new RangeError(`a control_seq is a whole number >= 1, got ${seq}`);
    if (this.has(seq)) return false;
    const i = this.indexAfter(seq);
    const before = i > 0 ? this.ranges[i - 1] : undefined;
    const after = this.ranges[i] as Range | undefined;
    const joinsBefore = before !== undefined && before[1] === seq - 1;
    const joinsAfter = after !== undefined && after[0] === seq + 1;
    if (joinsBefore && joinsAfter) {
      before[1] = after[1];
      this.ranges.splice(i, 1);
    } else if (joinsBefore) before[1] = seq;
    else if (joinsAfter) after[0] = seq;
    else this.ranges.splice(i, 0, [seq, seq]);
    this.settle();
    return true;
  }

  /** Index of the first range starting after `seq` (binary search). */
  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid][0] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A first range that touches the low-water mark joins it. */
  private settle(): void {
    const first = this.ranges[0];
    if (first !== undefined && first[0] === this.low + 1) {
      this.low = first[1];
      this.ranges.shift();
    }
  }
}

/** The numbered control messages applied on a worker, per instance id (across its incarnations here). */
export class AppliedControls {
  private readonly byInstance = new Map<number, AppliedSeqs>();

  /** True when message `seq` to instance `instance` has been applied here. */
  has(instance: number, seq: number): boolean {
    return this.byInstance.get(instance)?.has(seq) ?? false;
  }

  /** Record message `seq` to `instance` as applied; false when it had been already. */
  add(instance: number, seq: number): boolean {
    let seqs = this.byInstance.get(instance);
    if (seqs === undefined) {
      seqs = new AppliedSeqs();
      this.byInstance.set(instance, seqs);
    }
    return seqs.add(seq);
  }

  /** What was applied, per instance id, as a Survey reports it (by instance id). */
  survey(): AppliedControlsMessage[] {
    return [...this.byInstance.entries()]
      .sort(([a], [b]) => a - b)
      .map(([instance, seqs]) => ({
        instance,
        lowWater: seqs.lowWater,
        above: seqs.above.map(([first, last]) => ({ first, last })),
      }));
  }
}
