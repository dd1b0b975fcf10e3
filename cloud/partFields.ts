// The part-level fields of a checkpoint passed on by reference (engine PartFields: a new
// instance's identity and outputs, a suppression cut), as they travel beside the reference
// (CheckpointRef.part_fields_json) and as the receiver applies them to the bytes it
// fetches (engine withPartFields). The coordinator sets them on a checkpoint whose bytes
// it never holds (a live scale out's parts, each new instance's rewind base under rsm), so
// that the bytes go straight from the source worker to the receiver, and the receiver
// decodes exactly the checkpoint the engine meant.

import {
  decodeSuppressionCuts,
  encodeSuppressionCuts,
  type PartFields,
  type SuppressionCut,
  withPartFields,
} from "../engine/index.js";

function malformed(why: string): never {
  throw new RangeError(`malformed part fields: ${why}`);
}

/** `fields` as the JSON a reference carries ("" for none). */
export function partFieldsJson(fields: PartFields | null): string {
  if (fields === null) return "";
  return JSON.stringify({
    ...(fields.newInstance === true ? { newInstance: true } : {}),
    ...(fields.suppression === undefined ? {} : { suppression: encodeSuppressionCuts(fields.suppression) }),
  });
}

/** Suppression cuts from their JSON; malformed ones say so in one line, as part fields. */
function cutsOf(json: unknown): SuppressionCut[] {
  try {
    return decodeSuppressionCuts(json);
  } catch (e) {
    return malformed((e as Error).message.replace(/^malformed checkpoint: /, ""));
  }
}

/** The fields `partFieldsJson` wrote (null for ""); a malformed one is a one-line RangeError. */
export function parsePartFields(json: string): PartFields | null {
  if (json === "") return null;
  let m: unknown;
  try {
    m = JSON.parse(json);
  } catch (e) {
    return malformed((e as Error).message);
  }
  if (typeof m !== "object" || m === null || Array.isArray(m)) malformed("not an object");
  const { newInstance, suppression, ...rest } = m as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) malformed(`unknown field ${unknown[0]}`);
  if (newInstance !== undefined && newInstance !== true) malformed("newInstance must be true or absent");
  return {
    ...(newInstance === true ? { newInstance: true } : {}),
    ...(suppression === undefined ? {} : { suppression: cutsOf(suppression) }),
  };
}

/** `a`, then `b` set on it (a later suppression replaces an earlier one; a new instance stays one). */
export function mergePartFields(a: PartFields | null, b: PartFields): PartFields {
  return { ...a, ...b, ...(a?.newInstance === true || b.newInstance === true ? { newInstance: true } : {}) };
}

/** `bytes` (fetched by a reference) with the part fields it carries (`json`) applied; the same bytes when none. */
export function applyPartFields(bytes: Uint8Array, json: string): Uint8Array {
  const fields = parsePartFields(json);
  return fields === null ? bytes : withPartFields(bytes, fields);
}
