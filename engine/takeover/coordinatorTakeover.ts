// Coordinator takeover: the engine's coordinator runs behind a journal of its inputs, and
// a new leader rebuilds it from that journal and carries on where the old leader stopped,
// protocols under way included (a recovery, a scale out, a checkpoint round). The same
// code runs under both runtimes; each keeps the journal where its record lives (the
// simulator in memory, the real runtime in its durable store) and hands in what the
// coordinator missed while no leader ran.
//
//   live       every input (a reply, a failure, a timer, a runtime's answer to a call, a
//              scaling asked for) is journaled, then taken; what the coordinator does is
//              folded into the entry's effects hash. Inputs the runtime hands in while one
//              is being taken (it called back at once) are journaled nested.
//   crash      the leader is gone: its timers are cancelled and every late callback of the
//              runtime to it is dropped. Instances go on processing; their replies wait.
//   takeover   1. fence: the runtime gives the new leader a higher epoch than any before
//                 (the simulator's count, ZooKeeper's epoch node in the real runtime), and
//                 instances refuse control messages of older epochs.
//              2. replay: a fresh coordinator takes the journal's inputs again, in order,
//                 each nested one at the effect it came at. Nothing reaches the runtime
//                 (the old leader did it); timers are kept with their due times; the
//                 runtime's answers asked during an entry are read from the journal.
//                 A replay whose effects differ from the journaled ones stops with
//                 JournalDivergence: it is never papered over.
//              3. go live: the kept timers are set on the runtime's clock (an overdue one
//                 fires at once); the messages an instance may not have applied (the
//                 runtime tells by their numbers, per instance id) are sent again with
//                 those numbers, so that none is lost and none is applied twice.
//              4. catch up: the runtime hands in what no leader took: the failures its
//                 detector saw meanwhile and the replies the instances kept for a leader.
//              5. the calls the old leader never heard back from (instances to deploy, a
//                 VM to reserve) are made again, after the catch-up: a failure it brings
//                 may fold the recovery that made a call into a later one, and the call
//                 is then given up (its `superseded`), not made twice.
//
// Invariants: an input is journaled before it is taken (write-ahead), so nothing the
// instances saw acted upon is missing from a replay; the coordinator reads no clock but
// its journal clock and asks the runtime nothing but through the journal, so a replay is
// exact; the coordinator state after a takeover is the state a leader that never crashed
// would have had after the same inputs, so the recovery and scaling protocols keep their
// own invariants (exactly-once included) across any number of takeovers.

import type { ControlReply } from "../control.js";
import { Coordinator } from "../coordinator.js";
import type { ScalingTarget } from "../elasticity/elasticityController.js";
import type { ScaleOutRecord } from "../elasticity/scaleOutRecord.js";
import type { ScaleOutHooks } from "../elasticity/scaling.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import {
  type CoordinatorInput,
  type CoordinatorSetup,
  EFFECTS_SEED,
  foldInt,
  foldString,
  type Journal,
  JournalDivergence,
  type JournalEntry,
} from "./journal.js";
import type { EffectKind, JournalDriver, JournalMode } from "./journalDriver.js";
import { JournaledLink } from "./journaledLink.js";

/** The runtime's side of a leader: its link and the hooks it hears (only a live leader calls them). */
export interface CoordinatorRuntime {
  readonly link: ReconfigurationLink;
  readonly scalingBegun?: ScaleOutHooks["begun"];
  readonly scalingEnded?: ScaleOutHooks["ended"];
  /** True while a sink re-makes output that already left (Coordinator's `outputAhead`). */
  readonly outputAhead?: () => boolean;
  /** A VM reserved for a scale out given up (`abandon`) is not needed: the runtime takes it back. */
  readonly unusedVm?: (vm: number) => void;
}

/** The scalings of a journaled coordinator, as the runtime asks for them (each one an input). */
export interface JournaledScalings {
  readonly busy: boolean;
  readonly records: readonly ScaleOutRecord[];
  scaleOut(id: number, factor: number): string | null;
  migrate(id: number): string | null;
  scaleIn(x: number, y: number): string | null;
}

/** The coordinator as a runtime's scalings and threshold policy see it: its state, its scalings journaled. */
export interface JournaledScalingTarget extends ScalingTarget {
  readonly scaling: JournaledScalings | null;
  readonly recovering: boolean;
  readonly replaying: boolean;
}

/** The entry being taken, with what it has done so far. */
interface Frame {
  readonly entry: JournalEntry;
  effectsMade: number;
  answersRead: number;
  hash: number;
}

/** The engine's coordinator behind its journal: one leader's, live, replaying, or crashed. */
export class JournaledCoordinator implements JournalDriver {
  private state: JournalMode;
  private current: Frame | null = null;
  /** In a replay: the next journal entry to take. */
  private replayAt = 0;
  private readonly link: JournaledLink;
  private built: Coordinator | null = null;

  /** A first leader: a fresh coordinator, journaled from its creation. */
  static begin(setup: CoordinatorSetup, runtime: CoordinatorRuntime, journal: Journal): JournaledCoordinator {
    if (journal.entries.length > 0)
      throw new RangeError("coordinator takeover: a first leader needs an empty journal (take over instead)");
    const c = new JournaledCoordinator(runtime, journal, "live");
    c.take({ kind: "create", setup });
    return c;
  }

  /**
   * A new leader: the coordinator rebuilt from `journal` (step 2). It takes no input until
   * the runtime, having made it its leader, calls `goLive`. `unapplied` (a runtime that can
   * tell) says which numbered messages an instance may not have applied: those, to the
   * incarnation still alive, are sent again as it goes live.
   */
  static takeOver(
    runtime: CoordinatorRuntime,
    journal: Journal,
    unapplied?: (instance: number, seq: number) => boolean,
  ): JournaledCoordinator {
    if (journal.entries[0]?.input.kind !== "create")
      throw new RangeError(
        "coordinator takeover: the journal does not begin with the coordinator's creation",
      );
    const c = new JournaledCoordinator(runtime, journal, "replay", unapplied);
    c.replay();
    return c;
  }

  /**
   * Steps 3 to 5: the rebuilt coordinator's timers are set on the runtime's clock and the
   * messages not applied are sent again; `catchUp` hands in what no leader took (failures,
   * replies); then the calls the old leader never heard back from are made again, unless
   * what was caught up gave them up (a recovery folded into a later one).
   */
  goLive(catchUp: () => void = () => {}): void {
    if (this.state !== "replay")
      throw new Error(`coordinator takeover: a ${this.state} coordinator cannot go live`);
    this.state = "live";
    this.link.clock.goLive();
    this.link.resendUnapplied();
    const unanswered = this.link.unansweredCalls();
    catchUp();
    // A VM is reserved only for the scale out under way: once the catch-up gave it up
    // (a failure before its cut), a VM asked for it would only be given back.
    this.link.redoUnanswered(unanswered, this.coordinator.scaling?.busy === true);
  }

  private constructor(
    private readonly runtime: CoordinatorRuntime,
    private readonly journal: Journal,
    mode: JournalMode,
    unapplied?: (instance: number, seq: number) => boolean,
  ) {
    this.state = mode;
    this.link = new JournaledLink(runtime.link, this, unapplied);
  }

  /** The engine's coordinator, for reading its state (its inputs go through the methods here). */
  get coordinator(): Coordinator {
    if (this.built === null) throw new Error("coordinator takeover: the coordinator was never created");
    return this.built;
  }

  /** live, replay (only inside takeOver) or dead. */
  get mode(): JournalMode {
    return this.state;
  }

  get entryAtMs(): number | null {
    return this.current?.entry.atMs ?? null;
  }

  /** Timers set and not fired, and calls not answered (for tests). */
  get outstanding(): { readonly timers: number; readonly calls: number } {
    return { timers: this.link.clock.pending, calls: this.link.unanswered };
  }

  /** Send `start` to every instance and begin the periodic protocol. */
  start(): void {
    this.take({ kind: "start" });
  }

  /** An instance's reply. */
  handleReply(reply: ControlReply): void {
    this.take({ kind: "reply", reply });
  }

  /** Instances failed at `failedAtMs`, detected now. */
  instancesFailed(ids: readonly number[], failedAtMs: number): void {
    this.take({ kind: "failed", ids, failedAtMs });
  }

  /** Split instance `id` `factor` ways; the reason it cannot be, or null. */
  scaleOut(id: number, factor: number): string | null {
    return this.take({ kind: "scaleOut", instance: id, factor }) as string | null;
  }

  /** Move instance `id` to another VM; the reason it cannot be, or null. */
  migrate(id: number): string | null {
    return this.take({ kind: "migrate", instance: id }) as string | null;
  }

  /** Merge instance `y` into `x`; the reason it cannot be, or null. */
  scaleIn(x: number, y: number): string | null {
    return this.take({ kind: "scaleIn", x, y }) as string | null;
  }

  /**
   * The runtime cannot have a VM for the scale out waiting for VMs (`record`'s, when given):
   * give it up, saying `why`; the VMs reserved for it go back (CoordinatorRuntime.unusedVm).
   * False when none (or not that one) was waiting.
   */
  abandon(why: string, record?: ScaleOutRecord): boolean {
    const at = record === undefined ? -1 : (this.coordinator.scaling?.records.indexOf(record) ?? -1);
    if (record !== undefined && at < 0) return false;
    return this.take({ kind: "abandon", why, record: at }) as boolean;
  }

  /** The run is over: no more checkpoints. */
  stop(): void {
    this.take({ kind: "stop" });
  }

  /** The leader crashed: none of its timers fires, no answer reaches it, it takes no more input. */
  crash(): void {
    this.state = "dead";
    this.link.clock.stop();
  }

  /** What the threshold policy's controller acts on: this leader's plan and scalings, journaled. */
  get controllerTarget(): JournaledScalingTarget {
    const self = this;
    return {
      get plan() {
        return self.coordinator.plan;
      },
      get recovering() {
        return self.coordinator.recovering;
      },
      get replaying() {
        return self.coordinator.replaying;
      },
      get scaling() {
        const s = self.coordinator.scaling;
        return s === null
          ? null
          : {
              get busy() {
                return s.busy;
              },
              get records() {
                return s.records;
              },
              scaleOut: (id: number, factor: number) => self.scaleOut(id, factor),
              migrate: (id: number) => self.migrate(id),
              scaleIn: (x: number, y: number) => self.scaleIn(x, y),
            };
      },
    };
  }

  /** Journal `input`, then take it; what it gives (a scaling's refusal, an abandon's success). */
  take(input: CoordinatorInput): unknown {
    if (this.state !== "live")
      throw new Error(
        `coordinator takeover: a ${this.state} coordinator was handed an input (${input.kind})`,
      );
    const outer = this.current;
    const entry: JournalEntry = {
      atMs: outer?.entry.atMs ?? this.link.clock.runtimeNowMs(),
      depth: outer === null ? 0 : outer.entry.depth + 1,
      afterEffect: outer?.effectsMade ?? 0,
      input,
      answers: [],
      effects: null,
    };
    this.journal.append(entry);
    return this.within(entry);
  }

  effect(kind: EffectKind, target: number, what: string): void {
    const frame = this.current;
    if (frame === null)
      throw new Error(`coordinator takeover: the coordinator acted outside an input (${what})`);
    frame.effectsMade++;
    frame.hash = foldString(foldInt(foldInt(frame.hash, kind), target), what);
  }

  afterEffect(): void {
    const frame = this.current;
    if (frame === null || this.state !== "replay") return;
    const entries = this.journal.entries;
    for (;;) {
      const next = entries[this.replayAt];
      if (
        next === undefined ||
        next.depth !== frame.entry.depth + 1 ||
        next.afterEffect !== frame.effectsMade
      )
        return;
      this.replayAt++;
      this.within(next);
    }
  }

  /** Take `entry`'s input with `entry` as the frame; check (replay) or record (live) its effects. */
  private within(entry: JournalEntry): unknown {
    const outer = this.current;
    const frame: Frame = { entry, effectsMade: 0, answersRead: 0, hash: EFFECTS_SEED };
    this.current = frame;
    let result: unknown;
    try {
      result = this.apply(entry.input);
    } finally {
      this.current = outer;
    }
    if (this.state === "replay") {
      if (entry.effects !== null && entry.effects !== frame.hash)
        throw new JournalDivergence(this.journal.entries.indexOf(entry), entry, "its effects differ");
      if (frame.answersRead !== entry.answers.length)
        throw new JournalDivergence(this.journal.entries.indexOf(entry), entry, "it asked the runtime less");
    } else entry.effects = frame.hash;
    if (outer !== null) outer.hash = foldInt(outer.hash, frame.hash);
    return result;
  }

  /** Step 2: take every journaled input again. */
  private replay(): void {
    const entries = this.journal.entries;
    while (this.replayAt < entries.length) {
      const at = this.replayAt++;
      const entry = entries[at];
      if (entry.depth !== 0)
        throw new JournalDivergence(at, entry, "nothing in the replay made this nested input");
      this.within(entry);
    }
  }

  /** Take an input (live or in a replay): what the coordinator, its clock or its link does with it. */
  private apply(input: CoordinatorInput): unknown {
    switch (input.kind) {
      case "create":
        this.create(input.setup);
        return;
      case "start":
        this.coordinator.start();
        return;
      case "reply":
        this.coordinator.handleReply(input.reply);
        return;
      case "failed":
        this.coordinator.instancesFailed(input.ids, input.failedAtMs);
        return;
      case "timer":
        if (!this.link.clock.run(input.timer)) throw this.missing(`timer ${input.timer}`);
        return;
      case "deployed":
        if (!this.link.deployed(input.call, input.placed)) throw this.missing(`redeploy call ${input.call}`);
        return;
      case "reserved":
        if (!this.link.reserved(input.call, input.vm)) throw this.missing(`reserve call ${input.call}`);
        return;
      case "scaleOut":
        return this.scaling().scaleOut(input.instance, input.factor);
      case "migrate":
        return this.scaling().migrate(input.instance);
      case "scaleIn":
        return this.scaling().scaleIn(input.x, input.y);
      case "abandon":
        return this.abandonScaling(input.why, input.record);
      case "stop":
        this.coordinator.faultTolerance?.stop();
        return;
    }
  }

  /** The input being taken names a timer or call that is not there: a replay that diverged. */
  private missing(what: string): JournalDivergence {
    const entry = this.current!.entry;
    return new JournalDivergence(this.journal.entries.indexOf(entry), entry, `${what} is not there`);
  }

  private abandonScaling(why: string, at: number): boolean {
    const s = this.scaling();
    const record = at < 0 ? undefined : s.records[at];
    // The VMs go back through the runtime only when live: in a replay the old leader gave them back.
    return s.abandon(why, (vm) => this.giveBack(vm), record);
  }

  private giveBack(vm: number): void {
    if (this.state === "live") this.runtime.unusedVm?.(vm);
  }

  private create(setup: CoordinatorSetup): void {
    const { plan, ft } = setup;
    const rt = this.runtime;
    const live = () => this.state === "live";
    this.built = new Coordinator(
      plan,
      this.link,
      ft === undefined
        ? undefined
        : {
            options: ft.options,
            link: this.link,
            scaleOut: ft.scaleOut,
            scalingBegun: (record, spec, upstreams) => {
              if (live()) rt.scalingBegun?.(record, spec, upstreams);
            },
            scalingEnded: (record) => {
              if (live()) rt.scalingEnded?.(record);
            },
            outputAhead: () => this.answer(() => rt.outputAhead?.() ?? false),
          },
    );
  }

  /** The runtime's answer to a question: asked and journaled live, read from the journal in a replay. */
  private answer(ask: () => boolean): boolean {
    const frame = this.current;
    if (frame === null) return ask(); // read from outside an input: nothing depends on it
    if (this.state === "replay") {
      const a = frame.entry.answers[frame.answersRead++];
      if (a === undefined)
        throw new JournalDivergence(
          this.journal.entries.indexOf(frame.entry),
          frame.entry,
          "it asked the runtime more",
        );
      return a;
    }
    const a = ask();
    frame.entry.answers.push(a);
    return a;
  }

  private scaling() {
    const s = this.coordinator.scaling;
    if (s === null) throw new Error("coordinator takeover: this run's coordinator cannot scale");
    return s;
  }
}
