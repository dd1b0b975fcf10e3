// A sink's table: the columns a sink gives the tuples it receives, and the row of each
// tuple, so that a run's outputs (outputs.csv) list them as plain fields: the word rather
// than its hash, a window's start and end rather than an object. A job declares it with
// its sink:
//
//   q.sink("sink", create, {
//     table: { columns: ["word", "count"], row: (key, v: WindowResult<number>) => [wordOf(key), v.result] },
//   });
//
// The engine never calls `row`: whoever writes the outputs does (the CLI), once for every
// tuple a sink receives, with its key and value. `row` must give exactly one cell per
// column, each a string, number, boolean, bigint, or null/undefined for an empty cell, and
// must neither keep nor change the value; the array it returns may be reused from call to
// call (it is read before the next call). A sink that declares no table is listed by the
// fallback, `key,field,value`: one row for each scalar in the value (`valueLeaves`).

/** One cell of a sink's row: null and undefined are empty cells. */
export type TableCell = string | number | boolean | bigint | null | undefined;

/** The columns of a sink's outputs and the row of one tuple (`V`: the values the sink receives). */
export interface SinkTable<V = unknown> {
  /** Column names, in order: distinct, not empty, none of OUTPUT_COLUMNS. */
  readonly columns: readonly string[];
  /** The cells of the tuple (key, value), one per column. */
  row(key: number, value: V): readonly TableCell[];
}

/** The columns every output has before its sink's own: when, which sink and instance, and its event time. */
export const OUTPUT_COLUMNS = ["timeMs", "sink", "instance", "eventTimeMs"] as const;

/**
 * The columns of a sink without a table: the tuple's key, then one row per scalar in the
 * value, `field` its path (object keys and array indexes joined by `.`; empty when the
 * value is itself a scalar) and `value` the scalar.
 */
export const FALLBACK_COLUMNS = ["key", "field", "value"] as const;

/** Why `table` is not a sink table for the sink `sink` (one line), or null when it is one. */
export function sinkTableProblem(sink: string, table: unknown): string | null {
  const t = table as Partial<SinkTable> | null;
  if (typeof t !== "object" || t === null) return `sink "${sink}": table must be { columns, row }`;
  if (!Array.isArray(t.columns) || t.columns.length === 0)
    return `sink "${sink}": table.columns must be a non-empty array of column names`;
  const seen = new Set<string>();
  for (const c of t.columns as unknown[]) {
    if (typeof c !== "string" || c === "") return `sink "${sink}": table.columns must be non-empty strings`;
    if ((OUTPUT_COLUMNS as readonly string[]).includes(c))
      return `sink "${sink}": table column "${c}" is one every output already has (${OUTPUT_COLUMNS.join(", ")})`;
    if (seen.has(c)) return `sink "${sink}": table column "${c}" is named twice`;
    seen.add(c);
  }
  if (typeof t.row !== "function")
    return `sink "${sink}": table.row must be a function (key, value) => cells`;
  return null;
}

/**
 * Call `visit` for each scalar in `value`, depth first: object fields in their own order,
 * array (and typed array) elements and Map entries in theirs, with the path to it. A scalar
 * value is visited once with the path "", and a value with no scalar in it (an empty object
 * or array) once with the path "" and undefined, so that every tuple has at least one row.
 */
export function valueLeaves(value: unknown, visit: (path: string, cell: TableCell) => void): void {
  if (!leaves(value, "", visit)) visit("", undefined);
}

function leaves(value: unknown, path: string, visit: (path: string, cell: TableCell) => void): boolean {
  if (typeof value !== "object" || value === null) {
    if (typeof value === "function" || typeof value === "symbol") visit(path, String(value));
    else visit(path, value as TableCell);
    return true;
  }
  const at = (k: string | number) => (path === "" ? String(k) : `${path}.${k}`);
  let any = false;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = value as ArrayLike<unknown>;
    for (let i = 0; i < items.length; i++) any = leaves(items[i], at(i), visit) || any;
  } else if (value instanceof Map) {
    for (const [k, v] of value) any = leaves(v, at(String(k)), visit) || any;
  } else if (value instanceof Set) {
    let i = 0;
    for (const v of value) any = leaves(v, at(i++), visit) || any;
  } else {
    for (const k of Object.keys(value))
      any = leaves((value as Record<string, unknown>)[k], at(k), visit) || any;
  }
  return any;
}
