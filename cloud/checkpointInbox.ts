// The worker's side of a control message that names a checkpoint instead of carrying it (a
// backup to a holder, a restore of a new instance's part): the checkpoint is fetched from
// the worker that took it (checkpointFetch.ts), and only then is the message handed to its
// instance, so that the instance acts exactly as before (keeps the backup and says
// backedUp, restores...). A backup's bytes are decoded on first use, as if they had come
// inline (lazyCheckpoint.ts); a restore's are decoded key group by key group as the chunks
// arrive (engine CheckpointDecoder), so the instance restores as soon as the last one is in.
// The part fields the coordinator set (partFields.ts: a new instance's identity, a
// suppression cut) are applied here, to the bytes or to the decoded checkpoint.
//
// Order: the messages to one instance are handed on in the order they arrived; those that
// arrive while a fetch for it is under way wait behind it (a restoreBackup must not
// overtake the backup it is to restore from). Messages to other instances do not wait, and
// fetches do not wait for one another: each starts as its message arrives.
//
// A fetch that fails drops its message, as if it had been lost with a dead sender (see
// checkpointFetch.ts for what the protocols make of that), says so in one line, and the
// messages behind it go on.

import {
  asNewInstancePart,
  type Checkpoint,
  CheckpointDecoder,
  type ControlMessage,
  type StateCodec,
  withSuppression,
} from "../engine/index.js";
import { type CheckpointFetcher, describeRef } from "./checkpointFetch.js";
import { carriedCheckpoint } from "./controlForwarder.js";
import type { CheckpointRef } from "./gen/seep/v1/seep.js";
import { checkpointFromWire, parseHead } from "./lazyCheckpoint.js";
import { applyPartFields, parsePartFields } from "./partFields.js";
import { needsFetch, remoteRefOf } from "./remoteCheckpoint.js";

/** Where the messages go once their checkpoints are here. */
export interface CheckpointInboxTarget {
  /** Hand `message` (its checkpoint here) to `instance`, as `incarnation` (0: any). */
  apply(instance: number, message: ControlMessage, incarnation: number): void;
  /** `message` to `instance` was dropped: its checkpoint could not be fetched (`error` says why). */
  dropped(instance: number, message: ControlMessage, error: Error): void;
}

/** A message waiting: its fetch (started as it arrived), or none. */
type Queued = {
  readonly message: ControlMessage;
  readonly incarnation: number;
  readonly fetched: Promise<ControlMessage> | null;
};

/** Per instance, the messages waiting for a checkpoint to be fetched, and those behind them. */
export class CheckpointInbox {
  private readonly queues = new Map<number, Queued[]>();
  /** Messages dropped because their checkpoint could not be fetched. */
  dropped = 0;

  constructor(
    private readonly fetcher: CheckpointFetcher,
    private readonly codecOf: (operator: number) => StateCodec<unknown>,
    private readonly target: CheckpointInboxTarget,
  ) {}

  /**
   * Take `message` for `instance`: handed on now, or after the fetches it waits for. Its own
   * fetch starts at once, beside those queued before it (a holder fetches the backups of
   * several instances at a time); only the handing on is in order.
   */
  deliver(instance: number, message: ControlMessage, incarnation: number): void {
    const fetched = this.remote(message) ? this.fetched(message) : null;
    // Settled whatever happens: a failure is handled when its turn comes.
    fetched?.catch(() => {});
    const queue = this.queues.get(instance);
    if (queue !== undefined) {
      queue.push({ message, incarnation, fetched });
      return;
    }
    if (fetched === null) {
      this.target.apply(instance, message, incarnation);
      return;
    }
    this.queues.set(instance, [{ message, incarnation, fetched }]);
    this.drain(instance);
  }

  /** Messages waiting (for fetches, or behind them), over every instance. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private remote(message: ControlMessage): boolean {
    const cp = carriedCheckpoint(message);
    return cp !== undefined && needsFetch(cp);
  }

  /** Hand on `instance`'s queue in order as its fetches complete; the queue goes once empty. */
  private drain(instance: number): void {
    const queue = this.queues.get(instance);
    if (queue === undefined) return;
    while (queue.length > 0) {
      const next = queue[0];
      if (next.fetched !== null) {
        next.fetched.then(
          (message) => {
            queue.shift();
            this.target.apply(instance, message, next.incarnation);
            this.drain(instance);
          },
          (e: unknown) => {
            queue.shift();
            this.dropped++;
            this.target.dropped(instance, next.message, e instanceof Error ? e : new Error(String(e)));
            this.drain(instance);
          },
        );
        return;
      }
      queue.shift();
      this.target.apply(instance, next.message, next.incarnation);
    }
    this.queues.delete(instance);
  }

  /**
   * `message` with its checkpoint fetched: a backup's decoded on first use, as if it had
   * come inline; a restore's decoded as its chunks come (restore starts on the first chunk).
   */
  private async fetched(message: ControlMessage): Promise<ControlMessage> {
    const cp = carriedCheckpoint(message)!;
    const { ref, head } = remoteRefOf(cp)!;
    switch (message.type) {
      case "backup": {
        // The part fields the coordinator set (a new instance's identity, a suppression cut) applied here.
        const bytes = applyPartFields(await this.fetcher.fetch(ref), ref.partFieldsJson);
        return { ...message, checkpoint: checkpointFromWire(bytes, head, this.codecOf) };
      }
      case "restore":
        return { ...message, checkpoint: await this.decodedAsFetched(ref, head) };
      default:
        throw new Error(`control "${message.type}" cannot name a checkpoint by reference`);
    }
  }

  /**
   * The checkpoint `ref` names, decoded key group by key group as its chunks come, for one
   * restore alone (the instance adopts the decoded maps), with its part fields set.
   */
  private async decodedAsFetched(ref: CheckpointRef, head: string): Promise<Checkpoint> {
    let decoder: CheckpointDecoder | null = null;
    await this.fetcher.fetch(ref, (bytes, filled) => {
      decoder ??= new CheckpointDecoder(bytes, this.codecOf, true);
      decoder.advanceTo(filled);
    });
    const fields = parsePartFields(ref.partFieldsJson);
    let cp = (decoder as CheckpointDecoder | null)!.finish();
    if (fields?.newInstance === true) cp = asNewInstancePart(cp);
    if (fields?.suppression !== undefined) cp = withSuppression(cp, fields.suppression);
    const h = parseHead(head);
    const same = cp.id === h.id && cp.instance === h.instance && cp.operator === h.operator;
    if (!same || !Object.is(cp.horizonMs, h.horizonMs))
      throw new RangeError(
        `malformed checkpoint: the bytes fetched for ${describeRef(ref)} are of another checkpoint`,
      );
    return cp;
  }
}
