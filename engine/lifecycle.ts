// The per-instance state machine: which control messages an instance accepts in each of
// its states and where each takes it. A table, not code paths, so that the protocol can
// be read (and tested) in one place.

import type { ControlType } from "./control.js";

/** States of an instance. */
export type LifecycleState =
  | "created" // deployed, waiting for start or restore
  | "restored" // state installed from a checkpoint, waiting for start
  | "running" // processing input, sending output
  | "paused" // processing input, holding output in its buffers
  | "finished" // every input ended; still serves acks, backups and replays
  | "stopped"; // gone

type Transitions = Partial<Record<ControlType, LifecycleState>>;

/** Maintenance messages that keep the state where it is. */
const SERVING: Transitions = {
  checkpoint: undefined,
  backup: undefined,
  ack: undefined,
  replay: undefined,
  reroute: undefined,
};

function stay(state: LifecycleState, extra: Transitions = {}): Transitions {
  const t: Transitions = { stop: "stopped", ...extra };
  for (const k of Object.keys(SERVING) as ControlType[]) t[k] = state;
  return { ...t, ...extra };
}

/** state -> message -> next state; a message missing from a state's row is refused. */
export const LIFECYCLE: Readonly<Record<LifecycleState, Transitions>> = {
  created: { start: "running", restore: "restored", backup: "created", reroute: "created", stop: "stopped" },
  restored: { start: "running", backup: "restored", reroute: "restored", ack: "restored", stop: "stopped" },
  running: stay("running", { pause: "paused", resume: "running" }),
  paused: stay("paused", { resume: "running", pause: "paused" }),
  finished: stay("finished", { pause: "finished", resume: "finished" }),
  stopped: {},
};

/** The state after `message` in `state`, or undefined when the message is refused. */
export function nextState(state: LifecycleState, message: ControlType): LifecycleState | undefined {
  return LIFECYCLE[state][message];
}
