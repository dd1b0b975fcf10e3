// outputs.csv: fields are quoted only when they must be, values are JSON, and the file
// appears under its name only once it is closed.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { csvField, jsonOf, OUTPUTS_CSV_HEADER, OutputsCsv } from "../../cli/outputsCsv.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-outputs-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("outputs.csv", () => {
  it("quotes a field only when it holds a comma, a quote or a line break", () => {
    expect(csvField("sink")).toBe("sink");
    expect(csvField("42")).toBe("42");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('"x"')).toBe('"""x"""');
  });

  it("encodes values as JSON, bigints as strings and undefined as empty", () => {
    expect(jsonOf({ a: 1 })).toBe('{"a":1}');
    expect(jsonOf("w")).toBe('"w"');
    expect(jsonOf(10n)).toBe('"10"');
    expect(jsonOf(undefined)).toBe("");
  });

  it("writes a header and one line per record, visible under its name only after close", () => {
    const path = join(scratch, "outputs.csv");
    const csv = new OutputsCsv(path);
    csv.add({ timeMs: 1.5, sink: "sink", instance: 3, key: 7, eventTimeMs: 1, value: { w: "a,b", n: 2 } });
    expect(existsSync(path)).toBe(false);
    // Until then it is a partial file, named so, which an exit of this process would remove.
    expect(existsSync(`${path}.partial-${process.pid}`)).toBe(true);
    const exitHandlers = process.listenerCount("exit");
    csv.close();
    expect(existsSync(`${path}.partial-${process.pid}`)).toBe(false);
    expect(process.listenerCount("exit")).toBe(exitHandlers - 1);
    expect(readFileSync(path, "utf8")).toBe(
      `${OUTPUTS_CSV_HEADER}\n1.5,sink,3,7,1,"{""w"":""a,b"",""n"":2}"\n`,
    );
  });

  it("leaves nothing behind when abandoned", () => {
    const dir = mkdtempSync(join(scratch, "abandoned-"));
    const csv = new OutputsCsv(join(dir, "outputs.csv"));
    csv.add({ timeMs: 0, sink: "sink", instance: 0, key: 0, eventTimeMs: 0, value: 1 });
    csv.abandon();
    csv.abandon();
    expect(readdirSync(dir)).toEqual([]);
  });
});
