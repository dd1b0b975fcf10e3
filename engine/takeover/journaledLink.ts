// The runtime link as a journaled coordinator sees it. Live, every message and call goes
// through to the runtime and is folded into the entry's effects; a runtime's answer to a
// call (instances deployed, a VM reserved) is an input, journaled under the call's number
// (calls are numbered in the order the coordinator makes them, so a replay names them the
// same way). In a replay nothing goes through: the old leader did it. Calls left without
// an answer when the replay ends are made again once the new leader is live (the old
// leader's answer died with it); `partition` is a pure function and is always computed.
//
// Messages are numbered per instance id (from 1 over the run: the same numbers in a
// replay), and the number goes to the runtime with the message. A new leader that can tell
// which numbers the instances applied (the real runtime asks its workers) keeps, while it
// replays, the messages not applied, to the incarnation still alive (a later deploy of the
// instance voids those sent before it), and sends them again as it goes live: a message the
// old leader made but never got out is not lost, and one it got out is not applied twice.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage } from "../control.js";
import type { KeyGroupRange } from "../keyGroups.js";
import type { InstanceSpec } from "../physicalPlan.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { JournalClock } from "./journalClock.js";
import { Effect, type EffectKind, type JournalDriver } from "./journalDriver.js";

/** A call of the coordinator's still waiting for the runtime's answer. */
type PendingCall =
  | {
      readonly kind: "redeploy";
      readonly specs: readonly InstanceSpec[];
      readonly newVm: boolean;
      readonly onDeployed: (placed: readonly InstanceSpec[]) => void;
      readonly superseded?: () => boolean;
    }
  | { readonly kind: "reserve"; readonly forMigration: boolean; readonly onReady: (vm: number) => void };

/** A ReconfigurationLink whose effects are journaled (and dropped in a replay). */
export class JournaledLink implements ReconfigurationLink {
  readonly clock: JournalClock;
  readonly redeploysRetired?: boolean;
  readonly reserve?: (onReady: (vm: number) => void, forMigration: boolean) => void;
  readonly unreserve?: (vm: number) => void;
  readonly discard?: (ids: readonly number[]) => void;
  readonly partition?: (cp: Checkpoint, ranges: readonly KeyGroupRange[]) => Checkpoint[] | null;
  private nextCall = 1;
  private readonly calls = new Map<number, PendingCall>();
  /** The number of the last message sent to each instance id. */
  private readonly sent = new Map<number, number>();
  /** In a replay: messages not applied by their instance, to send again (unapplied given). */
  private readonly kept: {
    readonly instance: number;
    readonly seq: number;
    readonly message: ControlMessage;
  }[] = [];

  constructor(
    private readonly link: ReconfigurationLink,
    private readonly driver: JournalDriver,
    /** In a replay: true when instance `instance` may not have applied message `seq` (kept, sent again live). */
    private readonly unapplied?: (instance: number, seq: number) => boolean,
  ) {
    this.clock = new JournalClock(link.clock, driver);
    this.redeploysRetired = link.redeploysRetired;
    const { reserve, unreserve, discard, partition } = link;
    if (reserve !== undefined)
      this.reserve = (onReady, forMigration) => {
        const n = this.nextCall++;
        this.calls.set(n, { kind: "reserve", forMigration, onReady });
        if (this.made(Effect.Reserve, forMigration ? 1 : 0, "reserve")) this.reserveLive(n, forMigration);
      };
    if (unreserve !== undefined)
      this.unreserve = (vm) => {
        if (this.made(Effect.Unreserve, vm, "unreserve")) unreserve.call(link, vm);
      };
    if (discard !== undefined)
      this.discard = (ids) => {
        if (this.made(Effect.Discard, ids.length === 0 ? -1 : ids[0], `discard ${ids.join(",")}`))
          discard.call(link, ids);
      };
    if (partition !== undefined) this.partition = (cp, ranges) => partition.call(link, cp, ranges);
  }

  sendControl(instance: number, message: ControlMessage): void {
    const seq = (this.sent.get(instance) ?? 0) + 1;
    this.sent.set(instance, seq);
    if (this.driver.mode === "replay" && this.unapplied?.(instance, seq) === true)
      this.kept.push({ instance, seq, message });
    if (this.made(Effect.Send, instance, message.type)) this.link.sendControl(instance, message, seq);
  }

  redeploy(
    specs: readonly InstanceSpec[],
    newVm: boolean,
    onDeployed: (placed: readonly InstanceSpec[]) => void,
    superseded?: () => boolean,
  ): void {
    const n = this.nextCall++;
    this.calls.set(n, { kind: "redeploy", specs, newVm, onDeployed, superseded });
    const what = `redeploy ${specs.map((s) => s.id).join(",")}${newVm ? " new" : ""}`;
    if (this.made(Effect.Redeploy, specs.length === 0 ? -1 : specs[0].id, what)) this.redeployLive(n);
  }

  /** The runtime deployed call `n`'s instances: false when there is no such call waiting. */
  deployed(n: number, placed: readonly InstanceSpec[]): boolean {
    const call = this.calls.get(n);
    if (call?.kind !== "redeploy") return false;
    this.calls.delete(n);
    // Messages kept for the instances' earlier incarnations are void.
    if (this.kept.length > 0) {
      const fresh = new Set(placed.map((s) => s.id));
      for (let i = this.kept.length - 1; i >= 0; i--)
        if (fresh.has(this.kept[i].instance)) this.kept.splice(i, 1);
    }
    call.onDeployed(placed);
    return true;
  }

  /** The runtime reserved `vm` for call `n`: false when there is no such call waiting. */
  reserved(n: number, vm: number): boolean {
    const call = this.calls.get(n);
    if (call?.kind !== "reserve") return false;
    this.calls.delete(n);
    call.onReady(vm);
    return true;
  }

  /** After a replay: send again, in their order, with their numbers, the messages kept as maybe not applied. */
  resendUnapplied(): number {
    const kept = this.kept.splice(0);
    for (const k of kept) this.link.sendControl(k.instance, k.message, k.seq);
    return kept.length;
  }

  /** The numbers of the calls waiting for an answer now, in order. */
  unansweredCalls(): number[] {
    return [...this.calls.keys()];
  }

  /**
   * After a replay: make again, in their order, the calls the old leader never heard back
   * from (`ns`, taken as the replay ended: calls made since are the new leader's own), those
   * still waiting; a VM reservation only if `reservesWanted` (a scale out is still under way),
   * else it is dropped.
   */
  redoUnanswered(ns: readonly number[], reservesWanted: boolean): void {
    for (const n of ns) {
      const call = this.calls.get(n);
      if (call === undefined) continue;
      if (call.kind === "reserve" && !reservesWanted) {
        this.calls.delete(n); // its scale out was given up: nothing waits for the VM
        continue;
      }
      if (call.kind === "redeploy") this.redeployLive(n);
      else this.reserveLive(n, call.forMigration);
    }
  }

  /** Calls waiting for the runtime's answer. */
  get unanswered(): number {
    return this.calls.size;
  }

  /** Fold an effect in; true when it is to reach the runtime (live), else take what a replay nests after it. */
  private made(kind: EffectKind, target: number, what: string): boolean {
    this.driver.effect(kind, target, what);
    if (this.driver.mode === "live") return true;
    this.driver.afterEffect();
    return false;
  }

  private redeployLive(n: number): void {
    const call = this.calls.get(n);
    if (call?.kind !== "redeploy") return;
    this.link.redeploy(
      call.specs,
      call.newVm,
      (placed) => {
        if (this.driver.mode === "live" && this.calls.has(n))
          this.driver.take({ kind: "deployed", call: n, placed });
      },
      call.superseded,
    );
  }

  private reserveLive(n: number, forMigration: boolean): void {
    this.link.reserve?.((vm) => {
      if (this.driver.mode === "live" && this.calls.has(n))
        this.driver.take({ kind: "reserved", call: n, vm });
    }, forMigration);
  }
}
