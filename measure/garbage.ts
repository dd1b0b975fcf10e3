// A full garbage collection between measured runs, so that no run pays for the garbage of
// the one before. V8 exposes `gc` only behind a flag, set here when first asked.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/** A full garbage collection between runs, so that no run pays for the garbage of the one before. */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
