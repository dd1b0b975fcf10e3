// Numbers with a documented range, and the one-line wording of what is wrong with a value,
// shared by the two schemas a user writes against: the experiment (sim/experiment.ts)
// and the jobs' parameters (workloads/*/job.ts, and users' job modules), which may share only engine/.
// A value out of range names the range and the value (`must be an integer from 1 to
// 10000, got 1000000`); NaN, Infinity and strings get the same sentence, so a user never
// meets zod's own wording or a bound they did not know about.

import { z } from "zod";

/** How a range is closed: an integer, or a number above (not at) its minimum. */
export interface RangeOptions {
  readonly integer?: boolean;
  readonly aboveMin?: boolean;
}

/** A number schema in [min, max] (or (min, max] with `aboveMin`), whose errors name the range and the value. */
export function numberIn(min: number, max: number, options: RangeOptions = {}) {
  const range = rangeText(min, max, options);
  const error = (issue: { readonly input?: unknown }) =>
    issue.input === undefined
      ? `is required: ${range}`
      : `must be ${range}, got ${describeValue(issue.input)}`;
  // Bounds first: a huge integer is told the documented maximum, not the safe-integer one.
  const bounded = options.aboveMin
    ? z.number({ error }).gt(min, { error }).max(max, { error })
    : z.number({ error }).min(min, { error }).max(max, { error });
  return options.integer ? bounded.int({ error }) : bounded;
}

/** An integer schema in [min, max] (see numberIn). */
export function integerIn(min: number, max: number) {
  return numberIn(min, max, { integer: true });
}

/** `an integer from 1 to 10000`, `a number above 0 and at most 1000`: the range as a phrase. */
export function rangeText(min: number, max: number, options: RangeOptions = {}): string {
  const what = options.integer ? "an integer" : "a number";
  return options.aboveMin ? `${what} above ${min} and at most ${max}` : `${what} from ${min} to ${max}`;
}

/** A value as an error message quotes it: numbers as written, strings quoted, others by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : String(value);
}

/** One issue of a failed parse as `path: what is wrong`; `root` names the top level. */
export function describeIssue(issue: z.core.$ZodIssue, root: string): string {
  const path = issue.path.length === 0 ? root : issue.path.map(String).join(".");
  return `${path}: ${issueMessage(issue)}`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  // Messages written here (numberIn's, refinements') start in lower case and say it all;
  // zod's own start in upper case and are reworded.
  if (/^[a-z]/.test(issue.message)) return issue.message;
  const got = "input" in issue ? `, got ${describeValue(issue.input)}` : "";
  switch (issue.code) {
    case "too_big":
      return issue.origin === "array"
        ? `must have at most ${Number(issue.maximum)} entries`
        : issue.origin === "string"
          ? `must have at most ${Number(issue.maximum)} characters`
          : `must be at most ${Number(issue.maximum)}${got}`;
    case "too_small":
      return issue.origin === "array"
        ? `must have at least ${Number(issue.minimum)} entries`
        : issue.origin === "string"
          ? "must not be empty"
          : `must be ${issue.inclusive ? "at least" : "above"} ${Number(issue.minimum)}${got}`;
    case "invalid_type":
      if (issue.input === undefined) return `is required: ${article(issue.expected)}`;
      return `expected ${article(issue.expected)}${got}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${got}`;
    case "invalid_union": {
      // A discriminated union whose key matched no option: the options, and the key's value.
      const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
      if (options === undefined || discriminator === undefined) return issue.message;
      const value = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
      const list = options.map((o) => JSON.stringify(o)).join(", ");
      return value === undefined
        ? `is required: one of ${list}`
        : `must be one of ${list}, got ${describeValue(value)}`;
    }
    case "unrecognized_keys":
      return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return issue.message;
  }
}

/** `an integer`, `a string`, `an object`: a zod type name as a phrase. */
function article(type: string): string {
  const name = type === "int" ? "integer" : type;
  return `${/^[aeiou]/.test(name) ? "an" : "a"} ${name}`;
}
