// The project's structural rules, checked on the sources: imports point one way and never
// in a circle, no function of the engine and the runtimes is long without a stated reason,
// and the engine, the simulator and the example jobs never touch the wall clock, unseeded
// randomness or real timers.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseAst } from "rolldown/parseAst";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const FOLDERS = [
  "engine",
  "sim",
  "cloud",
  "workloads",
  "examples",
  "measure",
  "notebooks",
  "cli",
  "bench",
  "lab",
];
/** Longest function of engine/, sim/ and cloud/, in lines, unless a comment above it starts `Over 80 lines:`. */
const FUNCTION_LINES_MAX = 80;

function sources(folder: string): string[] {
  const dir = join(ROOT, folder);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory())
      return e === "gen" || e === "node_modules" ? [] : sources(relative(ROOT, p));
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** The files `file` imports, type-only imports, re-exports and dynamic imports included (relative ones only). */
function importedFiles(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = resolve(file, "..", m[1]);
    const source = target.replace(/\.js$/, ".ts");
    out.push(existsSync(source) ? source : target);
  }
  return out;
}

/** Top-level project folders a file imports from (relative imports only). */
function importedFolders(file: string): string[] {
  return importedFiles(file).map((target) => relative(ROOT, target).split("/")[0]);
}

/** The import circles among `files`: strongly connected components of more than one file (Tarjan). */
function importCircles(files: readonly string[]): string[][] {
  const edges = new Map(files.map((f) => [f, importedFiles(f).filter((t) => t !== f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (f: string): void => {
    index.set(f, index.size);
    low.set(f, index.get(f)!);
    stack.push(f);
    onStack.add(f);
    for (const t of edges.get(f) ?? []) {
      if (!edges.has(t)) continue;
      if (!index.has(t)) {
        visit(t);
        low.set(f, Math.min(low.get(f)!, low.get(t)!));
      } else if (onStack.has(t)) low.set(f, Math.min(low.get(f)!, index.get(t)!));
    }
    if (low.get(f) !== index.get(f)) return;
    const circle: string[] = [];
    for (let t = stack.pop()!; ; t = stack.pop()!) {
      onStack.delete(t);
      circle.push(relative(ROOT, t));
      if (t === f) break;
    }
    if (circle.length > 1) circles.push(circle.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return circles;
}

/** Function nodes of the ESTree that rolldown's parser (oxc) gives. */
const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
/** Nodes a function stands in, whose comment may state its reason (the first that is a statement ends the search). */
const HOLDER_TYPES =
  /Declaration$|Statement$|^MethodDefinition$|^PropertyDefinition$|^Property$|^VariableDeclarator$/;

interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

/** `file:line name (n lines)` for each function of `file` longer than the bound without `Over 80 lines:` above it. */
function longFunctions(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lines = text.split("\n");
  // The comment lines right above line `line` (1-based) say `Over 80 lines:`.
  const statedAbove = (line: number) => {
    for (let i = line - 2; i >= 0 && /^\s*(\/\/|\/\*|\*)/.test(lines[i]); i--) {
      if (/Over 80 lines:/.test(lines[i])) return true;
    }
    return false;
  };
  const out: string[] = [];
  const walk = (node: AstNode, holders: readonly AstNode[]): void => {
    if (FUNCTION_TYPES.has(node.type)) {
      const length = lineOf(node.end - 1) - lineOf(node.start) + 1;
      const places = [node, ...holders];
      const last = places.findIndex((n) => /Declaration$|Statement$|^MethodDefinition$/.test(n.type));
      const stated = places
        .slice(0, last < 0 ? undefined : last + 1)
        .some((n) => statedAbove(lineOf(n.start)));
      if (length > FUNCTION_LINES_MAX && !stated) {
        const named = places.find((n) => (n.id ?? n.key) !== undefined && (n.id ?? n.key) !== null);
        const id = (named?.id ?? named?.key) as { name?: string } | undefined;
        out.push(`${relative(ROOT, file)}:${lineOf(node.start)} ${id?.name ?? node.type} (${length} lines)`);
      }
    }
    const inner =
      HOLDER_TYPES.test(node.type) || FUNCTION_TYPES.has(node.type) ? [node, ...holders] : holders;
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child !== null && typeof child === "object" && typeof (child as AstNode).type === "string") {
          walk(child as AstNode, inner);
        }
      }
    }
  };
  walk(parseAst(text, { lang: "ts" }, file) as unknown as AstNode, []);
  return out;
}

const ALLOWED: Record<string, readonly string[]> = {
  engine: ["engine"],
  sim: ["sim", "engine"],
  cloud: ["cloud", "engine"],
  workloads: ["workloads", "engine"],
  examples: ["examples", "engine"],
};

describe("architecture", () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only from ${allowed.join(" and ")}`, () => {
      for (const file of sources(folder)) {
        for (const target of importedFolders(file)) {
          expect(allowed, `${relative(ROOT, file)} imports from ${target}/`).toContain(target);
        }
      }
    });
  }

  it("no import circle spans files, type-only imports included", () => {
    expect(importCircles(FOLDERS.flatMap(sources))).toEqual([]);
  });

  it("notebooks/, measure/ and cli/ never import a benchmark (bench/ holds only their entry points)", () => {
    for (const file of ["notebooks", "measure", "cli"].flatMap(sources)) {
      if (relative(ROOT, file) === "cli/commands/bench.ts") continue;
      expect(importedFolders(file), `${relative(ROOT, file)} imports from bench/`).not.toContain("bench");
    }
  });

  it(`no function of engine/, sim/ or cloud/ is over ${FUNCTION_LINES_MAX} lines without a stated reason`, () => {
    expect(["engine", "sim", "cloud"].flatMap(sources).flatMap(longFunctions)).toEqual([]);
  });

  it("finds circles and long functions where there are some (the checks above can fail)", () => {
    expect(
      importCircles([join(ROOT, "test/architecture/circleA.ts"), join(ROOT, "test/architecture/circleB.ts")]),
    ).toEqual([["test/architecture/circleA.ts", "test/architecture/circleB.ts"]]);
    expect(longFunctions(join(ROOT, "test/architecture/longFunction.ts"))).toEqual([
      "test/architecture/longFunction.ts:6 tooLong (83 lines)",
    ]);
  });

  it("engine/, sim/ and examples/ never read the wall clock, draw unseeded random numbers or set real timers", () => {
    const forbidden =
      /Date\.now|new Date\(|Math\.random|performance\.now|setTimeout|setInterval|setImmediate|process\.hrtime/;
    for (const file of [...sources("engine"), ...sources("sim"), ...sources("examples")]) {
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, "");
        expect(forbidden.test(code), `${relative(ROOT, file)}:${i + 1}: ${line.trim()}`).toBe(false);
      });
    }
  });

  it("engine/ does no I/O: it imports no node: module", () => {
    for (const file of sources("engine")) {
      expect(readFileSync(file, "utf8"), relative(ROOT, file)).not.toMatch(/from\s+["']node:/);
    }
  });

  it("every source file opens with a comment saying what it owns", () => {
    for (const file of FOLDERS.flatMap(sources)) {
      expect(readFileSync(file, "utf8").trimStart().startsWith("//"), relative(ROOT, file)).toBe(true);
    }
  });
});
