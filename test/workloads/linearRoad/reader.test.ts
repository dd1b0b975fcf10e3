import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { countRecords, LrInputError, LrReader } from "../../../workloads/linearRoad/reader.js";
import { parseRecord } from "../../../workloads/linearRoad/recordParser.js";

const dir = mkdtempSync(join(tmpdir(), "lr-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Writes `lines` joined by `eol` (and a final eol) to a fresh file and returns its path. */
function file(lines: readonly string[], eol = "\n"): string {
  const path = join(dir, `lr${files++}.csv`);
  writeFileSync(path, lines.map((l) => l + eol).join(""));
  return path;
}

const position = (time: number, spd = 55, seg = 4, pos = 21120) =>
  `0,${time},7,${spd},0,2,1,${seg},${pos},-1,-1,-1,-1,-1,-1`;
const balance = (time: number) => `2,${time},7,-1,-1,-1,-1,-1,-1,101,-1,-1,-1,-1,-1`;
const expenditure = (time: number, day = 5) => `3,${time},7,-1,0,-1,-1,-1,-1,102,-1,-1,-1,-1,${day}`;
const travelTime = (time: number, dow = 3) => `4,${time},7,-1,0,-1,-1,-1,-1,103,10,20,${dow},600,-1`;

/** The message of the LrInputError that reading `path` in "stop" mode throws. */
function stopMessage(path: string): string {
  try {
    countRecords(path, { onBadLine: "stop" });
  } catch (e) {
    expect(e).toBeInstanceOf(LrInputError);
    return (e as Error).message;
  }
  throw new Error("no error thrown");
}

function readAll(path: string, chunkBytes?: number): number[][] {
  const reader = new LrReader(path, { onBadLine: "stop", chunkBytes });
  const row = new Float64Array(15);
  const rows: number[][] = [];
  while (reader.next(row)) rows.push([...row]);
  return rows;
}

describe("parseRecord", () => {
  it("fills a row in LR_FIELDS order and tolerates whitespace and a trailing CR", () => {
    const row = new Float64Array(15);
    expect(parseRecord(`  ${position(12)} \r`, row)).toBeNull();
    expect([...row]).toEqual([0, 12, 7, 55, 0, 2, 1, 4, 21120, -1, -1, -1, -1, -1, -1]);
    expect(parseRecord("2, 15, 7, 0, 0, 0, 0, 0, 0, 101, 0, 0, 0, 0, 0", row)).toBeNull();
    expect(row[9]).toBe(101);
  });

  it("does not check fields a type does not use", () => {
    const row = new Float64Array(15);
    expect(parseRecord("2,15,7,999,-5,9,9,300,-1,101,500,-3,0,0,99", row)).toBeNull();
    expect(parseRecord("0,12,7,55,0,2,1,4,21120,-7,0,0,0,0,0", row)).toBeNull();
  });

  it("names the field and the text of a non-integer", () => {
    const row = new Float64Array(15);
    expect(parseRecord("0,12,7,55.5,0,2,1,4,21120,-1,-1,-1,-1,-1,-1", row)).toEqual({
      field: "spd",
      message: '"55.5" is not an integer',
    });
    expect(parseRecord("0,12,7,55,0,2,1,4,,-1,-1,-1,-1,-1,-1", row)).toEqual({
      field: "pos",
      message: '"" is not a number',
    });
    expect(parseRecord("0,12,7,55,0,2,1,4,1234567890123456,-1,-1,-1,-1,-1,-1", row)?.message).toBe(
      '"1234567890123456" has more than 15 digits',
    );
  });

  it("accepts a time past the standard 3 hours", () => {
    expect(parseRecord(position(20_000), new Float64Array(15))).toBeNull();
  });

  it("gives back random valid rows formatted as CSV", () => {
    const int = (min: number, max: number) => fc.integer({ min, max });
    const unused = fc.constantFrom(-1, 0);
    const common = [int(0, 10_799), int(0, 1_000_000)] as const;
    const pos = fc.tuple(...common, int(0, 100), int(0, 500), int(0, 4), int(0, 1), int(0, 527_999));
    const rowArb = fc.oneof(
      fc
        .tuple(pos, fc.array(unused, { minLength: 6, maxLength: 6 }))
        .map(([[t, v, s, x, l, d, p], u]) => [0, t, v, s, x, l, d, Math.floor(p / 5280), p, ...u]),
      fc
        .tuple(...common, int(0, 1e9), unused)
        .map(([t, v, q, u]) => [2, t, v, u, u, u, u, u, u, q, u, u, u, u, u]),
      fc
        .tuple(...common, int(0, 500), int(0, 1e9), int(1, 69), unused)
        .map(([t, v, x, q, day, u]) => [3, t, v, u, x, u, u, u, u, q, u, u, u, u, day]),
      fc
        .tuple(...common, int(0, 500), int(0, 1e9), int(0, 99), int(0, 99), int(1, 7), int(1, 1440), unused)
        .map(([t, v, x, q, si, se, dow, tod, u]) => [4, t, v, u, x, u, u, u, u, q, si, se, dow, tod, u]),
    );
    const row = new Float64Array(15);
    fc.assert(
      fc.property(rowArb, fc.constantFrom("", " ", "\r", " \r"), (values, tail) => {
        expect(parseRecord(values.join(",") + tail, row)).toBeNull();
        expect([...row]).toEqual(values);
      }),
    );
  });
});

describe("LrReader errors in stop mode", () => {
  it("reports a wrong field count as file:line: line: expected 15 fields", () => {
    const path = file([position(1), "0,2,7,55,0,2,1,4,21120,-1,-1,-1"]);
    expect(stopMessage(path)).toBe(`${path}:2: line: expected 15 fields, got 12`);
    const longer = file([`${position(1)},-1`]);
    expect(stopMessage(longer)).toBe(`${longer}:1: line: expected 15 fields, got 16`);
  });

  it("reports a non-numeric field with its name and text", () => {
    const path = file([position(1), position(2), "0,3,7,fast,0,2,1,4,21120,-1,-1,-1,-1,-1,-1"]);
    expect(stopMessage(path)).toBe(`${path}:3: spd: "fast" is not a number`);
  });

  it.each([
    [position(1, 130), "spd: 130 is out of range 0..100"],
    ["0,1,7,55,0,5,1,4,21120,-1,-1,-1,-1,-1,-1", "lane: 5 is out of range 0..4"],
    ["0,1,7,55,0,2,2,4,21120,-1,-1,-1,-1,-1,-1", "dir: 2 is out of range 0..1"],
    ["0,1,7,55,-1,2,1,4,21120,-1,-1,-1,-1,-1,-1", "xway: -1 is out of range 0.."],
    [position(1, 55, 100, 528_000), "seg: 100 is out of range 0..99"],
    [position(1, 55, 99, 528_000), "pos: 528000 is out of range 0..527999"],
    ["0,-1,7,55,0,2,1,4,21120,-1,-1,-1,-1,-1,-1", "time: -1 is out of range 0.."],
    ["2,1,-7,-1,-1,-1,-1,-1,-1,101,-1,-1,-1,-1,-1", "vid: -7 is out of range 0.."],
    ["2,1,7,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1", "qid: -1 is out of range 0.."],
    [expenditure(1, 70), "day: 70 is out of range 1..69"],
    [expenditure(1, 0), "day: 0 is out of range 1..69"],
    [travelTime(1, 8), "dow: 8 is out of range 1..7"],
    ["4,1,7,-1,0,-1,-1,-1,-1,103,10,100,3,600,-1", "send: 100 is out of range 0..99"],
    ["4,1,7,-1,0,-1,-1,-1,-1,103,10,20,3,1441,-1", "tod: 1441 is out of range 1..1440"],
  ])("reports %s as out of range: %s", (line, expected) => {
    const path = file([line]);
    expect(stopMessage(path)).toBe(`${path}:1: ${expected}`);
  });

  it("reports a segment that does not match the position", () => {
    const path = file([position(1, 55, 3, 21120)]);
    expect(stopMessage(path)).toBe(`${path}:1: seg: 3 does not match pos 21120 (segment 4)`);
  });

  it("reports time going backwards", () => {
    const path = file([position(15), balance(15), position(12)]);
    expect(stopMessage(path)).toBe(`${path}:3: time: time 12 goes back from 15`);
  });

  it("reports a type that is not 0, 2, 3 or 4", () => {
    const path = file([position(1), "1,2,7,55,0,2,1,4,21120,-1,-1,-1,-1,-1,-1"]);
    expect(stopMessage(path)).toBe(`${path}:2: type: 1 is not a record type (0, 2, 3 or 4)`);
  });

  it("keeps the error fields on the LrInputError and its message on one line", () => {
    const path = file([position(1, 130)]);
    try {
      countRecords(path, { onBadLine: "stop" });
      expect.unreachable();
    } catch (e) {
      const err = e as LrInputError;
      expect([err.file, err.line, err.field, err.reason]).toEqual([
        path,
        1,
        "spd",
        "130 is out of range 0..100",
      ]);
      expect(err.message).not.toContain("\n");
    }
  });
});

describe("LrReader", () => {
  it("skips bad lines in skip mode, counts them and keeps going", () => {
    const lines = [position(1)];
    for (let i = 0; i < 12; i++) lines.push(position(2, 200));
    lines.push(position(3), position(2), balance(4), expenditure(5), travelTime(6));
    const path = file(lines);
    const stats = countRecords(path, { onBadLine: "skip" });
    expect(stats.records).toBe(5);
    expect(stats.byType).toEqual([2, 0, 1, 1, 1]);
    expect(stats.skipped).toBe(13);
    expect(stats.issues).toHaveLength(10);
    expect(stats.issues[0]).toEqual({ line: 2, field: "spd", message: "200 is out of range 0..100" });
    expect(stats.lines).toBe(18);
  });

  it("does not move the time forward on a skipped line", () => {
    const path = file([position(1), position(99, 200), position(2)]);
    const stats = countRecords(path, { onBadLine: "skip" });
    expect([stats.records, stats.skipped]).toEqual([2, 1]);
  });

  it("parses lines that span chunk boundaries, whatever the chunk size", () => {
    const lines = [position(1), balance(2), expenditure(3), travelTime(4), position(5, 0, 99, 527_999)];
    const path = file(lines);
    const expected = readAll(path);
    expect(expected).toHaveLength(5);
    for (const chunkBytes of [1, 2, 3, 7, 16, 63, 64, 65, 1000]) {
      expect(readAll(path, chunkBytes)).toEqual(expected);
    }
  });

  it("reads CRLF files, and a last line without a newline", () => {
    const crlf = file([position(1), balance(2)], "\r\n");
    expect(readAll(crlf, 5)).toEqual(readAll(file([position(1), balance(2)])));
    const path = join(dir, "no-final-newline.csv");
    writeFileSync(path, `${position(1)}\n${balance(2)}`);
    expect(readAll(path, 4)).toHaveLength(2);
  });

  it("passes over blank lines but counts them in line numbers", () => {
    const path = file([position(1), "", "  \r", position(0)]);
    expect(stopMessage(path)).toBe(`${path}:4: time: time 0 goes back from 1`);
  });

  it("counts the lines of a bad line after a chunk boundary correctly", () => {
    const path = file([position(1), position(2), position(3, 101)]);
    expect(() => countRecords(path, { onBadLine: "stop", chunkBytes: 3 })).toThrow(
      `${path}:3: spd: 101 is out of range 0..100`,
    );
  });

  it("with clampSpeeds, clamps a position report's speed into 0..100 and counts the lines it changed", () => {
    const path = file([position(1, -1), position(2, 55), position(3, 101), balance(4), position(5, 0)]);
    expect(() => countRecords(path, { onBadLine: "stop" })).toThrow(
      `${path}:1: spd: -1 is out of range 0..100`,
    );
    const reader = new LrReader(path, { onBadLine: "stop", clampSpeeds: true });
    const row = new Float64Array(15);
    const speeds: number[] = [];
    while (reader.next(row)) speeds.push(row[3]);
    expect(speeds).toEqual([0, 55, 100, -1, 0]); // a balance query's unused speed field is left as it is
    expect(reader.stats()).toMatchObject({ records: 5, clamped: 2 });
  });

  it("with clampSpeeds, still refuses a speed that is not a number, and does not count a line it skips", () => {
    const path = file([position(1, -1), "0,2,7,x,0,2,1,4,21120,-1,-1,-1,-1,-1,-1", position(3, -5, 5)]);
    expect(() => countRecords(path, { onBadLine: "stop", clampSpeeds: true })).toThrow(
      `${path}:2: spd: "x" is not a number`,
    );
    const stats = countRecords(path, { onBadLine: "skip", clampSpeeds: true });
    expect(stats).toMatchObject({ records: 1, skipped: 2, clamped: 1 });
  });

  it("returns false after close", () => {
    const reader = new LrReader(file([position(1), position(2)]), { onBadLine: "stop" });
    const row = new Float64Array(15);
    expect(reader.next(row)).toBe(true);
    reader.close();
    reader.close();
    expect(reader.next(row)).toBe(false);
  });
});
