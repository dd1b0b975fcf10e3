// The protocols of one instance, put together: which protocol owns each control message
// type (the dispatch table that replaces a switch over every type), and which protocols
// hear each of the instance's events, in the order they hear it. The orders are part of
// the behaviour (the replies and batches they send go out in that order), so they are
// written out here, not derived.

import type { ControlType } from "../control.js";
import { BackupHolding } from "./backupHolding.js";
import { BufferState } from "./bufferState.js";
import { Checkpointing } from "./checkpointing.js";
import { GapAsks } from "./gapAsks.js";
import { HandOver } from "./handOver.js";
import { LifecycleSteps } from "./lifecycleSteps.js";
import { LoadShedding } from "./loadShedding.js";
import { OutputCuts } from "./outputCuts.js";
import type { InstanceController, InstanceProtocol } from "./protocol.js";
import { Rebuild } from "./rebuild.js";
import { Restore } from "./restore.js";
import { RoutingState } from "./routingState.js";
import { SnapshotAlignment } from "./snapshotAlignment.js";

/** The events of `InstanceProtocol` (its optional methods). */
export type InstanceEvent = Exclude<keyof InstanceProtocol, "messages">;

/** The protocols that hear event `E`. */
export type Listeners<E extends InstanceEvent> = readonly (InstanceProtocol &
  Required<Pick<InstanceProtocol, E>>)[];

/** A protocol that owns control messages. */
type Owner = Listeners<"handle">[number];

/** The protocols of one instance, by message type and by event. */
export class ProtocolTable {
  readonly checkpointing: Checkpointing;
  readonly backupHolding: BackupHolding;
  readonly gapAsks: GapAsks;
  /** Every protocol. */
  readonly all: readonly InstanceProtocol[];
  // Who hears each event, in order.
  readonly defers: Listeners<"defers">;
  readonly starting: Listeners<"starting">;
  readonly started: Listeners<"started">;
  readonly restored: Listeners<"restored">;
  readonly admits: Listeners<"admits">;
  readonly accepted: Listeners<"accepted">;
  readonly delivering: Listeners<"delivering">;
  readonly progressing: Listeners<"progressing">;
  readonly progressed: Listeners<"progressed">;
  readonly mutes: Listeners<"mutes">;
  /** Control message type -> the protocol that owns it. */
  private readonly owners = new Map<ControlType, Owner>();

  /** The protocols acting on the instance behind `ctl`. */
  constructor(ctl: InstanceController) {
    const checkpointing = new Checkpointing(ctl);
    const backupHolding = new BackupHolding(ctl);
    const gapAsks = new GapAsks(ctl);
    const restore = new Restore(ctl, gapAsks);
    const rebuild = new Rebuild(ctl);
    const buffers = new BufferState(ctl);
    const snapshots = new SnapshotAlignment(ctl, (id) => checkpointing.begin(id));
    const handOver = new HandOver(ctl);
    const cuts = new OutputCuts(ctl);
    const lifecycle = new LifecycleSteps(ctl);
    const shedding = new LoadShedding(ctl);
    const routing = new RoutingState(ctl);
    this.checkpointing = checkpointing;
    this.backupHolding = backupHolding;
    this.gapAsks = gapAsks;
    this.all = [
      lifecycle,
      shedding,
      routing,
      checkpointing,
      backupHolding,
      restore,
      buffers,
      rebuild,
      snapshots,
      handOver,
      cuts,
      gapAsks,
    ];
    for (const p of this.all) for (const type of p.messages) this.own(type, p);
    this.defers = [rebuild];
    this.starting = [rebuild, restore];
    this.started = [rebuild, handOver, snapshots];
    this.restored = [snapshots];
    this.admits = [cuts];
    this.accepted = [cuts, gapAsks];
    this.delivering = [rebuild];
    this.progressing = [rebuild];
    this.progressed = [snapshots, checkpointing, handOver];
    this.mutes = [rebuild, handOver];
  }

  private own(type: ControlType, p: InstanceProtocol): void {
    if (this.owners.has(type)) throw new Error(`control message "${type}" has two owners`);
    if (p.handle === undefined) throw new Error(`the owner of "${type}" cannot handle it`);
    this.owners.set(type, p as Owner);
  }

  /** The protocol that owns control messages of `type`. */
  ownerOf(type: ControlType): Owner {
    const p = this.owners.get(type);
    if (p === undefined) throw new Error(`no protocol owns control message "${type}"`);
    return p;
  }
}
