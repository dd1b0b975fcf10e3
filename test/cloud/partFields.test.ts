// The part fields beside a checkpoint's reference: written and read back the same (infinite
// times included), merged as the engine sets them one after another, applied to fetched
// bytes (none: the bytes as they came), and refused in one line when malformed.

import { describe, expect, it } from "vitest";
import { applyPartFields, mergePartFields, parsePartFields, partFieldsJson } from "../../cloud/partFields.js";
import { decodeCheckpoint, type PartFields } from "../../engine/index.js";
import { countCheckpointBytes } from "./checkpointFixtures.js";

const cut = {
  edge: null,
  receiver: null,
  processed: [{ edge: 0, sender: 2, seq: 17, watermarkMs: Number.NEGATIVE_INFINITY }],
  watermarkMs: Number.POSITIVE_INFINITY,
};

describe("part fields", () => {
  it("read back as written, none as the empty string", () => {
    const all: (PartFields | null)[] = [
      null,
      { newInstance: true },
      { suppression: [cut] },
      { newInstance: true, suppression: [] },
    ];
    for (const f of all) expect(parsePartFields(partFieldsJson(f))).toEqual(f);
    expect(partFieldsJson(null)).toBe("");
  });

  it("merge as set one after another: a new instance stays one, a later suppression replaces an earlier", () => {
    const fresh = mergePartFields(null, { newInstance: true });
    expect(mergePartFields(fresh, { suppression: [cut] })).toEqual({ newInstance: true, suppression: [cut] });
    expect(mergePartFields({ suppression: [cut] }, { suppression: [] })).toEqual({ suppression: [] });
  });

  it("are applied to fetched bytes, and none leaves them as they came", () => {
    const { bytes, codec, cp } = countCheckpointBytes(500);
    expect(applyPartFields(bytes, "")).toBe(bytes);
    const got = decodeCheckpoint(
      applyPartFields(bytes, partFieldsJson({ newInstance: true, suppression: [cut] })),
      codec,
    );
    expect(got.instance).toBe(-1);
    expect(got.suppression).toEqual([cut]);
    expect(got.processing.size).toBe(cp.processing.size);
  });

  it("are refused in one line when malformed", () => {
    for (const [json, why] of [
      ["{", /malformed part fields/],
      ["[]", /not an object/],
      ['{"other":1}', /unknown field other/],
      ['{"suppression":3}', /malformed part fields: header field suppression must be an array/],
      ['{"suppression":[[null,null,[[0]],1]]}', /malformed part fields: input position must be/],
      ['{"suppression":[["x",null,[],1]]}', /malformed part fields: a suppression cut must be/],
    ] as const)
      expect(() => parsePartFields(json)).toThrow(why);
  });
});
