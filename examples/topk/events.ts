// The top-k job's input: a stream of (category, item) events, e.g. what shoppers look at.
// Event n is a function of (seed, n) alone (a seedrandom generator seeded per event, as
// workloads/wordCount/textSource.ts seeds per line), so a restored source that seeks back
// to a checkpoint's position produces exactly the same events again. Event n comes at event
// time n * eventIntervalMs; its category is uniform, its item Zipf-distributed (item 0 the
// most popular). Category names are interned as stable integer keys with hashString53, so
// every instance, process and worker maps a name to the same key without a shared table.

import seedrandom from "seedrandom";
import { hashString53, type OperatorContext, type Source } from "seep-testbed/engine";

/** Some readable category names; categories beyond these are named `category-<n>`. */
const CATEGORY_NAMES = ["books", "music", "garden", "toys", "games", "kitchen", "sports", "tools"];

/** The name of category `c`. */
export function categoryName(c: number): string {
  return c < CATEGORY_NAMES.length ? CATEGORY_NAMES[c] : `category-${c}`;
}

/** The name of item `i` (zero-padded, so that names sort as their numbers do). */
export function itemName(i: number): string {
  return `item-${String(i).padStart(4, "0")}`;
}

/** The integer key of a category name: the same in every instance, process and run. */
export function categoryKey(name: string): number {
  return hashString53(name);
}

/** What the event stream is made of. */
export interface EventShape {
  readonly seed: number;
  readonly events: number;
  readonly eventIntervalMs: number;
  readonly categories: number;
  readonly items: number;
  /** Item i has weight 1 / (i + 1)^zipfExponent (0: uniform). */
  readonly zipfExponent: number;
}

/** One event: its event time, category and item (numbers; names by categoryName/itemName). */
export interface ShopEvent {
  readonly timeMs: number;
  readonly category: number;
  readonly item: number;
}

/** Draws events of one shape: `at(n)` is event n, the same every time it is asked. */
export class EventDraw {
  /** cumulative[i]: the weights of items 0..i summed. */
  private readonly cumulative: Float64Array;

  constructor(readonly shape: EventShape) {
    this.cumulative = new Float64Array(shape.items);
    let sum = 0;
    for (let i = 0; i < shape.items; i++) {
      sum += 1 / (i + 1) ** shape.zipfExponent;
      this.cumulative[i] = sum;
    }
  }

  /** Event n's category and item, written into `out` (no allocation but the generator). */
  draw(n: number, out: { category: number; item: number }): void {
    const rng = seedrandom.alea(`${this.shape.seed}:${n}`);
    out.category = Math.floor(rng() * this.shape.categories);
    out.item = this.itemOf(rng());
  }

  /** Event n as a value (for tests and reference computations). */
  at(n: number): ShopEvent {
    const e = { category: 0, item: 0 };
    this.draw(n, e);
    return { timeMs: n * this.shape.eventIntervalMs, category: e.category, item: e.item };
  }

  /** The item of a uniform draw u in [0, 1): the first whose cumulative weight exceeds u * total. */
  private itemOf(u: number): number {
    const c = this.cumulative;
    const target = u * c[c.length - 1];
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid] <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Emits event n as (category key, n * eventIntervalMs, row [item]). */
export class EventSource implements Source {
  private produced = 0;
  private readonly row = new Float64Array(1);
  private readonly scratch = { category: 0, item: 0 };

  constructor(
    private readonly draw: EventDraw,
    /** The key of each category, by category number. */
    private readonly keys: readonly number[],
  ) {}

  next(ctx: OperatorContext, max: number, untilEventTimeMs: number): boolean {
    const { events, eventIntervalMs } = this.draw.shape;
    const due = Math.floor(untilEventTimeMs / eventIntervalMs) + 1; // events with n * interval <= until
    const end = Math.min(events, this.produced + max, Math.max(this.produced, due));
    const e = this.scratch;
    for (let n = this.produced; n < end; n++) {
      this.draw.draw(n, e);
      this.row[0] = e.item;
      ctx.emitRow(this.keys[e.category], n * eventIntervalMs, this.row);
    }
    this.produced = end;
    return this.produced < events;
  }

  /** Events produced so far. */
  position(): number {
    return this.produced;
  }

  seek(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || position > this.draw.shape.events) {
      throw new RangeError(`position ${position} is outside [0, ${this.draw.shape.events}]`);
    }
    this.produced = position;
  }
}
