// A pool of local `seep worker` processes with a fresh token: what every measurement on
// the real runtime (benchmarks, sim-vs-real, the calibration) runs its workers in.

import { randomBytes } from "node:crypto";
import { LocalProcessPool } from "../cloud/localProcessPool.js";
import { seepWorkerCommand } from "../cloud/packageRoot.js";

/** A pool of local worker processes, with a fresh token. */
export function localWorkers(): { pool: LocalProcessPool; token: string } {
  const token = randomBytes(16).toString("hex");
  return {
    pool: new LocalProcessPool({ command: seepWorkerCommand(), token }),
    token,
  };
}
