// outputs.csv as a file: the table's header and lines, under its name only once closed,
// nothing left when abandoned or when a sink's row fails, and gzipped the same bytes.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { OutputsCsv, outputsSink } from "../../cli/outputsCsv.js";
import { OutputsTable } from "../../cli/outputsTable.js";
import { type OutputRecord, QueryBuilder } from "../../engine/index.js";
import { csvObjects } from "./csvParse.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-outputs-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A source -> sink plan, the sink with `options`. */
function planOf(options: object = {}) {
  const q = new QueryBuilder("t");
  const s = q.source("s", () => ({ next: () => false, position: () => 0, seek: () => {} }));
  q.connect(
    s,
    q.sink("sink", () => ({}), options),
    "forward",
  );
  return q.build();
}

const counts = {
  table: {
    columns: ["word", "count"],
    row: (key: number, n: number) => {
      if (n < 0) throw new Error("a negative count");
      return [`w,${key}`, n];
    },
  },
};

function record(i: number, value: unknown = i): OutputRecord {
  return { timeMs: 1.5 + i, sink: "sink", instance: 3, key: i, eventTimeMs: i, value };
}

describe("outputs.csv", () => {
  it("writes the header and the lines of each record, visible under its name only after close", () => {
    const path = join(scratch, "outputs.csv");
    const csv = new OutputsCsv(path, new OutputsTable(planOf(counts)));
    csv.add(record(7));
    expect(existsSync(path)).toBe(false);
    // Until then it is a partial file, named so, which an exit of this process would remove.
    expect(existsSync(`${path}.partial-${process.pid}`)).toBe(true);
    const exitHandlers = process.listenerCount("exit");
    csv.close();
    expect(existsSync(`${path}.partial-${process.pid}`)).toBe(false);
    expect(process.listenerCount("exit")).toBe(exitHandlers - 1);
    expect(readFileSync(path, "utf8")).toBe(
      'timeMs,sink,instance,eventTimeMs,word,count\n8.5,sink,3,7,"w,7",7\n',
    );
  });

  it("leaves nothing behind when abandoned", () => {
    const dir = mkdtempSync(join(scratch, "abandoned-"));
    const csv = new OutputsCsv(join(dir, "outputs.csv"), new OutputsTable(planOf()));
    csv.add(record(0));
    csv.abandon();
    csv.abandon();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("stops at a sink's row that fails: one UserError, later records dropped, close throws it, no file", () => {
    const dir = mkdtempSync(join(scratch, "failed-"));
    const csv = new OutputsCsv(join(dir, "outputs.csv"), new OutputsTable(planOf(counts)));
    csv.add(record(1));
    expect(() => csv.add(record(2, -1))).toThrow(
      new UserError('sink "sink": its table\'s row threw: a negative count'),
    );
    csv.add(record(3, -1));
    expect(() => csv.close()).toThrow(/a negative count/);
    csv.abandon();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("gzipped (csv.gz) is the csv's bytes, many chunks of them, once gunzipped", () => {
    const [a, b, c] = ["csv", "gz", "none"].map((n) => mkdtempSync(join(scratch, `${n}-`)));
    const plan = planOf(counts);
    const sinks = [outputsSink(a, "csv", plan), outputsSink(b, "csv.gz", plan), outputsSink(c, "none", plan)];
    // Past a megabyte, so that the gzipped file is several members.
    for (let i = 0; i < 60_000; i++) for (const s of sinks) s.add(record(i, i * 1000));
    for (const s of sinks) s.close();
    const csv = readFileSync(join(a, "outputs.csv"), "utf8");
    expect(csv.length).toBeGreaterThan(1 << 21);
    expect(readdirSync(b)).toEqual(["outputs.csv.gz"]);
    expect(gunzipSync(readFileSync(join(b, "outputs.csv.gz"))).toString("utf8")).toBe(csv);
    expect(readdirSync(c)).toEqual([]);
    const rows = csvObjects(csv);
    expect(rows).toHaveLength(60_000);
    expect(rows[59_999]).toEqual({
      timeMs: "60000.5",
      sink: "sink",
      instance: "3",
      eventTimeMs: "59999",
      word: "w,59999",
      count: "59999000",
    });
  });
});
