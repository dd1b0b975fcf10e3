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

/** Maintenance messages a live instance serves without changing state. */
const SERVING: readonly ControlType[] = [
  "checkpoint",
  "backup",
  "ack",
  "replay",
  "replayKept",
  "mark",
  "reroute",
  "checkpointWhenReceived",
  "addSender",
  "reportCut",
  "reopenChannel",
  "replaceSender",
  "suppressOutput",
  "shadow",
  "catchUp",
  "shed",
  "restoreBackup",
  "snapshot",
  "marker",
];

/** A row that serves maintenance messages in `state`, can stop, and has some `extra` moves. */
function stay(state: LifecycleState, extra: Transitions = {}): Transitions {
  const row: Transitions = { stop: "stopped" };
  for (const m of SERVING) row[m] = state;
  return { ...row, ...extra };
}

/** state -> message -> next state; a message missing from a state's row is refused. */
export const LIFECYCLE: Readonly<Record<LifecycleState, Transitions>> = {
  created: {
    start: "running",
    restore: "restored",
    rewind: "restored",
    rebuild: "restored",
    addSender: "created",
    // An ack for a fresh incarnation trims nothing (its buffers come with its restore).
    ack: "created",
    backup: "created",
    reroute: "created",
    replay: "created",
    replayKept: "created",
    restoreBackup: "created",
    marker: "created",
    stop: "stopped",
  },
  restored: {
    start: "running",
    backup: "restored",
    reroute: "restored",
    ack: "restored",
    replay: "restored",
    replayKept: "restored",
    addSender: "restored",
    catchUp: "restored",
    suppressOutput: "restored",
    restoreBackup: "restored",
    marker: "restored",
    // A lingering instance redeployed after its VM failed retires straight from its restore.
    retire: "stopped",
    stop: "stopped",
  },
  running: stay("running", { pause: "paused", resume: "running", retire: "stopped" }),
  paused: stay("paused", { resume: "running", pause: "paused", retire: "stopped" }),
  finished: stay("finished", { pause: "finished", resume: "finished", retire: "stopped" }),
  // A retired instance may still hear what its receivers processed (acks in flight).
  stopped: { ack: "stopped" },
};

/** The state after `message` in `state`, or undefined when the message is refused. */
export function nextState(state: LifecycleState, message: ControlType): LifecycleState | undefined {
  return LIFECYCLE[state][message];
}
