// The historical tolls file of the validator: rows kept by the keys asked for, every line
// checked, a line cut by a chunk boundary read whole, and one-line errors naming the line.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LrFileError, readTollsTable, tollsKey } from "../../../../workloads/linearRoad/validator/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lr-tolls-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;

/** Writes `text` to a fresh file and returns its path. */
function file(text: string): string {
  const path = join(scratch, `tolls-${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

describe("readTollsTable", () => {
  const text = "1,5,0,37\r\n\n 1 , 6 ,0, 11 \n2,5,1,99\n3,1,0,4";
  const path = file(text);

  it("reads every row, passing over blank lines and spaces, a CR and a last line without a newline", () => {
    expect([...readTollsTable(path)]).toEqual([
      ["1,5,0", 37],
      ["1,6,0", 11],
      ["2,5,1", 99],
      ["3,1,0", 4],
    ]);
  });

  it("keeps only the rows asked for", () => {
    const wanted = new Set([tollsKey(1, 6, 0), tollsKey(3, 1, 0), tollsKey(9, 9, 9)]);
    expect([...readTollsTable(path, wanted)]).toEqual([
      ["1,6,0", 11],
      ["3,1,0", 4],
    ]);
  });

  it("reads the same when every read cuts lines", () => {
    for (const chunkBytes of [1, 2, 3, 7])
      expect([...readTollsTable(path, undefined, chunkBytes)]).toHaveLength(4);
    expect(readTollsTable(path, undefined, 3).get("1,6,0")).toBe(11);
  });

  it("names the file, the line and the fault of a malformed line, wanted or not", () => {
    const bad = (t: string) => () => readTollsTable(file(t), new Set(["7,7,7"]));
    expect(bad("1,5,0,37\n1,5,0\n")).toThrow(/tolls-\d+\.csv:2: expected VID,Day,XWay,Toll, got '1,5,0'$/);
    expect(bad("1,5,0,37\n\n1,x,0,3\n")).toThrow(/:3: field 2 'x' is not a non-negative integer$/);
    expect(bad("1,5,-1,3\n")).toThrow(/:1: field 3 '-1' is not a non-negative integer$/);
    expect(bad("1,5,0,1234567890123456\n")).toThrow(
      /:1: field 4 '1234567890123456' is not a non-negative integer$/,
    );
    expect(bad("1,5,0,3,\n")).toThrow(LrFileError);
  });

  it("refuses a row asked for twice, and lets a repeated row nobody asks for be", () => {
    const twice = file("1,5,0,37\n2,2,2,2\n1,5,0,38\n");
    expect(() => readTollsTable(twice)).toThrow(/:3: \(VID 1, Day 5, XWay 0\) appears twice$/);
    expect(readTollsTable(twice, new Set(["2,2,2"])).get("2,2,2")).toBe(2);
  });

  it("names a file it cannot read", () => {
    expect(() => readTollsTable(join(scratch, "nope.csv"))).toThrow(/nope\.csv: no such file$/);
    expect(() => readTollsTable(scratch)).toThrow(/is a directory$/);
  });
});
