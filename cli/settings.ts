// `--set key=value`: one override of raw experiment data, applied before validation so
// that a wrong key or value is reported by the same schema as one written in a file.
// The key is a dotted path (`cluster.vms`, `faults.0.atMs`); the value is JSON when it
// parses as JSON, else a string, so `8`, `true` and `[1,2]` keep their types.

import { UserError } from "./errors.js";

/** One parsed `--set`: where in the raw experiment, and what to put there. */
export interface Setting {
  /** The key as typed, for error messages. */
  readonly key: string;
  /** The key split at its dots. */
  readonly path: readonly string[];
  readonly value: unknown;
}

// Path segments that would reach an object's prototype instead of its data.
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);
const INDEX = /^(0|[1-9]\d*)$/;

/** `text` of a `--set` as a Setting; throws a UserError when it is not `key=value`. */
export function parseSetting(text: string): Setting {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq).trim();
  const path = key.split(".");
  if (eq < 0 || path.some((s) => s === "")) {
    throw new UserError(`--set expects key=value with a dotted key such as cluster.vms=8, got '${text}'`);
  }
  const bad = path.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (bad !== undefined) throw new UserError(`--set ${key}: '${bad}' cannot be set`);
  return { key, path, value: parseValue(text.slice(eq + 1)) };
}

/** Add the `--set` in `text` to those parsed so far (a commander argument parser). */
export function collectSetting(text: string, previous: readonly Setting[] | undefined): Setting[] {
  return [...(previous ?? []), parseSetting(text)];
}

/**
 * Put `setting.value` at `setting.path` in `raw`, creating missing objects (or arrays,
 * when the next segment is an index) on the way; throws a UserError when the path runs
 * through a value that is neither an object nor an array.
 */
export function applySetting(raw: Record<string, unknown>, setting: Setting): void {
  const { key, path } = setting;
  let container: unknown = raw;
  for (let i = 0; i < path.length; i++) {
    const at = path.slice(0, i).join(".") || "the experiment";
    if (typeof container !== "object" || container === null) {
      throw new UserError(`--set ${key}: ${at} is ${describe(container)}, not an object or an array`);
    }
    const segment = path[i];
    const slot = container as Record<string, unknown>;
    if (Array.isArray(container)) {
      if (!INDEX.test(segment))
        throw new UserError(`--set ${key}: ${at} is an array; '${segment}' is no index`);
      if (Number(segment) > container.length) {
        throw new UserError(
          `--set ${key}: index ${segment} is past the end of ${at} (length ${container.length})`,
        );
      }
    }
    if (i === path.length - 1) {
      slot[segment] = setting.value;
      return;
    }
    if (slot[segment] === undefined) slot[segment] = INDEX.test(path[i + 1]) ? [] : {};
    container = slot[segment];
  }
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}
