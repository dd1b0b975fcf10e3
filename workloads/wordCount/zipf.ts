// A Zipf distribution over ranks 0..size-1: rank r has weight 1 / (r + 1)^exponent, so
// exponent 0 is uniform and larger exponents concentrate the draws on the first ranks.
// The cumulative weights are computed once; a draw is a binary search over them, O(log n)
// and allocation-free, which is what a source drawing millions of words needs.

/** Ranks drawn with Zipf weights 1 / (r + 1)^exponent. */
export class ZipfDistribution {
  /** cumulative[r] = sum of the weights of ranks 0..r, summed in rank order. */
  private readonly cumulative: Float64Array;

  constructor(
    readonly size: number,
    readonly exponent: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size ${size} must be an integer >= 1`);
    if (!Number.isFinite(exponent) || exponent < 0) {
      throw new RangeError(`exponent ${exponent} must be a finite number >= 0`);
    }
    this.cumulative = new Float64Array(size);
    let sum = 0;
    for (let r = 0; r < size; r++) {
      sum += 1 / (r + 1) ** exponent;
      this.cumulative[r] = sum;
    }
  }

  /** The rank of a uniform draw `u` in [0, 1): the first rank whose cumulative weight exceeds u * total. */
  rankOf(u: number): number {
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

  /** The probability of rank `r`. */
  probability(r: number): number {
    if (!Number.isInteger(r) || r < 0 || r >= this.size) return 0;
    const c = this.cumulative;
    return (c[r] - (r === 0 ? 0 : c[r - 1])) / c[c.length - 1];
  }
}
