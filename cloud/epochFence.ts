// A worker's fence against coordinators that have been replaced. Under high availability
// each new leader holds a fencing epoch strictly higher than every leader before it
// (cloud/ha/fencingEpoch.ts) and stamps it on its calls as the metadata `seep-epoch: <n>`
// (auth.ts epochMetadata). A worker keeps the highest epoch it has seen and refuses a call
// stamped with an older one: a leader that was paused (a long GC, a partition) and does not
// know it has been replaced cannot act once its successor has spoken to the worker. Equal
// epochs pass (the leader's own calls); a newer one raises the fence for good.
//
// A call without the header counts as epoch 0, so that a run without HA (which never
// stamps one) is never fenced, while a run with HA fences every unstamped coordinator call
// once a leader has stamped one. The worker leaves one kind of call unfenced when unstamped:
// a Send, which peers make too (their control messages carry no epoch; see worker.ts).

import type { Metadata } from "@grpc/grpc-js";

/** The metadata key carrying a coordinator's fencing epoch (decimal). */
export const EPOCH_HEADER = "seep-epoch";

/** A `seep-epoch` header that is not one whole number. */
export class MalformedEpoch extends Error {
  override readonly name = "MalformedEpoch";
}

/** The highest coordinator epoch a worker has seen, and the rule that refuses older ones. */
export class EpochFence {
  private top = 0;

  /** The highest epoch admitted so far (0: none stamped yet). */
  get highest(): number {
    return this.top;
  }

  /** True when a call under `epoch` may act (it is not older than the highest seen); it raises the fence. */
  admit(epoch: number): boolean {
    if (epoch < this.top) return false;
    this.top = epoch;
    return true;
  }

  /** The one-line reason a call under `epoch` is refused. */
  refusal(epoch: number): string {
    return `fenced: epoch ${epoch} is older than ${this.top}`;
  }
}

/**
 * The epoch `metadata` carries: undefined when it has no `seep-epoch` header; throws
 * MalformedEpoch when the header is not one decimal safe integer.
 */
export function epochOf(metadata: Metadata): number | undefined {
  const values = metadata.get(EPOCH_HEADER);
  if (values.length === 0) return undefined;
  const text = values.length === 1 && typeof values[0] === "string" ? values[0] : null;
  const epoch = Number(text);
  if (text === null || !/^\d+$/.test(text) || !Number.isSafeInteger(epoch))
    throw new MalformedEpoch(
      `${EPOCH_HEADER} must be one whole number, got '${values.map(String).join(",").slice(0, 40)}'`,
    );
  return epoch;
}
