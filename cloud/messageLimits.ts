// How large a message a worker, and the coordinator, take in. gRPC buffers a whole message
// before handing it over, so an unbounded receive length lets one caller grow a worker's
// memory at will; the bound below is derived from what a run legitimately sends:
//
//   messageBytesMax = checkpointBytesMax + batchSize * TUPLE_BYTES_MAX + MESSAGE_OVERHEAD_BYTES
//
// The largest messages are control messages carrying a checkpoint (backup, restore, a
// rebuild's mark, a `checkpointed` reply on the watch stream), bounded by the run's
// checkpoint size; a data frame carries a batch, up to `batchSize` tuples from a source
// poll, or a window's firing, whose tuples are at most the state's keys and so bounded by
// the checkpoint size too. Each tuple is allowed TUPLE_BYTES_MAX (keys, times, numeric
// fields, its JSON value) and every message MESSAGE_OVERHEAD_BYTES of heads, JSON lists and
// protobuf framing. A message over the bound is refused with RESOURCE_EXHAUSTED as its
// length prefix arrives, before its body is buffered.

/** Bytes allowed per tuple of a batch (key, times, numeric fields and its JSON value). */
export const TUPLE_BYTES_MAX = 1024;

/** Bytes allowed for what a message carries besides its checkpoint and tuples. */
export const MESSAGE_OVERHEAD_BYTES = 1024 * 1024;

/** The checkpoint size a run allows unless told otherwise (`seep run --checkpoint-mb-max`). */
export const DEFAULT_CHECKPOINT_BYTES_MAX = 128 * 1024 * 1024;

/** The batch size of a run unless told otherwise (the experiment's `fidelity.batchSize`). */
export const DEFAULT_BATCH_SIZE = 1024;

/** gRPC takes a receive length up to the largest signed 32-bit integer. */
export const GRPC_MESSAGE_BYTES_LIMIT = 2 ** 31 - 1;

/** What the bound on a message is derived from. */
export interface MessageLimitInputs {
  /** Tuples a source poll produces at most (the experiment's `fidelity.batchSize`). */
  readonly batchSize: number;
  /** The largest checkpoint of one instance the run allows, in bytes. */
  readonly checkpointBytesMax: number;
}

/** The largest message a run's workers and coordinator take in, in bytes (the formula above). */
export function messageBytesMax(inputs: MessageLimitInputs): number {
  const { batchSize, checkpointBytesMax } = inputs;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(checkpointBytesMax) || checkpointBytesMax < 0)
    throw new RangeError(
      `checkpoint size must be a non-negative integer of bytes, got ${checkpointBytesMax}`,
    );
  const bytes = checkpointBytesMax + batchSize * TUPLE_BYTES_MAX + MESSAGE_OVERHEAD_BYTES;
  if (bytes > GRPC_MESSAGE_BYTES_LIMIT)
    throw new RangeError(
      `a checkpoint of ${checkpointBytesMax} bytes and batches of ${batchSize} tuples need messages of ` +
        `${bytes} bytes, over gRPC's limit of ${GRPC_MESSAGE_BYTES_LIMIT}`,
    );
  return bytes;
}

/** The bound for the default batch size and checkpoint size. */
export const DEFAULT_MESSAGE_BYTES_MAX = messageBytesMax({
  batchSize: DEFAULT_BATCH_SIZE,
  checkpointBytesMax: DEFAULT_CHECKPOINT_BYTES_MAX,
});

/** True when `bytes` can be a receive bound: an integer from 1 to gRPC's limit. */
export function isMessageBytesMax(bytes: number): boolean {
  return Number.isSafeInteger(bytes) && bytes >= 1 && bytes <= GRPC_MESSAGE_BYTES_LIMIT;
}
