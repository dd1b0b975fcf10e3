// Comparing what the sinks of a run received with what they received in the failure-free
// run of the same seed, record by record. The OutputDigest says whether two runs agree;
// this says how they differ: records lost, records duplicated, records that were never
// in the failure-free output (a wrong value), and (sink, key) streams that hold the same
// records in another order. Each record is kept as a 53-bit hash of its canonical
// (event time, value), in one array per (sink, key), so a run of 1e5 outputs costs about
// a megabyte; the order across keys is ignored, as in the digest.

import { hashString53, type OutputRecord } from "../../engine/index.js";

/** The records the sinks received, as per-(sink, key) sequences of record hashes. */
export class OutputLog {
  private readonly streams = new Map<string, Map<number, number[]>>();
  private total = 0;

  /** Take one record (the `onOutput` callback of a Simulation). */
  readonly add = (record: OutputRecord): void => {
    let keys = this.streams.get(record.sink);
    if (keys === undefined) {
      keys = new Map();
      this.streams.set(record.sink, keys);
    }
    let seq = keys.get(record.key);
    if (seq === undefined) {
      seq = [];
      keys.set(record.key, seq);
    }
    seq.push(recordHash(record.eventTimeMs, record.value));
    this.total++;
  };

  /** Records taken. */
  get count(): number {
    return this.total;
  }

  /** The sequence of (sink, key), empty if it received nothing. */
  stream(sink: string, key: number): readonly number[] {
    return this.streams.get(sink)?.get(key) ?? [];
  }

  /** Every (sink, key) that received something. */
  *keys(): IterableIterator<[string, number]> {
    for (const [sink, keys] of this.streams) for (const key of keys.keys()) yield [sink, key];
  }
}

/** How a run's output differs from the failure-free output. */
export interface OutputDifference {
  /** Records of the failure-free output missing from the run (a multiset difference). */
  readonly lost: number;
  /** Extra copies, in the run, of records that the failure-free output holds. */
  readonly duplicated: number;
  /** Records of the run that the failure-free output of their (sink, key) never holds. */
  readonly spurious: number;
  /**
   * (sink, key) streams with exactly the failure-free records but in another order.
   * A stream that also lost or gained records is counted there, not here.
   */
  readonly reordered: number;
}

/** How `run` differs from `base`, the failure-free output of the same seed. */
export function compareOutputs(base: OutputLog, run: OutputLog): OutputDifference {
  let lost = 0;
  let duplicated = 0;
  let spurious = 0;
  let reordered = 0;
  const seen = new Set<string>();
  const compare = (sink: string, key: number) => {
    const id = `${sink}\u0000${key}`;
    if (seen.has(id)) return;
    seen.add(id);
    const b = base.stream(sink, key);
    const r = run.stream(sink, key);
    if (sameSequence(b, r)) return;
    const left = new Map<number, number>();
    for (const h of b) left.set(h, (left.get(h) ?? 0) + 1);
    let differs = false;
    for (const h of r) {
      const n = left.get(h);
      if (n === undefined) {
        spurious++;
        differs = true;
      } else if (n === 0) {
        duplicated++;
        differs = true;
      } else left.set(h, n - 1);
    }
    for (const n of left.values()) {
      lost += n;
      if (n > 0) differs = true;
    }
    if (!differs) reordered++;
  };
  for (const [sink, key] of base.keys()) compare(sink, key);
  for (const [sink, key] of run.keys()) compare(sink, key);
  return { lost, duplicated, spurious, reordered };
}

function sameSequence(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A 53-bit hash of a record's canonical (event time, value). */
export function recordHash(eventTimeMs: number, value: unknown): number {
  return hashString53(`${canonicalNumber(eventTimeMs)}|${canonical(value)}`);
}

/**
 * A canonical text of a JSON-like value, as the OutputDigest reads values: -0 is 0,
 * object keys are sorted and a property whose value is undefined is absent, typed
 * arrays read as arrays; other classes are refused.
 */
export function canonical(v: unknown): string {
  switch (typeof v) {
    case "number":
      return canonicalNumber(v);
    case "string":
      return JSON.stringify(v);
    case "undefined":
      return "u";
    case "boolean":
      return v ? "t" : "f";
    case "bigint":
      return `${v}n`;
    case "object":
      if (v === null) return "null";
      if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
        const items = v as unknown as ArrayLike<unknown>;
        const parts: string[] = [];
        for (let i = 0; i < items.length; i++) parts.push(canonical(items[i]));
        return `[${parts.join(",")}]`;
      }
      return canonicalObject(v);
    default:
      throw new TypeError(`cannot compare a sink value of type ${typeof v}`);
  }
}

function canonicalObject(v: object): string {
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError(`cannot compare a sink value of class ${v.constructor?.name ?? "unknown"}`);
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
}

function canonicalNumber(n: number): string {
  return n === 0 ? "0" : String(n);
}
