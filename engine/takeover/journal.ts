// The coordinator's journal: every input the engine's coordinator takes, in the order it
// takes them, with what it needs to take each one again the same way. The coordinator is
// a deterministic state machine over these inputs (the engine draws no randomness and
// reads no clock of its own), so a new leader that feeds a fresh coordinator the journal
// reaches the state the old leader had, protocols under way included, and sends nothing
// the old one had not: coordinatorTakeover.ts.
//
// An input is a reply, a failure detected, a timer of the coordinator's firing, a
// runtime's answer to a call the coordinator made (instances deployed, a VM reserved), a
// scaling asked for, or the creation (with the first plan and the options), the start and
// the stop of the run. Inputs that arrive while
// another is being taken (a runtime that calls back at once) are journaled nested, at the
// depth they were taken, and replayed at the same point of the outer one.

import type { ControlReply } from "../control.js";
import type { ScaleOutOptions } from "../elasticity/scaleOut.js";
import type { FaultToleranceOptions } from "../faultTolerance/options.js";
import type { InstanceSpec, PhysicalPlan } from "../physicalPlan.js";

/** What a coordinator is built from: the run's first plan and protocol options (the journal's first entry). */
export interface CoordinatorSetup {
  readonly plan: PhysicalPlan;
  /** Fault tolerance and scaling; absent: a coordinator that only starts and follows the plan. */
  readonly ft?: { readonly options: FaultToleranceOptions; readonly scaleOut?: ScaleOutOptions };
}

/** One input of the coordinator. */
export type CoordinatorInput =
  | { readonly kind: "create"; readonly setup: CoordinatorSetup }
  | { readonly kind: "start" }
  | { readonly kind: "reply"; readonly reply: ControlReply }
  | { readonly kind: "failed"; readonly ids: readonly number[]; readonly failedAtMs: number }
  | { readonly kind: "timer"; readonly timer: number }
  | { readonly kind: "deployed"; readonly call: number; readonly placed: readonly InstanceSpec[] }
  | { readonly kind: "reserved"; readonly call: number; readonly vm: number }
  | { readonly kind: "scaleOut"; readonly instance: number; readonly factor: number }
  | { readonly kind: "migrate"; readonly instance: number }
  | { readonly kind: "scaleIn"; readonly x: number; readonly y: number }
  | {
      /** The runtime cannot have a VM for the scale out waiting for VMs (its record's index, or -1: any): give it up. */
      readonly kind: "abandon";
      readonly why: string;
      readonly record: number;
    }
  | { readonly kind: "stop" };

/** An input as journaled: when it was taken, how deep, and what the coordinator did. */
export interface JournalEntry {
  /** The run's time when it was taken (every clock reading while taking it gives this). */
  readonly atMs: number;
  /** 0 for an input taken on its own; n + 1 for one taken while one at depth n was. */
  readonly depth: number;
  /** For a nested input: how many effects the outer one had had when it came (it came during the last of them). */
  readonly afterEffect: number;
  readonly input: CoordinatorInput;
  /** The runtime's answers to the coordinator's questions while taking it (is a sink's output ahead?), in order. */
  readonly answers: boolean[];
  /**
   * A hash of what the coordinator did while taking it (each message and call, its target
   * and kind, in order; nested inputs' effects included): a replay that does otherwise has
   * diverged. Null until the input has been taken.
   */
  effects: number | null;
}

/** Where a coordinator journals its inputs: the run's durable record. */
export interface Journal {
  /** The entries so far, in order. */
  readonly entries: readonly JournalEntry[];
  /**
   * Keep `entry` (before the coordinator takes it: a new leader replays what was kept). The
   * entry's `answers` and `effects` are filled in while and after it is taken.
   */
  append(entry: JournalEntry): void;
}

/** A journal that keeps nothing: for a run whose coordinator is never taken over. */
export class NoJournal implements Journal {
  readonly entries: readonly JournalEntry[] = [];
  append(): void {}
}

/** A journal kept in memory (the simulator's record; tests). */
export class MemoryJournal implements Journal {
  readonly entries: JournalEntry[] = [];

  append(entry: JournalEntry): void {
    this.entries.push(entry);
  }
}

/** A replay did not do what the journaled run did: the coordinator is not deterministic, or the journal is not its. */
export class JournalDivergence extends Error {
  constructor(at: number, entry: JournalEntry, why: string) {
    super(
      `coordinator takeover: the replay of journal entry ${at} (${entry.input.kind} at ${entry.atMs} ms) diverged: ${why}`,
    );
    this.name = "JournalDivergence";
  }
}

const FNV_PRIME = 0x01000193;

/** Fold `s` into the 32-bit FNV-1a hash `h`. */
export function foldString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** Fold the integer `n` into the 32-bit FNV-1a hash `h`. */
export function foldInt(h: number, n: number): number {
  return Math.imul(h ^ (n | 0), FNV_PRIME) >>> 0;
}

/** The hash an entry's effects start from. */
export const EFFECTS_SEED = 0x811c9dc5;
