// The coordinator's process in the simulator. The engine's coordinator runs behind its
// journal (engine/takeover/): the journal is the run's record, kept in memory. A
// coordinator crash kills the leader: its timers never fire and the runtime's late answers
// to it are dropped, while the instances go on processing. Replies that reach the
// coordinator while no leader runs are kept (the instances keep them for a leader, as
// real workers do), and so are the failures the detector would have reported. After
// `coordinatorTakeoverMs` (a standby winning the election and reading the record) a new
// leader rebuilds the coordinator from the journal, then takes what it missed: failures
// first, then the replies, in the order they came. A crash while no leader runs changes
// nothing. Runs without coordinator crashes keep no journal (a journal of every
// checkpoint is costly), so they pay only the journaling's bookkeeping.

import {
  type ControlReply,
  type Coordinator,
  type CoordinatorRuntime,
  type CoordinatorSetup,
  type Journal,
  JournaledCoordinator,
  MemoryJournal,
  NoJournal,
  type ScalingTarget,
} from "../engine/index.js";
import type { Environment } from "./kernel.js";

/** One takeover: when the leader crashed, when the new one was live, and the journal it replayed. */
export interface TakeoverRecord {
  readonly crashedAtMs: number;
  readonly tookOverAtMs: number;
  readonly entriesReplayed: number;
}

/** The simulated coordinator process: its leader, its record, its crashes and takeovers. */
export class CoordinatorProcess {
  readonly takeovers: TakeoverRecord[] = [];
  /** Crashes of leaders so far: the runtime's answers to a call of an earlier leader's find it gone. */
  generation = 0;
  private leader: JournaledCoordinator;
  /** The run's record: every input of the coordinator (kept only when it can crash). */
  readonly journal: Journal;
  private downSinceMs: number | null = null;
  private readonly heldReplies: ControlReply[] = [];
  private readonly heldFailures: { readonly ids: readonly number[]; readonly failedAtMs: number }[] = [];

  constructor(
    private readonly env: Environment,
    setup: CoordinatorSetup,
    private readonly runtime: CoordinatorRuntime,
    /** True when the run's faults can crash the coordinator: the journal is kept. */
    crashes: boolean,
    /** A new leader took over (after its catch-up); `crashed` is the crashed leader's coordinator. */
    private readonly onTakeover: (record: TakeoverRecord, crashed: Coordinator) => void = () => {},
  ) {
    this.journal = crashes ? new MemoryJournal() : new NoJournal();
    this.leader = JournaledCoordinator.begin(setup, runtime, this.journal);
  }

  /** The engine's coordinator (the crashed leader's while none runs: its state as it was). */
  get coordinator(): Coordinator {
    return this.leader.coordinator;
  }

  /** True while no leader runs. */
  get down(): boolean {
    return this.downSinceMs !== null;
  }

  /** What the threshold policy's controller acts on: always the leader of the moment. */
  readonly controllerTarget: ScalingTarget = (() => {
    const self = this;
    return {
      get plan() {
        return self.leader.coordinator.plan;
      },
      get recovering() {
        return self.leader.coordinator.recovering;
      },
      get replaying() {
        return self.leader.coordinator.replaying;
      },
      get scaling() {
        return self.leader.controllerTarget.scaling;
      },
    };
  })();

  /** Start the run. */
  start(): void {
    this.leader.start();
  }

  /** A reply reaches the coordinator: taken, or kept until a leader runs. */
  handleReply(reply: ControlReply): void {
    if (this.down) this.heldReplies.push(reply);
    else this.leader.handleReply(reply);
  }

  /** The detector saw instances fail: reported, or kept until a leader runs. */
  instancesFailed(ids: readonly number[], failedAtMs: number): void {
    if (this.down) this.heldFailures.push({ ids, failedAtMs });
    else this.leader.instancesFailed(ids, failedAtMs);
  }

  /** Split `id` (or move it, `factor` 1); the reason it cannot be, or null. Only while a leader runs. */
  scaleOut(id: number, factor: number): string | null {
    return factor === 1 ? this.live().migrate(id) : this.live().scaleOut(id, factor);
  }

  /** Merge `y` into `x`; the reason it cannot be, or null. Only while a leader runs. */
  scaleIn(x: number, y: number): string | null {
    return this.live().scaleIn(x, y);
  }

  /** The leader crashes now; a new one takes over `takeoverMs` later. False when none was running. */
  crash(takeoverMs: number): boolean {
    if (this.down) return false;
    this.leader.crash();
    this.generation++;
    const crashedAtMs = this.env.nowMs();
    this.downSinceMs = crashedAtMs;
    this.env.schedule(takeoverMs, () => this.takeOver(crashedAtMs));
    return true;
  }

  private takeOver(crashedAtMs: number): void {
    const entriesReplayed = this.journal.entries.length;
    const crashed = this.leader.coordinator;
    const leader = JournaledCoordinator.takeOver(this.runtime, this.journal);
    this.leader = leader;
    this.downSinceMs = null;
    leader.goLive(() => {
      for (const f of this.heldFailures.splice(0)) leader.instancesFailed(f.ids, f.failedAtMs);
      for (const r of this.heldReplies.splice(0)) leader.handleReply(r);
    });
    const record = { crashedAtMs, tookOverAtMs: this.env.nowMs(), entriesReplayed };
    this.takeovers.push(record);
    this.onTakeover(record, crashed);
  }

  private live(): JournaledCoordinator {
    if (this.down) throw new Error("the simulated coordinator was asked to scale while no leader runs");
    return this.leader;
  }
}
