// Stable, platform-independent hashes. Key -> key group must never change between
// runs, processes or machines, so nothing here may depend on object identity or on
// V8's own (seeded) hash codes.

/** Murmur3's 32-bit finaliser: a cheap, well-mixed bijection on 32-bit integers. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_32 = 4294967296;

/** Stable 32-bit hash of an integer key (any safe integer, negative ones included). */
export function hashKey(key: number): number {
  const lo = key | 0;
  // The wide keys' path kept out of line: so small, this inlines where keys are hashed per
  // tuple (with it inline, a call cost about four times the hash).
  return lo === key ? fmix32(lo) : hashWideKey(key);
}

/** hashKey of a key beyond 32 bits: the high word folded in before mixing. */
function hashWideKey(key: number): number {
  const hi = Math.floor(key / TWO_32) | 0;
  return fmix32((key | 0) ^ fmix32(hi ^ 0x9e3779b9));
}

/**
 * Stable 53-bit hash of a string (two independent FNV-1a style lanes, mixed), for
 * workloads whose keys are strings and whose sources run in parallel, so that every
 * instance maps the same string to the same integer key without a shared dictionary.
 * Collisions are possible in principle (about n^2 / 2^54 for n distinct strings).
 */
export function hashString53(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  h1 = fmix32(h1);
  h2 = fmix32(h2 ^ h1);
  return (h2 & 0x1fffff) * TWO_32 + h1;
}
