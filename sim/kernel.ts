// The simulation kernel: a virtual clock and an event heap, in the manner of SimPy's
// core. Events pop in a fixed order, (time, priority, sequence number), so a run is a
// pure function of what was scheduled. The heap holds no objects: times, orders and
// slot numbers live in parallel typed arrays; callbacks sit in a slot table beside it.
// Nothing here reads the wall clock, and simulated activity advances only through
// `step`, never through promises or timers.

import type { Clock, TimerHandle } from "../engine/index.js";

/** Thrown when a run exceeds its bound on steps (a runaway simulation). */
export class StepLimitError extends Error {
  constructor(limit: number, nowMs: number) {
    super(
      `the simulation exceeded its bound of ${limit} steps at t=${nowMs} ms; raise maxSteps if this is expected`,
    );
    this.name = "StepLimitError";
  }
}

const SLOT_BITS = 2 ** 24;
const PRIORITY_OFFSET = 1024;
const ORDER_SCALE = 2 ** 40;

/** A discrete-event environment with a virtual clock in milliseconds. */
export class Environment implements Clock {
  private now = 0;
  private size = 0;
  private heapTime = new Float64Array(1024);
  private heapOrder = new Float64Array(1024);
  private heapSlot = new Int32Array(1024);
  private callbacks: ((() => void) | null)[] = [];
  private generation: number[] = [];
  private freeSlots: number[] = [];
  private seq = 0;
  /** Events processed so far. */
  events = 0;

  constructor(
    /** Bound on the number of steps of this environment (a runaway run throws). */
    readonly maxSteps: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The current virtual time, in milliseconds. */
  nowMs(): number {
    return this.now;
  }

  /** Number of pending events (cancelled ones included until they pop). */
  get pending(): number {
    return this.size;
  }

  /** Run `callback` `delayMs` from now; lower priorities pop first at equal times. */
  schedule(delayMs: number, callback: () => void, priority = 0): TimerHandle {
    if (!(delayMs >= 0)) throw new RangeError(`cannot schedule ${delayMs} ms from now`);
    return this.scheduleAt(this.now + delayMs, callback, priority);
  }

  /** Run `callback` at time `atMs` (not before now). */
  scheduleAt(atMs: number, callback: () => void, priority = 0): TimerHandle {
    if (!(atMs >= this.now))
      throw new RangeError(`cannot schedule at ${atMs} ms: time is already ${this.now} ms`);
    if (priority < -PRIORITY_OFFSET || priority >= PRIORITY_OFFSET || !Number.isInteger(priority)) {
      throw new RangeError(`priority ${priority} must be an integer in [-1024, 1024)`);
    }
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.callbacks.length;
      if (slot >= SLOT_BITS) throw new RangeError("too many pending events");
      this.callbacks.push(null);
      this.generation.push(0);
    }
    this.callbacks[slot] = callback;
    this.push(atMs, (priority + PRIORITY_OFFSET) * ORDER_SCALE + this.seq++, slot);
    return this.generation[slot] * SLOT_BITS + slot;
  }

  /** Forget a pending event; a handle of an event that already ran is ignored. */
  cancel(handle: TimerHandle): void {
    const slot = handle % SLOT_BITS;
    if (this.generation[slot] === Math.floor(handle / SLOT_BITS)) this.callbacks[slot] = null;
  }

  /** Time of the next event, or Infinity when none is pending. */
  peek(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.heapTime[0];
  }

  /** Process the next event. Returns false when none was pending. */
  step(): boolean {
    if (this.size === 0) return false;
    if (this.events >= this.maxSteps) throw new StepLimitError(this.maxSteps, this.now);
    const time = this.heapTime[0];
    const slot = this.heapSlot[0];
    this.pop();
    const callback = this.callbacks[slot];
    this.callbacks[slot] = null;
    this.generation[slot]++;
    this.freeSlots.push(slot);
    if (callback === null) return true; // cancelled
    this.events++;
    this.now = time;
    callback();
    return true;
  }

  /** Process events until none is pending or the next one is after `untilMs`; the clock ends at `untilMs` if finite. */
  run(untilMs: number = Number.POSITIVE_INFINITY): void {
    while (this.size > 0 && this.heapTime[0] <= untilMs) this.step();
    if (Number.isFinite(untilMs) && untilMs > this.now) this.now = untilMs;
  }

  private grow(): void {
    const n = this.heapTime.length * 2;
    const t = new Float64Array(n);
    t.set(this.heapTime);
    const o = new Float64Array(n);
    o.set(this.heapOrder);
    const s = new Int32Array(n);
    s.set(this.heapSlot);
    this.heapTime = t;
    this.heapOrder = o;
    this.heapSlot = s;
  }

  private push(time: number, order: number, slot: number): void {
    if (this.size === this.heapTime.length) this.grow();
    const ht = this.heapTime;
    const ho = this.heapOrder;
    const hs = this.heapSlot;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p];
      if (pt < time || (pt === time && ho[p] < order)) break;
      ht[i] = pt;
      ho[i] = ho[p];
      hs[i] = hs[p];
      i = p;
    }
    ht[i] = time;
    ho[i] = order;
    hs[i] = slot;
  }

  private pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const ht = this.heapTime;
    const ho = this.heapOrder;
    const hs = this.heapSlot;
    const time = ht[n];
    const order = ho[n];
    const slot = hs[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (ht[r] < ht[c] || (ht[r] === ht[c] && ho[r] < ho[c]))) c = r;
      if (time < ht[c] || (time === ht[c] && order < ho[c])) break;
      ht[i] = ht[c];
      ho[i] = ho[c];
      hs[i] = hs[c];
      i = c;
    }
    ht[i] = time;
    ho[i] = order;
    hs[i] = slot;
  }
}
