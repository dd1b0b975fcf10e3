// Write-ahead for a real coordinator: what the coordinator does in answer to an input (a
// control message, a deploy, a VM asked for) reaches the workers only once that input is
// in the durable journal. A new leader replays the journal; had an effect gone out for an
// input the journal lost, the workers would have seen something no replay makes again.
//
// The journal's length tags each effect as it is made (the entry being taken is the last
// one appended), and `durable(n)` lets go, in the order they were made, the effects of the
// first n entries. Inputs go on being taken while a write is under way (group commit: the
// next write takes every entry appended meanwhile); only their effects wait. Effects made
// outside any input (the calls a new leader makes again as it goes live) wait for nothing
// not yet durable.

import type { ReconfigurationLink } from "../../engine/index.js";

/** Effects held until the journal entries they answer are durable. */
export class EffectGate {
  private readonly held: { readonly tag: number; readonly effect: () => void }[] = [];
  private durableEntries = 0;
  private releasing = false;

  /** `journalLength()` is the number of entries appended so far (durable or not). */
  constructor(private readonly journalLength: () => number) {}

  /** Run `effect` once the entries appended so far are durable (at once if they are and nothing waits). */
  hold(effect: () => void): void {
    const tag = this.journalLength();
    if (this.held.length === 0 && tag <= this.durableEntries) {
      effect();
      return;
    }
    this.held.push({ tag, effect });
  }

  /** The first `entries` entries are durable: their effects go, in order. */
  durable(entries: number): void {
    if (entries < this.durableEntries)
      throw new RangeError(
        `effect gate: durable entries went back from ${this.durableEntries} to ${entries}`,
      );
    this.durableEntries = entries;
    if (this.releasing) return; // an effect that appended and flushed at once: the loop below goes on
    this.releasing = true;
    try {
      while (this.held.length > 0 && this.held[0].tag <= this.durableEntries) this.held.shift()!.effect();
    } finally {
      this.releasing = false;
    }
  }

  /** Effects waiting. */
  get waiting(): number {
    return this.held.length;
  }
}

/** `link` with its effects (messages, deploys, VMs asked for and given back) held by `gate`. */
export function gatedLink(link: ReconfigurationLink, gate: EffectGate): ReconfigurationLink {
  const { reserve, unreserve, discard } = link;
  return {
    clock: link.clock,
    redeploysRetired: link.redeploysRetired,
    partition: link.partition?.bind(link),
    sendControl: (instance, message, seq) => gate.hold(() => link.sendControl(instance, message, seq)),
    redeploy: (specs, newVm, onDeployed, superseded) =>
      gate.hold(() => link.redeploy(specs, newVm, onDeployed, superseded)),
    reserve:
      reserve === undefined
        ? undefined
        : (onReady, forMigration) => gate.hold(() => reserve.call(link, onReady, forMigration)),
    unreserve: unreserve === undefined ? undefined : (vm) => gate.hold(() => unreserve.call(link, vm)),
    discard: discard === undefined ? undefined : (ids) => gate.hold(() => discard.call(link, ids)),
  };
}
