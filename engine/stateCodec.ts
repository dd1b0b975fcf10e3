// State codecs: how an operator's keyed state values become JSON for an encoded
// checkpoint and come back. The engine keeps state values as live objects (window state
// holds `Panes` instances, times may be +-Infinity), which plain JSON would lose or
// change silently, so an operator whose values are not plain JSON data declares a codec
// next to its `cloneState`. Also the tagging of non-finite numbers, which JSON lacks.

/** Turns state values into JSON-able data and back; `decode(encode(v))` must equal v. */
export interface StateCodec<V> {
  /** A JSON-able form of `value` (what `JSON.stringify` keeps unchanged). */
  encode(value: V): unknown;
  /** The value of parsed JSON made by `encode`; throws on anything else. */
  decode(json: unknown): V;
}

/**
 * The identity codec, for values that are already JSON data: finite numbers, strings,
 * booleans, and arrays and plain objects of them (no undefined, no +-Infinity or NaN,
 * no class instances, no Maps).
 */
export const JSON_STATE_CODEC: StateCodec<unknown> = {
  encode: (value) => value,
  decode: (json) => json,
};

/** A number as JSON: finite numbers as they are, +-Infinity and NaN as strings. */
export function encodeFloat(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The number of `encodeFloat`'s output; throws on anything else. */
export function decodeFloat(json: unknown, what = "number"): number {
  if (typeof json === "number") return json;
  if (json === "Infinity") return Number.POSITIVE_INFINITY;
  if (json === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (json === "NaN") return Number.NaN;
  throw new TypeError(`${what}: expected a number, got ${JSON.stringify(json)}`);
}
