// Which reconfigurations work under which fault-tolerance strategies, checked once, up
// front, wherever an experiment's strategy is final (validation, `seep chaos` after
// `--strategy`, the simulation's constructor), so that an unsupported combination is one
// line before any run rather than a failure in the middle of one. Today:
//
//   reconfiguration                              asked by                                 strategies
//   scale out                                    scaling.scaleOuts with factor >= 2       every strategy
//   migration                                    scaling.scaleOuts with factor 1          every strategy
//   scale out by the policy                      scaling.rules, action scaleOut           every strategy
//   scale in                                     scaling.scaleIns                         every strategy
//   scale in by the policy                       scaling.rules, action scaleIn            every strategy
//   live state transfer                          scaling.stateTransfer: live              every strategy
//   parallel recovery                            faultTolerance.parallelRecovery > 1      rsm
//
// (The rules count only under `scaling.policy: threshold`.) Under upstream-backup,
// global-snapshot and source-replay a live transfer moves the state while the plan runs
// and takes the quiescent base every reconfiguration needs under them only at the
// hand-over (engine/elasticity/liveScaleOut.ts). A parallel recovery partitions the lost instance's own
// checkpoint onto new instances: only rsm keeps one (upstream-backup keeps marks, without
// state; source-replay keeps nothing; global-snapshot rolls a whole downstream cone back to
// a snapshot, and splitting its part is not built); under none nothing is recovered.
// Widening the table is adding a strategy to a row. The real runtime keeps its own guard
// for callers of CloudRun that skip the CLI (cloud/runScaling.ts): widen it with the table.

import { FT_STRATEGIES, type FtStrategy } from "../engine/index.js";
import type { Experiment } from "./experiment.js";

/** One row of the table: a reconfiguration, how an experiment asks for it, and where it works. */
interface SupportedReconfiguration {
  /** The setting that asks for it, as the refusal names it. */
  readonly setting: string;
  /** Whether `e` asks for it. */
  readonly asked: (e: Experiment) => boolean;
  /** The strategies it works under. */
  readonly strategies: readonly FtStrategy[];
}

const policyRules = (e: Experiment, action: "scaleOut" | "scaleIn") =>
  e.scaling.policy === "threshold" && e.scaling.rules.some((r) => r.action === action);

/** The strategies a stopping reconfiguration works under. */
const STOPPING: readonly FtStrategy[] = FT_STRATEGIES;

/** The table of the header, in the order a refusal is looked for. */
export const SUPPORTED_RECONFIGURATIONS: readonly SupportedReconfiguration[] = [
  {
    setting: "scaling.scaleOuts",
    asked: (e) => e.scaling.scaleOuts.some((so) => so.factor >= 2),
    strategies: STOPPING,
  },
  {
    setting: "scaling.scaleOuts (a migration, factor 1)",
    asked: (e) => e.scaling.scaleOuts.some((so) => so.factor === 1),
    strategies: STOPPING,
  },
  {
    setting: "scaling.rules (action scaleOut)",
    asked: (e) => policyRules(e, "scaleOut"),
    strategies: STOPPING,
  },
  { setting: "scaling.scaleIns", asked: (e) => e.scaling.scaleIns.length > 0, strategies: STOPPING },
  {
    setting: "scaling.rules (action scaleIn)",
    asked: (e) => policyRules(e, "scaleIn"),
    strategies: STOPPING,
  },
  {
    setting: "scaling.stateTransfer: live",
    asked: (e) => e.scaling.stateTransfer === "live",
    strategies: STOPPING,
  },
  {
    setting: "faultTolerance.parallelRecovery",
    asked: (e) => e.faultTolerance.parallelRecovery > 1,
    strategies: ["rsm"],
  },
];

/**
 * Why `experiment` asks for a reconfiguration its fault-tolerance strategy does not
 * support yet, in one line naming the setting and the strategy; null when it does not.
 */
export function unsupportedCombination(experiment: Experiment): string | null {
  const strategy = experiment.faultTolerance.strategy;
  for (const row of SUPPORTED_RECONFIGURATIONS) {
    if (row.asked(experiment) && !row.strategies.includes(strategy))
      return `${row.setting} under strategy ${strategy} is not supported yet (supported: ${row.strategies.join(", ")})`;
  }
  return null;
}

/** True when strategy `strategy` runs live state transfer (a drawn schedule draws it only then). */
export function runsLive(strategy: FtStrategy): boolean {
  return SUPPORTED_RECONFIGURATIONS.find(
    (r) => r.setting === "scaling.stateTransfer: live",
  )!.strategies.includes(strategy);
}
