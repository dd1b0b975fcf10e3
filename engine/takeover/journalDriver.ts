// What the journal's clock and link need of the coordinator that journals: whether it
// runs live, replays or is gone, the entry being taken, and a way to take a runtime's
// callback as an input. JournaledCoordinator (coordinatorTakeover.ts) is the one driver.

import type { CoordinatorInput } from "./journal.js";

/** live: inputs are journaled and taken, effects reach the runtime; replay: the journal's inputs are taken again and effects are dropped; dead: the leader crashed, nothing is taken. */
export type JournalMode = "live" | "replay" | "dead";

/** Kinds of effect, folded into an entry's effects hash. */
export const Effect = { Send: 1, Redeploy: 2, Reserve: 3, Unreserve: 4, Discard: 5 } as const;

/** One of Effect's kinds. */
export type EffectKind = (typeof Effect)[keyof typeof Effect];

/** The coordinator side of a journaled clock and link. */
export interface JournalDriver {
  readonly mode: JournalMode;
  /** The time of the entry being taken, or null outside one. */
  readonly entryAtMs: number | null;
  /** A callback of the runtime's (a timer, an answer to a call): journal it as `input` and take it. */
  take(input: CoordinatorInput): unknown;
  /** The coordinator did something (sent to, or asked the runtime about, `target`). */
  effect(kind: EffectKind, target: number, what: string): void;
  /** In a replay, right after an effect: take the nested entries the runtime's call made at that point. */
  afterEffect(): void;
}
