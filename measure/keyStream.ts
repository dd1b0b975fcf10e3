// Deterministic keys for measured runs: the same stream every run and every machine, so
// that figures differ only by the code and the machine, never by the input.

/** A deterministic stream of keys in [0, keys): a linear congruential sequence. */
export function keyStream(n: number, keys: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x % keys;
  }
  return out;
}
