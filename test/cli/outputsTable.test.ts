// outputs.csv's columns and lines: a sink's declared table, the union of several sinks',
// the fallback for a sink without one, RFC 4180 quoting (parsed back with a strict
// parser), the one-line errors of a row that is not one, and a user's job that names its
// output fields, run by the simulator into the file.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { UserError } from "../../cli/errors.js";
import { outputsSink } from "../../cli/outputsCsv.js";
import { csvField, OutputsTable } from "../../cli/outputsTable.js";
import { defineJob, jobPlan, type OperatorContext, QueryBuilder, type Source } from "../../engine/index.js";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { csvObjects, parseCsv } from "./csvParse.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-outputs-table-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const noSource = () => ({ next: () => false, position: () => 0, seek: () => {} });

/** A plan of one source feeding a sink per entry of `sinks` (name -> sink options). */
function planOf(sinks: Record<string, object>) {
  const q = new QueryBuilder("t");
  const s = q.source("s", noSource);
  for (const [name, options] of Object.entries(sinks))
    q.connect(
      s,
      q.sink(name, () => ({}), options),
      "forward",
    );
  return q.build();
}

/** The file a table makes of `records`. */
function fileOf(table: OutputsTable, records: { sink: string; key: number; value: unknown }[]): string {
  let text = `${table.header()}\n`;
  records.forEach((r, i) => {
    text += table.lines({
      timeMs: 10 + i,
      sink: r.sink,
      instance: 2,
      eventTimeMs: i,
      key: r.key,
      value: r.value,
    });
  });
  return text;
}

const windowTable = {
  columns: ["word", "windowStartMs", "count"],
  row: (key: number, v: { start: number; n: number }) => [`w${key}`, v.start, v.n],
};

describe("outputs.csv's table", () => {
  it("lists a sink's declared columns after timeMs,sink,instance,eventTimeMs: one line per tuple", () => {
    const table = new OutputsTable(planOf({ sink: { table: windowTable } }));
    expect(table.header()).toBe("timeMs,sink,instance,eventTimeMs,word,windowStartMs,count");
    const text = fileOf(table, [
      { sink: "sink", key: 1, value: { start: 0, n: 5 } },
      { sink: "sink", key: 2, value: { start: 10, n: 7 } },
    ]);
    expect(text).toBe(
      "timeMs,sink,instance,eventTimeMs,word,windowStartMs,count\n10,sink,2,0,w1,0,5\n11,sink,2,1,w2,10,7\n",
    );
  });

  it("writes empty cells for null and undefined, and booleans and bigints as they print", () => {
    const table = new OutputsTable(
      planOf({
        k: { table: { columns: ["a", "b", "c", "d"], row: () => [null, undefined, false, 2n ** 64n] } },
      }),
    );
    expect(fileOf(table, [{ sink: "k", key: 0, value: 0 }]).split("\n")[1]).toBe(
      "10,k,2,0,,,false,18446744073709551616",
    );
  });

  it("gives a sink without a table key,field,value: a line per scalar of the value", () => {
    const table = new OutputsTable(planOf({ sink: {} }));
    expect(table.header()).toBe("timeMs,sink,instance,eventTimeMs,key,field,value");
    const rows = csvObjects(
      fileOf(table, [
        { sink: "sink", key: 4, value: 9 },
        { sink: "sink", key: 5, value: { windowStartMs: 0, result: [3, "a,b"] } },
        { sink: "sink", key: 6, value: undefined },
      ]),
    );
    expect(rows.map((r) => [r.eventTimeMs, r.key, r.field, r.value])).toEqual([
      ["0", "4", "", "9"],
      ["1", "5", "windowStartMs", "0"],
      ["1", "5", "result.0", "3"],
      ["1", "5", "result.1", "a,b"],
      ["2", "6", "", ""],
    ]);
  });

  it("takes the union of several sinks' columns, in plan order, leaving the others' empty", () => {
    const plan = planOf({
      counts: { table: windowTable },
      alerts: { table: { columns: ["word", "level"], row: (k: number) => [`w${k}`, "high"] } },
      rest: {},
    });
    const table = new OutputsTable(plan);
    expect(table.columns).toEqual([
      "timeMs",
      "sink",
      "instance",
      "eventTimeMs",
      "word",
      "windowStartMs",
      "count",
      "level",
      "key",
      "field",
      "value",
    ]);
    const rows = csvObjects(
      fileOf(table, [
        { sink: "counts", key: 1, value: { start: 0, n: 5 } },
        { sink: "alerts", key: 2, value: null },
        { sink: "rest", key: 3, value: 8 },
      ]),
    );
    expect(rows.map((r) => Object.values(r).slice(4))).toEqual([
      ["w1", "0", "5", "", "", "", ""],
      ["w2", "", "", "high", "", "", ""],
      ["", "", "", "", "3", "", "8"],
    ]);
    expect(rows.map((r) => r.sink)).toEqual(["counts", "alerts", "rest"]);
  });

  it("quotes fields as RFC 4180 says: any text reads back the same, commas, quotes and line breaks too", () => {
    expect(csvField("sink")).toBe("sink");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('"x"')).toBe('"""x"""');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
    const text = fc.string({ unit: fc.constantFrom("a", " ", ",", '"', "\n", "\r", "é", "x") });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 5 }), (values) => {
        const sink = 'out,"1"\n';
        const table = new OutputsTable(
          planOf({ [sink]: { table: { columns: ["a,b", 'q"'], row: (_k: number, v: string[]) => v } } }),
        );
        const records = parseCsv(
          fileOf(
            table,
            values.map((v) => ({ sink, key: 0, value: v })),
          ),
        );
        expect(records[0]).toEqual(["timeMs", "sink", "instance", "eventTimeMs", "a,b", 'q"']);
        expect(records.slice(1).map((r) => r[1])).toEqual(values.map(() => sink));
        expect(records.slice(1).map((r) => r.slice(4))).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it("fails in one line naming the sink when its row throws, miscounts or gives no scalar", () => {
    const failing = (row: (key: number, value: unknown) => unknown) =>
      new OutputsTable(planOf({ top: { table: { columns: ["a", "b"], row } } }));
    const record = { timeMs: 0, sink: "top", instance: 0, eventTimeMs: 0, key: 1, value: 2 };
    const error = (row: (key: number, value: unknown) => unknown) => {
      try {
        failing(row).lines(record);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      return "no error";
    };
    expect(
      error(() => {
        throw new Error("no word\nfor key 1");
      }),
    ).toBe('sink "top": its table\'s row threw: no word');
    expect(error(() => [1])).toBe('sink "top": its table\'s row gave 1 cell for 2 columns (a, b)');
    expect(error(() => "a,b")).toBe('sink "top": its table\'s row gave string for 2 columns (a, b)');
    expect(error(() => [1, { x: 1 }])).toMatch(
      /^sink "top": its table's row gave column "b" an object; a cell is/,
    );
    expect(error(() => [[1], 2])).toMatch(/gave column "a" an array/);
    expect(() => failing(() => [1, 2]).lines({ ...record, sink: "nope" })).toThrow(
      /"nope", which is no sink/,
    );
  });
});

/** Tags whose names need quoting, each the key of its index. */
const TAGS = ["plain", "with,comma", 'with "quotes"', "two\nlines", "crlf\r\nend"];

/** Emits `n` tuples, one a millisecond, tag i % TAGS.length, value { weight, note }. */
class TagSource implements Source<unknown> {
  private at = 0;
  constructor(private readonly n: number) {}
  next(ctx: OperatorContext, max: number, until: number): boolean {
    const end = Math.min(this.n, this.at + max, Math.floor(until) + 1);
    for (; this.at < end; this.at++) {
      const tag = this.at % TAGS.length;
      ctx.emit(tag, this.at, { weight: this.at / 4, note: tag === 0 ? null : `n${this.at}` });
    }
    return this.at < this.n;
  }
  position(): number {
    return this.at;
  }
  seek(position: number): void {
    this.at = position;
  }
}

/** A user's job: a source of tags into a sink that names its fields (`tag,weight,note`), or not. */
const tagsJob = defineJob({
  name: "tags",
  params: z.object({ n: z.number().int().default(40), declared: z.boolean().default(true) }),
  plan({ n, declared }) {
    const q = new QueryBuilder("tags");
    const source = q.source("tags", () => new TagSource(n));
    const table = {
      columns: ["tag", "weight", "note"],
      row: (key: number, v: { weight: number; note: string | null }) => [TAGS[key], v.weight, v.note],
    };
    const sink = q.sink("tagged", () => ({}), declared ? { table } : {});
    q.connect(source, sink, "forward");
    return q.build();
  },
});

/** outputs.csv of a simulated run of the tags job with `params`, and its summary. */
function runTags(params: Record<string, unknown>) {
  const e = parseExperiment({ name: "tags", workload: { name: "wordcount" }, cluster: { vms: 2 } }, "test");
  const plan = jobPlan(tagsJob, params, e.seed);
  const dir = mkdtempSync(join(scratch, "tags-"));
  const outputs = outputsSink(dir, "csv", plan);
  const summary = new Simulation(e, plan, (r) => outputs.add(r)).run();
  outputs.close();
  return { text: readFileSync(join(dir, "outputs.csv"), "utf8"), summary };
}

describe("a job's outputs.csv", () => {
  it("has the columns its sink declares, every value read back as it was", () => {
    const { text, summary } = runTags({ n: 40 });
    const [header] = parseCsv(text);
    expect(header).toEqual(["timeMs", "sink", "instance", "eventTimeMs", "tag", "weight", "note"]);
    const rows = csvObjects(text);
    expect(rows).toHaveLength(40);
    expect(summary.tuplesOut).toBe(40);
    for (const r of rows) {
      const i = Number(r.eventTimeMs);
      expect(r.sink).toBe("tagged");
      expect(r.tag).toBe(TAGS[i % TAGS.length]);
      expect(Number(r.weight)).toBe(i / 4);
      expect(r.note).toBe(i % TAGS.length === 0 ? "" : `n${i}`);
    }
  });

  it("falls back on key,field,value when its sink declares nothing", () => {
    const { text } = runTags({ n: 10, declared: false });
    const [header] = parseCsv(text);
    expect(header).toEqual(["timeMs", "sink", "instance", "eventTimeMs", "key", "field", "value"]);
    const rows = csvObjects(text);
    expect(rows).toHaveLength(20);
    const first = rows.filter((r) => r.eventTimeMs === "1");
    expect(first.map((r) => [r.key, r.field, r.value])).toEqual([
      ["1", "weight", "0.25"],
      ["1", "note", "n1"],
    ]);
  });
});
