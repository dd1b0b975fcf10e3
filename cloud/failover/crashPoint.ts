// Fault injection for coordinator failover: a leader that SIGKILLs itself at a chosen point
// of the protocol, so that tests and benchmarks can crash it there and not only at a time
// (the simulator's reconfigurationCoordinatorCrash, for real). The point is the nth journal
// entry of an input kind (engine/takeover/journal.ts: `timer` begins a checkpoint round,
// `failed` a recovery, `scaleOut` a scale out) once it is durable and its effects have gone
// out, then `delayMs` more. `SEEP_HA_CRASH_AFTER=<kind>:<n>[+<ms>]` sets it for `seep run
// --ha` and `seep coordinator`; nothing else reads it.

import type { CoordinatorInput, JournalEntry } from "../../engine/index.js";

/** The environment variable naming a crash point. */
export const CRASH_AFTER_ENV = "SEEP_HA_CRASH_AFTER";

/** Where a leader crashes: after the `nth` entry of `kind` is durable, `delayMs` later. */
export interface CrashPoint {
  readonly kind: CoordinatorInput["kind"];
  readonly nth: number;
  readonly delayMs: number;
}

const KINDS: readonly CoordinatorInput["kind"][] = [
  "create",
  "start",
  "reply",
  "failed",
  "timer",
  "deployed",
  "reserved",
  "scaleOut",
  "migrate",
  "scaleIn",
  "abandon",
  "stop",
];

/** The crash point `text` (`<kind>:<n>[+<ms>]`) names; a RangeError in one line when it names none. */
export function parseCrashPoint(text: string): CrashPoint {
  const m = /^([A-Za-z]+):(\d+)(?:\+(\d+))?$/.exec(text.trim());
  const kind = m?.[1] as CoordinatorInput["kind"] | undefined;
  if (m === null || kind === undefined || !KINDS.includes(kind) || Number(m[2]) < 1)
    throw new RangeError(
      `${CRASH_AFTER_ENV}: '${text}' is not <kind>:<n>[+<ms>] with kind one of ${KINDS.join(", ")} and n >= 1`,
    );
  return { kind, nth: Number(m[2]), delayMs: Number(m[3] ?? 0) };
}

/** The crash point in the environment, or undefined. */
export function crashPointFromEnv(env: NodeJS.ProcessEnv = process.env): CrashPoint | undefined {
  const text = env[CRASH_AFTER_ENV];
  return text === undefined || text.trim() === "" ? undefined : parseCrashPoint(text);
}

/** Watches the journal's durable entries and SIGKILLs this process at its point. */
export class CrashWatch {
  private seen = 0;
  private armed = false;

  constructor(
    private readonly point: CrashPoint,
    private readonly die: () => void = () => process.kill(process.pid, "SIGKILL"),
  ) {}

  /** Entries `from` to `to` (excluded) of `entries` are durable, and their effects gone out. */
  durable(entries: readonly JournalEntry[], from: number, to: number): void {
    if (this.armed) return;
    for (let i = from; i < to; i++) {
      if (entries[i]?.input.kind !== this.point.kind || ++this.seen < this.point.nth) continue;
      this.armed = true;
      if (this.point.delayMs === 0) this.die();
      else setTimeout(this.die, this.point.delayMs);
      return;
    }
  }
}
