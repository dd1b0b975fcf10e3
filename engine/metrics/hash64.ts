// The 64-bit hash that fingerprints runs (the simulator's trace hash, every runtime's output digest): two
// 32-bit lanes, each murmur3's block step with its own constants. Plain functions on
// numbers so that the JIT inlines them into the callers' loops.

/** Fold a 32-bit word into lane 1 (murmur3's block step). */
export function lane1Step(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Fold a 32-bit word into lane 2 (the same step with other constants). */
export function lane2Step(h: number, w: number): number {
  let k = Math.imul(w, 0x85ebca6b);
  k = (k << 17) | (k >>> 15);
  h ^= Math.imul(k, 0xc2b2ae35);
  h = (h << 19) | (h >>> 13);
  return (Math.imul(h, 5) + 0x38495ab5) | 0;
}

/** A 32-bit value as 8 hex digits. */
export function hex32(h: number): string {
  return (h >>> 0).toString(16).padStart(8, "0");
}
