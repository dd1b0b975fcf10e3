// The columns of outputs.csv and the lines of one tuple, from the plan's sinks. Every line
// starts with OUTPUT_COLUMNS (`timeMs,sink,instance,eventTimeMs`); then come the columns of
// the sinks' tables (engine/sinkTable.ts): a sink that declares a table has one line per
// tuple, its cells under its columns; a sink that declares none has the fallback
// `key,field,value`, one line per scalar in the value. When a plan's sinks have different
// columns, the file has their union, in the plan's order of sinks (a column two sinks name
// is one column), and a line leaves the other sinks' columns empty: filter on `sink` to get
// one sink's table. Fields are quoted as RFC 4180 says (csvField): no cell holds JSON.
//
// This is on the path of every output tuple (hundreds of MB for Linear Road): a line is
// one string built from the cells, with no array or object made per tuple but the row the
// sink's table returns.

import {
  FALLBACK_COLUMNS,
  type LogicalPlan,
  OUTPUT_COLUMNS,
  type OutputRecord,
  type SinkTable,
  type TableCell,
  valueLeaves,
} from "../engine/index.js";
import { UserError } from "./errors.js";

/** How the tuples of one sink become lines. */
interface SinkLines {
  readonly name: string;
  /** The sink's name as a CSV field. */
  readonly field: string;
  /** Its table, or null for the fallback. */
  readonly table: SinkTable | null;
  /** For each column of the file after OUTPUT_COLUMNS: the index of the sink's cell there, or -1 (empty). */
  readonly slots: Int32Array;
  /** True when the sink's cells are the file's columns, in order (one sink, or sinks alike). */
  readonly identity: boolean;
}

/** outputs.csv's columns for a plan, and the lines of each tuple its sinks receive. */
export class OutputsTable {
  /** Every column, OUTPUT_COLUMNS first. */
  readonly columns: readonly string[];
  private readonly sinks = new Map<string, SinkLines>();
  private last: SinkLines | null = null;
  // The fallback's lines are gathered here by `leaf`, bound once.
  private leafSink: SinkLines | null = null;
  private leafPrefix = "";
  private leafKey = 0;
  private leafLines = "";
  private readonly leaf = (path: string, cell: TableCell): void => this.addLeaf(path, cell);

  constructor(plan: LogicalPlan) {
    const own: string[] = [];
    const sinks = plan.operators.filter((o) => o.kind === "sink");
    for (const s of sinks)
      for (const c of s.table?.columns ?? FALLBACK_COLUMNS) if (!own.includes(c)) own.push(c);
    this.columns = [...OUTPUT_COLUMNS, ...own];
    for (const s of sinks) {
      const columns: readonly string[] = s.table?.columns ?? FALLBACK_COLUMNS;
      const slots = Int32Array.from(own, (c) => columns.indexOf(c));
      this.sinks.set(s.name, {
        name: s.name,
        field: csvField(s.name),
        table: s.table ?? null,
        slots,
        identity: columns.length === own.length && slots.every((j, i) => j === i),
      });
    }
  }

  /** The header line, without its line break. */
  header(): string {
    return this.columns.map(csvField).join(",");
  }

  /** The lines of tuple `r`, each ending in a line break; throws a UserError when its sink's row is not one. */
  lines(r: OutputRecord): string {
    let s = this.last;
    if (s === null || s.name !== r.sink) {
      const found = this.sinks.get(r.sink);
      if (found === undefined)
        throw new Error(`outputs.csv: a tuple of "${r.sink}", which is no sink of the plan`);
      this.last = s = found;
    }
    const prefix = `${r.timeMs},${s.field},${r.instance},${r.eventTimeMs}`;
    if (s.table === null) return this.fallbackLines(s, prefix, r.key, r.value);
    let cells: readonly TableCell[];
    try {
      cells = s.table.row(r.key, r.value);
    } catch (err) {
      throw new UserError(`sink "${s.name}": its table's row threw: ${messageOf(err)}`);
    }
    const columns = s.table.columns;
    if (!Array.isArray(cells) || cells.length !== columns.length)
      throw new UserError(
        `sink "${s.name}": its table's row gave ${Array.isArray(cells) ? `${cells.length} cell${cells.length === 1 ? "" : "s"}` : typeof cells} for ${columns.length} columns (${columns.join(", ")})`,
      );
    let line = prefix;
    if (s.identity) for (let i = 0; i < cells.length; i++) line += `,${cellText(s, columns, cells, i)}`;
    else {
      const slots = s.slots;
      for (let j = 0; j < slots.length; j++) {
        const i = slots[j];
        line += i < 0 ? "," : `,${cellText(s, columns, cells, i)}`;
      }
    }
    return `${line}\n`;
  }

  private fallbackLines(s: SinkLines, prefix: string, key: number, value: unknown): string {
    this.leafSink = s;
    this.leafPrefix = prefix;
    this.leafKey = key;
    this.leafLines = "";
    valueLeaves(value, this.leaf);
    const lines = this.leafLines;
    this.leafLines = "";
    return lines;
  }

  private addLeaf(path: string, cell: TableCell): void {
    const s = this.leafSink!;
    const fallback = [this.leafKey, path, cell];
    let line = this.leafPrefix;
    for (let j = 0; j < s.slots.length; j++) {
      const i = s.slots[j];
      line += i < 0 ? "," : `,${cellText(s, FALLBACK_COLUMNS, fallback, i)}`;
    }
    this.leafLines += `${line}\n`;
  }
}

/** The text of cell `i` of a sink's row; throws a UserError for a cell that is no scalar. */
function cellText(s: SinkLines, columns: readonly string[], cells: readonly TableCell[], i: number): string {
  const c = cells[i];
  switch (typeof c) {
    case "number":
      return `${c}`;
    case "string":
      return csvField(c);
    case "undefined":
      return "";
    case "boolean":
    case "bigint":
      return `${c}`;
    default:
      if (c === null) return "";
      throw new UserError(
        `sink "${s.name}": its table's row gave column "${columns[i]}" ${Array.isArray(c) ? "an array" : `a${typeof c === "object" ? "n object" : ` ${typeof c}`}`}; a cell is a string, number, boolean, bigint, or null/undefined (empty)`,
      );
  }
}

/** `text` as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote or line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}
