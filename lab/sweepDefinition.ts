// sweep.json: what a sweep is, written into its directory before any run, so that the
// directory says what its runs are and a sweep can be resumed into it. It holds the
// experiment as given (a file or a preset) and as resolved (every default filled in, with
// the `--set`s applied, at the first seed: a changed file or preset shows there), the
// `--set`s, the grid's axes and points, the seeds and the outputs' format. A sweep run
// again into a directory with a sweep.json must have the same definition (the source's
// spelling aside): else it is refused, naming what differs, rather than mixing two
// sweeps' runs in one table.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.js";
import { prettyJson, writeFileAtomic } from "../cli/runFiles.js";
import type { GridAxis, GridPoint } from "./grid.js";

/** The name of a sweep's definition file. */
export const SWEEP_FILE = "sweep.json";

/** Version of sweep.json's layout. */
const SWEEP_FORMAT = 1;

/** A sweep's definition, as sweep.json holds it. */
export interface SweepDefinition {
  readonly format: number;
  /** The experiment as given: a file, a preset, or where raw data came from. */
  readonly experiment: string;
  /** The experiment resolved at the first seed, `--set`s applied, before the grid. */
  readonly resolved: unknown;
  /** The `--set`s, in order, as key and value. */
  readonly settings: readonly { readonly key: string; readonly value: unknown }[];
  /** The grid's axes (empty for a sweep given its points outright). */
  readonly grid: readonly GridAxis[];
  readonly points: readonly Pick<GridPoint, "values">[];
  readonly seeds: readonly number[];
  readonly outputs: "csv" | "csv.gz" | "none";
}

/** The definition of a sweep from its parts. */
export function sweepDefinition(parts: Omit<SweepDefinition, "format">): SweepDefinition {
  return {
    format: SWEEP_FORMAT,
    ...parts,
    points: parts.points.map((p) => ({ values: p.values })),
  };
}

/** The definition in `dir`'s sweep.json, or null when there is none. */
export function readDefinition(dir: string): SweepDefinition | null {
  const path = join(dir, SWEEP_FILE);
  if (!existsSync(path)) return null;
  try {
    const d = JSON.parse(readFileSync(path, "utf8")) as SweepDefinition;
    if (d.format !== SWEEP_FORMAT || !Array.isArray(d.seeds) || !Array.isArray(d.points))
      throw new Error("not a sweep");
    return d;
  } catch (err) {
    throw new UserError(`${path}: not a sweep's definition: ${(err as Error).message}`);
  }
}

/**
 * Make `dir` the directory of the sweep `definition`: write its sweep.json when it has none
 * (refusing a directory that holds other files), or check that the one there is the same.
 */
export function claimSweepDirectory(dir: string, definition: SweepDefinition, flag: string): void {
  const found = readDefinition(dir);
  if (found === null) {
    const others = existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith(".seep-write-check")) : [];
    if (others.length > 0)
      throw new UserError(
        `${flag} ${dir}: holds files but no ${SWEEP_FILE}; choose an empty or new directory`,
      );
    writeFileAtomic(join(dir, SWEEP_FILE), prettyJson(definition));
    return;
  }
  const differs = difference(found, definition);
  if (differs !== null)
    throw new UserError(
      `${flag} ${dir}: holds another sweep (different ${differs}); resume it as it was, or choose another ${flag}`,
    );
}

/** The first part of the definition in which `a` and `b` differ, or null when they are the same. */
function difference(a: SweepDefinition, b: SweepDefinition): string | null {
  const parts: [keyof SweepDefinition, string][] = [
    ["resolved", "experiment"],
    ["settings", "--set"],
    ["grid", "grid"],
    ["points", "points"],
    ["seeds", "seeds"],
    ["outputs", "--outputs"],
  ];
  for (const [key, name] of parts) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return name;
  return null;
}
