// A sweep's grid: axes, each a dotted path of the experiment with the values it takes
// (`--grid 'faultTolerance.checkpointIntervalMs=1000,5000,10000'`), and the points of their
// cross product, the first axis varying slowest. A value is JSON when it parses as JSON,
// else a string, as with `--set` (cli/settings.ts), so `1000` is a number and `rsm` a
// string; commas inside brackets, braces or quotes do not split values
// (`scaling.scaleOuts=[],[{"operator":"count","atMs":5000}]`). A point is a list of
// settings applied after the experiment's own `--set`s, in axis order. Whether a path and
// its values fit the experiment is for its validation to say (lab/sweepValidation.ts).

import { UserError } from "../cli/errors.js";
import { parseSetting, type Setting } from "../cli/settings.js";

/** One axis of a grid: a dotted path of the experiment and the values it takes. */
export interface GridAxis {
  readonly path: string;
  readonly values: readonly unknown[];
}

/** One point of a grid: the value of each axis, in axis order. */
export interface GridPoint {
  /** Its place among the grid's points, from 0. */
  readonly index: number;
  readonly values: readonly { readonly path: string; readonly value: unknown }[];
}

/** `text` of a `--grid` (`path=v1,v2,...`) as an axis; a malformed one is a UserError naming it. */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf("=");
  if (eq <= 0)
    throw new UserError(
      `--grid expects path=value,value,... with a dotted path such as faultTolerance.strategy=rsm,upstream-backup, got '${text}'`,
    );
  // The path is checked as a --set's key is (no empty segment, nothing that reaches a prototype).
  const { key } = checkedPath(text.slice(0, eq).trim(), text);
  const parts = splitValues(text.slice(eq + 1));
  if (parts === null) throw new UserError(`--grid ${text}: a bracket, brace or quote is not closed`);
  if (parts.some((p) => p.trim() === ""))
    throw new UserError(`--grid ${text}: an empty value (values are separated by single commas)`);
  const values = parts.map((p) => parseSetting(`${key}=${p.trim()}`).value);
  const seen = new Set<string>();
  for (const v of values) {
    const k = JSON.stringify(v);
    if (seen.has(k)) throw new UserError(`--grid ${text}: the value ${k} is given twice`);
    seen.add(k);
  }
  return { path: key, values };
}

/** Add the `--grid` in `text` to those parsed so far (a commander argument parser). */
export function collectGridAxis(text: string, previous: readonly GridAxis[] | undefined): GridAxis[] {
  const axis = parseGridAxis(text);
  if ((previous ?? []).some((a) => a.path === axis.path))
    throw new UserError(`--grid ${axis.path} is given twice: give all its values in one --grid`);
  return [...(previous ?? []), axis];
}

/** Every point of the grid of `axes`, the first axis varying slowest; no axes: one point, the experiment as it is. */
export function gridPoints(axes: readonly GridAxis[]): GridPoint[] {
  let combos: { path: string; value: unknown }[][] = [[]];
  for (const axis of axes) {
    if (axis.values.length === 0) throw new UserError(`--grid ${axis.path}: no values`);
    combos = combos.flatMap((c) => axis.values.map((value) => [...c, { path: axis.path, value }]));
  }
  return combos.map((values, index) => ({ index, values }));
}

/** The settings that make `point` of the experiment, to apply after the experiment's own. */
export function pointSettings(point: Pick<GridPoint, "values">): Setting[] {
  return point.values.map(({ path, value }) => ({ key: path, path: path.split("."), value }));
}

/** A value as a grid's table and labels show it: strings as they are, anything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `faultTolerance.strategy=rsm faultTolerance.checkpointIntervalMs=1000`: a point for a person. */
export function describePoint(point: Pick<GridPoint, "values">): string {
  if (point.values.length === 0) return "the experiment as it is";
  return point.values.map(({ path, value }) => `${path}=${valueText(value)}`).join(" ");
}

/** `rsm-1000`: a point's values as part of a directory's name (letters, digits, `.`, `_`, `-`). */
export function pointLabel(point: Pick<GridPoint, "values">): string {
  return point.values
    .map(({ value }) =>
      valueText(value)
        .replace(/[^A-Za-z0-9._-]+/g, "_")
        .slice(0, 40),
    )
    .join("-");
}

function checkedPath(path: string, text: string): { key: string } {
  try {
    return parseSetting(`${path}=0`);
  } catch {
    throw new UserError(`--grid ${text}: '${path}' is not a dotted path such as faultTolerance.strategy`);
  }
}

/** `text` split at the commas outside brackets, braces and double quotes; null when one is not closed. */
function splitValues(text: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return null;
  }
  if (quoted || depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}
