// The shape of every coordinator-side protocol: a machine that is in one step at a time.
// A step sends its messages when entered and takes the replies it waits for; when it has
// them all it enters the next step. As in Flink's barrier handler states, each step is a
// small class with a narrow interface, so a protocol reads as its list of steps, and a
// reply that no step of any protocol under way waits for is left to the others.
//
// Invariant: the machine is in its new step before that step sends anything, so a step
// that moves on at once (it has nothing to wait for) leaves the machine in the step after.

import type { ControlReply } from "../control.js";

/** One step of a protocol. */
export interface Step {
  /** The step's name (for messages and tests). */
  readonly name: string;
  /** The step begins: send its messages (and move on at once if it waits for nothing). */
  enter(): void;
  /** Take in a reply; true when it was this step's (nobody else is to see it). */
  reply(reply: ControlReply): boolean;
  /** Instances `ids` failed: a step waiting for their replies stops waiting for them. */
  lost?(ids: ReadonlySet<number>): void;
}

/** A step that waits for no reply: a callback (a deployment, a VM) moves the machine on. */
export abstract class QuietStep implements Step {
  abstract readonly name: string;
  abstract enter(): void;
  reply(_reply: ControlReply): boolean {
    return false;
  }
}

/** A step that acts once on entry (a deployment, a merge) and waits for no reply. */
export class Acting extends QuietStep {
  constructor(
    readonly name: string,
    private readonly act: () => void,
  ) {
    super();
  }

  enter(): void {
    this.act();
  }
}

/** Runs one protocol's steps in turn. */
export class StepMachine {
  private current: Step | null = null;
  /** Instances failed while the protocol runs: no step waits for them. */
  private readonly dead = new Set<number>();

  /** The step the protocol is in (null: not begun, or over). */
  get step(): Step | null {
    return this.current;
  }

  /** Enter `next` (null: the protocol is over). */
  go(next: Step | null): void {
    this.current = next;
    next?.enter();
    if (next !== null && this.current === next && this.dead.size > 0) next.lost?.(this.dead);
  }

  /** Instances failed: the step under way, and every later one, stops waiting for them. */
  lost(ids: ReadonlySet<number>): void {
    for (const id of ids) this.dead.add(id);
    this.current?.lost?.(ids);
  }

  /** Hand a reply to the step under way; true when it was that step's. */
  handleReply(reply: ControlReply): boolean {
    return this.current?.reply(reply) ?? false;
  }
}

/** What a collecting step reads from a reply it waits for: whose it is, and what it says. */
export interface Collected<T> {
  readonly key: number;
  readonly value: T;
}

/**
 * A step that sends its messages, expecting one reply per key (an instance, a channel),
 * and collects what each says; once all are in (at once if none is expected) it moves on
 * with them, in the order they came.
 */
export class Collecting<T> implements Step {
  private readonly waiting = new Set<number>();
  private readonly collected = new Map<number, T>();

  /** `send` sends the step's messages, calling `expect` for each reply it is to wait for. */
  constructor(
    readonly name: string,
    private readonly read: (reply: ControlReply) => Collected<T> | null,
    private readonly send: (expect: (key: number) => void) => void,
    private readonly then: (collected: ReadonlyMap<number, T>) => void,
  ) {}

  enter(): void {
    this.send((key) => this.waiting.add(key));
    if (this.waiting.size === 0) this.then(this.collected);
  }

  reply(reply: ControlReply): boolean {
    const got = this.read(reply);
    if (got === null || !this.waiting.delete(got.key)) return false;
    this.collected.set(got.key, got.value);
    if (this.waiting.size === 0) this.then(this.collected);
    return true;
  }

  /** Failed instances will not reply: once nobody else is awaited, move on without them. */
  lost(ids: ReadonlySet<number>): void {
    let dropped = false;
    for (const id of ids) dropped = this.waiting.delete(id) || dropped;
    if (dropped && this.waiting.size === 0) this.then(this.collected);
  }
}

/**
 * A step that sends to each of a set of instances and waits for one reply of one type from
 * each (a restore, a catch-up, a take-over), then moves on.
 */
export class AwaitingEach extends Collecting<null> {
  /** Wait for `type` from each of `ids`, after `send`; `then` once all are in. */
  constructor(
    name: string,
    type: ControlReply["type"],
    ids: readonly number[],
    send: () => void,
    then: () => void,
  ) {
    super(
      name,
      (reply) => (reply.type === type ? { key: reply.instance, value: null } : null),
      (expect) => {
        for (const id of ids) expect(id);
        send();
      },
      () => then(),
    );
  }
}
