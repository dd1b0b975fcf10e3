// `--set key=value` overrides: how the text is parsed and where the value lands in raw
// experiment data, including arrays and the mistakes that must be refused on one line.

import { describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import { applySetting, collectSetting, parseSetting } from "../../cli/settings.js";

/** `raw` after applying each `--set` text in turn. */
function withSettings(raw: Record<string, unknown>, ...texts: string[]): Record<string, unknown> {
  for (const text of texts) applySetting(raw, parseSetting(text));
  return raw;
}

describe("parseSetting", () => {
  it("parses the value as JSON when it parses, else keeps the string", () => {
    expect(parseSetting("cluster.vms=8")).toEqual({ key: "cluster.vms", path: ["cluster", "vms"], value: 8 });
    expect(parseSetting("a=true").value).toBe(true);
    expect(parseSetting("a=[1,2]").value).toEqual([1, 2]);
    expect(parseSetting('a={"b":1}').value).toEqual({ b: 1 });
    expect(parseSetting("name=word count").value).toBe("word count");
    expect(parseSetting("a=x=y").value).toBe("x=y");
    expect(parseSetting("a=").value).toBe("");
  });

  it("refuses text without '=', an empty key or an empty segment", () => {
    for (const text of ["nonsense", "=3", "a..b=1", ".a=1", "a.=1"]) {
      expect(() => parseSetting(text)).toThrow(UserError);
    }
  });

  it("refuses keys that would reach an object's prototype", () => {
    expect(() => parseSetting("__proto__.polluted=1")).toThrow(/__proto__/);
    expect(() => parseSetting("a.constructor.prototype=1")).toThrow(UserError);
  });

  it("collects repeated --set flags in order", () => {
    const all = collectSetting("b=2", collectSetting("a=1", undefined));
    expect(all.map((s) => s.key)).toEqual(["a", "b"]);
  });
});

describe("applySetting", () => {
  it("sets nested keys, creating the objects on the way", () => {
    expect(withSettings({ cluster: { vms: 4 } }, "cluster.vms=8", "fidelity.batchSize=256")).toEqual({
      cluster: { vms: 8 },
      fidelity: { batchSize: 256 },
    });
  });

  it("indexes into arrays, and creates an array when the next segment is an index", () => {
    const raw = withSettings({ faults: [{ type: "crash", vm: 1, atMs: 0 }] }, "faults.0.atMs=5000");
    expect(raw.faults).toEqual([{ type: "crash", vm: 1, atMs: 5000 }]);
    expect(withSettings({}, "faults.0.type=crash")).toEqual({ faults: [{ type: "crash" }] });
  });

  it("refuses a path through a value that is not an object or an array", () => {
    expect(() => withSettings({ name: "wordcount" }, "name.x=1")).toThrow(/name is the string "wordcount"/);
  });

  it("refuses a non-index into an array and an index past its end", () => {
    expect(() => withSettings({ faults: [] }, "faults.x=1")).toThrow(/'x' is no index/);
    expect(() => withSettings({ faults: [] }, "faults.2.atMs=1")).toThrow(/past the end of faults/);
  });
});
