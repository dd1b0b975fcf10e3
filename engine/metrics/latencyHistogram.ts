// A log-linear histogram of latencies in milliseconds, in the manner of HdrHistogram:
// each power of two is cut into 128 equal buckets, so a bucket is at most 1/128 (0.8%)
// of its values wide and a quantile read at its midpoint is within 0.4% of the truth.
// The bucket index comes from the bits of the float (exponent and top mantissa bits),
// not from a logarithm, and the counts live in one fixed Float64Array, so `add` is a few
// integer operations and never allocates. A snapshot holds the occupied buckets as they
// are, with the exact sum, min and max, so a restored histogram goes on exactly.

import { OutputStateError, type SnapshotReader, type SnapshotWriter } from "./snapshotBytes.js";

const SUB_BUCKET_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
// Values below 2^EXPONENT_MIN ms (about 1 microsecond) fall in one linear run of buckets
// as wide as the narrowest logarithmic ones, so small values are kept almost exactly.
const EXPONENT_MIN = -10;
// Values at or above 2^EXPONENT_END ms (about 2 years) share the last bucket; `max` stays exact.
const EXPONENT_END = 36;
const BUCKETS = SUB_BUCKETS * (1 + EXPONENT_END - EXPONENT_MIN);
const LINEAR_SCALE = 2 ** (SUB_BUCKET_BITS - EXPONENT_MIN);

// Scratch float whose high 32-bit word holds sign, exponent and top mantissa bits.
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const HIGH_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Bucket index of a finite value >= 0. */
function bucketOf(valueMs: number): number {
  if (valueMs < 2 ** EXPONENT_MIN) return Math.floor(valueMs * LINEAR_SCALE);
  scratch[0] = valueMs;
  const high = scratchWords[HIGH_WORD];
  const exponent = (high >>> 20) - 1023;
  if (exponent >= EXPONENT_END) return BUCKETS - 1;
  const sub = (high >>> (20 - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
  return SUB_BUCKETS * (1 + exponent - EXPONENT_MIN) + sub;
}

/** Lower bound of bucket `index`. */
function bucketLow(index: number): number {
  if (index < SUB_BUCKETS) return index / LINEAR_SCALE;
  const exponent = Math.floor(index / SUB_BUCKETS) - 1 + EXPONENT_MIN;
  return 2 ** exponent * (1 + (index % SUB_BUCKETS) / SUB_BUCKETS);
}

/** Width of bucket `index`. */
function bucketWidth(index: number): number {
  if (index < SUB_BUCKETS) return 1 / LINEAR_SCALE;
  const exponent = Math.floor(index / SUB_BUCKETS) - 1 + EXPONENT_MIN;
  return 2 ** exponent / SUB_BUCKETS;
}

/** A histogram of latencies in ms with about 0.4% relative error on quantiles. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  // Occupied bucket range, so that reset, merge and quantile touch only what was used.
  private lowIndex = BUCKETS;
  private highIndex = -1;
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;

  /** Record `count` observations of `valueMs` (finite, >= 0). */
  add(valueMs: number, count = 1): void {
    if (!(valueMs >= 0 && valueMs < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`latency must be a finite number >= 0, got ${valueMs}`);
    }
    if (!(count >= 0 && count < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`count must be a finite number >= 0, got ${count}`);
    }
    if (count === 0) return;
    const i = bucketOf(valueMs);
    this.counts[i] += count;
    if (i < this.lowIndex) this.lowIndex = i;
    if (i > this.highIndex) this.highIndex = i;
    this.total += count;
    this.sum += valueMs * count;
    if (valueMs < this.minValue) this.minValue = valueMs;
    if (valueMs > this.maxValue) this.maxValue = valueMs;
  }

  /** Number of observations. */
  get count(): number {
    return this.total;
  }

  /** Exact mean of the observations, or NaN when there are none. */
  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }

  /** Exact largest observation, or NaN when there are none. */
  get max(): number {
    return this.total === 0 ? Number.NaN : this.maxValue;
  }

  /** Exact smallest observation, or NaN when there are none. */
  get min(): number {
    return this.total === 0 ? Number.NaN : this.minValue;
  }

  /**
   * The q-quantile (0 <= q <= 1) by nearest rank: the value of observation number
   * ceil(q * count) in sorted order, read at its bucket's midpoint and clamped to
   * [min, max]; q = 0 and q = 1 give min and max exactly. NaN when empty.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    if (this.total === 0) return Number.NaN;
    if (q === 0) return this.minValue;
    if (q === 1) return this.maxValue;
    const rank = quantileRank(q, this.total);
    let seen = 0;
    for (let i = this.lowIndex; i <= this.highIndex; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const mid = bucketLow(i) + bucketWidth(i) / 2;
        return Math.min(this.maxValue, Math.max(this.minValue, mid));
      }
    }
    return this.maxValue;
  }

  /** Forget every observation. */
  reset(): void {
    if (this.highIndex >= 0) this.counts.fill(0, this.lowIndex, this.highIndex + 1);
    this.lowIndex = BUCKETS;
    this.highIndex = -1;
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = Number.NEGATIVE_INFINITY;
  }

  /** Write the histogram into a snapshot under way: its figures, then its occupied buckets. */
  writeSnapshot(w: SnapshotWriter): void {
    for (const x of [this.total, this.sum, this.minValue, this.maxValue]) w.f64(x);
    const n = this.highIndex - this.lowIndex + 1;
    w.u32(this.lowIndex);
    w.u32(Math.max(0, n));
    if (n > 0) w.array(this.counts.subarray(this.lowIndex, this.highIndex + 1));
  }

  /** Replace every observation with those `writeSnapshot` wrote into `r` (`what` names the histogram). */
  loadSnapshot(r: SnapshotReader, what: string): void {
    this.reset();
    this.total = r.f64(`${what} count`);
    this.sum = r.f64(`${what} sum`);
    this.minValue = r.f64(`${what} min`);
    this.maxValue = r.f64(`${what} max`);
    const low = r.u32(`${what} lowest bucket`);
    const n = r.u32(`${what} bucket count`);
    if (n === 0) return;
    if (low + n > BUCKETS)
      throw new OutputStateError(`${what} buckets ${low}..${low + n - 1} past the last, ${BUCKETS - 1}`);
    this.counts.set(r.f64s(n, `${what} buckets`), low);
    this.lowIndex = low;
    this.highIndex = low + n - 1;
  }

  /** Add every observation of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    if (other.total === 0) return;
    for (let i = other.lowIndex; i <= other.highIndex; i++) this.counts[i] += other.counts[i];
    if (other.lowIndex < this.lowIndex) this.lowIndex = other.lowIndex;
    if (other.highIndex > this.highIndex) this.highIndex = other.highIndex;
    this.total += other.total;
    this.sum += other.sum;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
  }
}

/**
 * Nearest rank of the q-quantile among `count` observations, at least 1. The product is
 * shrunk by a relative 2^-40 so that rounding (0.07 * 100 = 7.000000000000001) does not
 * push it past an integer.
 */
export function quantileRank(q: number, count: number): number {
  return Math.max(1, Math.ceil(q * count * (1 - 2 ** -40)));
}
