// Loading a job module: a TypeScript or JavaScript file that exports a job made with
// `defineJob` (engine/job.ts), as `workload` or as its default export. The CLI, the workers
// and a sweep load a user's job through here; the built-in jobs are the same kind of module
// (workloads/registry.ts). Every way a module can be wrong is one JobError line naming the
// file: it does not exist, it cannot be loaded (a syntax error, an import that fails, a
// throw at its top level), it exports no job, or what it exports is not one.

import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Job, JobError, jobProblem } from "../engine/index.js";

/** File name endings of a job module. */
export const JOB_MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"] as const;

/** Whether `path` names a job module by its ending (not whether it exists). */
export function isJobModulePath(path: string): boolean {
  const lower = path.toLowerCase();
  return JOB_MODULE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** The absolute path of the job module `path`, relative to `baseDir`. */
export function jobModulePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The job the module at the absolute path `path` exports; throws a JobError naming `shown` (the path as the user gave it). */
export async function loadJobModule(path: string, shown: string = path): Promise<Job> {
  const where = `job module ${shown}`;
  if (!isJobModulePath(path))
    throw new JobError(`${where}: a job module must end in ${JOB_MODULE_EXTENSIONS.join(", ")}`);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    throw new JobError(`${where}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!isFile) throw new JobError(`${where}: not a file`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new JobError(`${where}: cannot be loaded: ${firstLine(err)}${commonJsHint(path, err)}`);
  }
  const named = Object.hasOwn(exports, "workload");
  const job = named ? exports.workload : exports.default;
  if (job === undefined) {
    const names = Object.keys(exports)
      .filter((k) => k !== "default")
      .sort();
    throw new JobError(
      `${where}: exports no workload (export const workload = defineJob({...}), or export default; ` +
        `it exports: ${names.length === 0 ? "nothing" : names.join(", ")})`,
    );
  }
  const problem = jobProblem(job);
  if (problem !== null)
    throw new JobError(`${where}: ${named ? "workload" : "the default export"} ${problem}`);
  return job as Job;
}

/**
 * Why a `.ts` or `.js` module may have been taken for CommonJS: Node and tsx load it as an ES
 * module only beside a package.json saying `"type": "module"`.
 */
function commonJsHint(path: string, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (!/require\(\)|ERR_REQUIRE|Cannot use import statement outside a module/.test(text)) return "";
  if (!/\.(ts|js)$/i.test(path)) return "";
  return ' (it was loaded as CommonJS: add a package.json with "type": "module" beside it, or name it .mts or .mjs)';
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.message}` : String(err);
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "(no message)";
  return line.trim();
}
