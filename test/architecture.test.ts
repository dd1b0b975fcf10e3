// The project's structural rules, checked on the sources: imports point one way, and the
// engine and the simulator never touch the wall clock, unseeded randomness or real timers.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const FOLDERS = ["engine", "sim", "cloud", "workloads", "notebooks", "cli", "bench"];

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

/** Top-level project folders a file imports from (relative imports only). */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = relative(ROOT, resolve(file, "..", m[1]));
    out.push(target.split("/")[0]);
  }
  return out;
}

const ALLOWED: Record<string, readonly string[]> = {
  engine: ["engine"],
  sim: ["sim", "engine"],
  cloud: ["cloud", "engine"],
  workloads: ["workloads", "engine"],
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

  it("engine/ and sim/ never read the wall clock, draw unseeded random numbers or set real timers", () => {
    const forbidden =
      /Date\.now|new Date\(|Math\.random|performance\.now|setTimeout|setInterval|setImmediate|process\.hrtime/;
    for (const file of [...sources("engine"), ...sources("sim")]) {
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
