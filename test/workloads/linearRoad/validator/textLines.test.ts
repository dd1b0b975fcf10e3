// Reading a text file line by line in chunks: the same lines however the chunks cut them.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LrFileError } from "../../../../workloads/linearRoad/validator/index.js";
import { TextLines } from "../../../../workloads/linearRoad/validator/textLines.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lr-lines-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every line of `path` with its number, read `chunkBytes` at a time. */
function lines(path: string, chunkBytes?: number): [number, string][] {
  const f = new TextLines(path, chunkBytes);
  const out: [number, string][] = [];
  for (let l = f.next(); l !== null; l = f.next()) out.push([f.line, l]);
  return out;
}

describe("TextLines", () => {
  it("gives every line with its number, blank ones and a last one without a newline included", () => {
    const path = join(scratch, "a.txt");
    writeFileSync(path, "0,1,2\n\nnaïve é\r\nlast");
    const whole = lines(path);
    expect(whole).toEqual([
      [1, "0,1,2"],
      [2, ""],
      [3, "naïve é\r"],
      [4, "last"],
    ]);
    for (const chunkBytes of [1, 2, 3, 5]) expect(lines(path, chunkBytes)).toEqual(whole);
  });

  it("gives nothing for an empty file, and no extra line after a final newline", () => {
    const empty = join(scratch, "empty.txt");
    writeFileSync(empty, "");
    expect(lines(empty)).toEqual([]);
    const one = join(scratch, "one.txt");
    writeFileSync(one, "x\n");
    expect(lines(one, 1)).toEqual([[1, "x"]]);
  });

  it("names a file it cannot read in one line", () => {
    expect(() => new TextLines(join(scratch, "nope.txt"))).toThrow(LrFileError);
    expect(() => lines(scratch)).toThrow(/is a directory$/);
  });
});
