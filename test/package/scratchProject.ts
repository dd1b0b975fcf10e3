// For the tarball test: packing the clone, and an empty project that installs the tarball
// from npm's cache alone. `npm install --offline <tgz>` cannot do that after a clean `npm ci`:
// it must resolve the tarball's dependency ranges, which needs the registry's package
// documents, and `npm ci` fetches tarballs by the lockfile's URLs without them. So the scratch
// project gets a lockfile of its own: the tarball, and every package the clone's lockfile
// installs for production (not dev), at the same place and version; `npm ci --offline` then
// takes each from the cache that the clone's `npm ci` filled, and installs what a user of the
// same versions gets.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** How a spawned program ended. */
export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A guard against a hang only, never a bound on speed: a busy machine makes all of it several times slower. */
export const HANG_MS = 300_000;

/**
 * Run `command args` in `cwd` with NODE_OPTIONS removed from the environment (a program here
 * must run as it would for a user); one still running after HANG_MS is killed and rejects.
 */
export function run(command: string, args: readonly string[], cwd: string): Promise<Outcome> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    const hang = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not end within ${HANG_MS} ms: taken for hung`));
    }, HANG_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(hang);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `run`, rejecting with its output unless it exits 0. */
export async function succeed(command: string, args: readonly string[], cwd: string): Promise<Outcome> {
  const out = await run(command, args, cwd);
  if (out.code !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
  return out;
}

/** `npm pack` of the clone at `root` into `dir` (prepack builds dist/ first): the tarball's file name. */
export async function pack(root: string, dir: string): Promise<string> {
  await succeed("npm", ["pack", "--pack-destination", dir], root);
  const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz"));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${dir}`);
  return tarballs[0];
}

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly [field: string]: unknown;
}

/**
 * Write into `dir` a project whose one dependency is the tarball `tarball` (a path relative
 * to `dir`), with a lockfile made from the clone's at `root` (see the header); `npm ci
 * --offline` in `dir` then installs it from the cache.
 */
export function writeScratchProject(root: string, dir: string, tarball: string): void {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${tarball}`;
  const project = { name: "scratch", version: "1.0.0", private: true, type: "module" };
  const packages: Record<string, unknown> = {
    "": { ...project, dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "" || entry.dev === true) continue;
    const { devOptional, ...rest } = entry;
    packages[path] = devOptional === true ? { ...rest, optional: true } : rest;
  }
  const write = (name: string, value: unknown) =>
    writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  write("package.json", { ...project, dependencies: { [pkg.name]: spec } });
  write("package-lock.json", {
    name: project.name,
    version: project.version,
    lockfileVersion: 3,
    requires: true,
    packages,
  });
}
