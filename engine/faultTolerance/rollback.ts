// Who restarts from the initial state in a recovery: the replaced instances the strategy
// says cannot be restored (no backup, and their upstreams trimmed for them; or every one,
// under source replay), and everything upstream of them, so that the sources replay what
// they need; plus whatever the strategy drags along (a global snapshot's downstream cone).
// A backup held by an instance that restarts is lost with its state, which may make its
// owner one that cannot be restored: so repeat until nothing changes.

import { STORE, upstreamCone } from "./backupPlacement.js";
import type { FaultToleranceRun, RecoveryStrategy } from "./strategy.js";

/** The instances a recovery of `replaced` rolls back to their initial state (`forced`: every replaced one). */
export function rollbackOf(
  run: FaultToleranceRun,
  strategy: RecoveryStrategy,
  replaced: readonly number[],
  forced: boolean,
): Set<number> {
  const rollback = new Set<number>(strategy.recovering(replaced));
  let seeds = replaced.filter((id) => strategy.rollsBack(id, forced));
  while (seeds.length > 0) {
    for (const id of upstreamCone(run.plan.current, seeds)) rollback.add(id);
    seeds = [];
    for (const id of replaced) {
      const b = run.backups.get(id);
      if (!rollback.has(id) && b !== undefined && b.holder !== STORE && rollback.has(b.holder)) {
        if (run.backups.fallBackToCopy(id)) continue;
        run.backups.delete(id);
        seeds.push(id);
      }
    }
  }
  return rollback;
}
