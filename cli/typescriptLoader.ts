// TypeScript job modules in a process that runs the build (dist/): a local worker started from
// the compiled JavaScript has no TypeScript loader, since registering tsx costs its start
// (bin/seep.js registers it for every other `seep`). A worker named a TypeScript job module
// registers tsx here, once, before it loads the module; a JavaScript one needs none. The mark
// is a global symbol, which bin/register.js sets too, so that tsx is never registered twice.

/** Set on globalThis once tsx's ESM loader is registered in this process (here or by bin/register.js). */
const TSX_REGISTERED = Symbol.for("seep-testbed.tsx-registered");

/** Whether the module at `path` is TypeScript by its ending (.ts, .mts, .cts, .tsx). */
export function isTypeScriptModule(path: string): boolean {
  return /\.[mc]?tsx?$/i.test(path);
}

/** Register tsx's ESM loader in this process, unless it is registered already. */
export async function ensureTypeScriptLoader(): Promise<void> {
  const marks = globalThis as { [TSX_REGISTERED]?: boolean };
  if (marks[TSX_REGISTERED] === true) return;
  const { register } = await import("tsx/esm/api");
  register();
  marks[TSX_REGISTERED] = true;
}
