// Checkpoints on the wire, decoded only where their state is needed. Under rsm a
// checkpoint goes instance -> coordinator -> backup holder, and on a failure holder ->
// replacement: only the replacement needs its state. The coordinator and the holder need
// its id, instance, operator and input positions (to trim buffers and send acks), so
// those travel beside the bytes as a small JSON head (with a mark's horizon, under
// upstream backup), the key-group range is read from the bytes' header, and the rest is
// decoded on first use. The bytes stay attached to the
// checkpoint, so that passing it on sends them as they came instead of encoding it again:
// for a state of a million keys, that is four of the six passes through the state codec
// saved on every checkpoint interval. A checkpoint left on its worker's shelf travels as a
// reference instead of bytes (remoteCheckpoint.ts); its bytes, once fetched, are kept here.

import {
  type ChannelPosition,
  type Checkpoint,
  checkpointHeaderOf,
  decodeCheckpoint,
  decodeFloat,
  encodeCheckpoint,
  encodeFloat,
  type KeyGroupRange,
  partitionEncoded,
  type StateCodec,
} from "../engine/index.js";

/** Encoded bytes of checkpoints that came off the wire (or were encoded once already). */
const WIRE_BYTES = new WeakMap<Checkpoint, Uint8Array>();

/** The checkpoint's bytes for the wire: the ones it came with, else encoded now (and kept). */
export function wireBytesOf(cp: Checkpoint, codec: StateCodec<unknown>): Uint8Array {
  let bytes = WIRE_BYTES.get(cp);
  if (bytes === undefined) {
    bytes = encodeCheckpoint(cp, codec);
    WIRE_BYTES.set(cp, bytes);
  }
  return bytes;
}

/** The bytes `cp` came with, was encoded to or was fetched for, if any (nothing is encoded). */
export function keptBytesOf(cp: Checkpoint): Uint8Array | undefined {
  return WIRE_BYTES.get(cp);
}

/** `cp`'s bytes are `bytes` from now on (fetched for it, or cut for it from its whole's). */
export function keepBytes(cp: Checkpoint, bytes: Uint8Array): void {
  WIRE_BYTES.set(cp, bytes);
}

/**
 * The head that travels beside a checkpoint's bytes: [id, instance, operator, inputs],
 * and the horizon as a fifth element when the checkpoint has one (a mark).
 */
export function checkpointHead(cp: Checkpoint): string {
  const head: unknown[] = [
    cp.id,
    cp.instance,
    cp.operator,
    cp.inputs.map((p) => [p.edge, p.sender, encodeFloat(p.seq), encodeFloat(p.watermarkMs)]),
  ];
  if (cp.horizonMs !== undefined) head.push(encodeFloat(cp.horizonMs));
  return JSON.stringify(head);
}

function malformed(why: string): never {
  throw new RangeError(`malformed checkpoint head: ${why}`);
}

/** A checkpoint head's fields, as `checkpointHead` wrote them. */
export interface CheckpointHeadFields {
  readonly id: number;
  readonly instance: number;
  readonly operator: number;
  readonly inputs: ChannelPosition[];
  readonly horizonMs: number | undefined;
}

/** The fields of a checkpoint head; a malformed one is a RangeError saying what is wrong. */
export function parseHead(head: string): CheckpointHeadFields {
  let json: unknown;
  try {
    json = JSON.parse(head);
  } catch (e) {
    malformed((e as Error).message);
  }
  if (!Array.isArray(json) || (json.length !== 4 && json.length !== 5) || !Array.isArray(json[3]))
    malformed("not [id, instance, operator, inputs] or [id, instance, operator, inputs, horizonMs]");
  const [id, instance, operator, inputs, horizon] = json as [unknown, unknown, unknown, unknown[], unknown];
  if (!Number.isInteger(id) || !Number.isInteger(instance) || !Number.isInteger(operator))
    malformed("id, instance and operator must be integers");
  return {
    id: id as number,
    instance: instance as number,
    operator: operator as number,
    inputs: inputs.map((p) => {
      if (!Array.isArray(p) || p.length !== 4 || !Number.isInteger(p[0]) || !Number.isInteger(p[1]))
        malformed("an input must be [edge, sender, seq, watermarkMs]");
      return {
        edge: p[0],
        sender: p[1],
        seq: decodeFloat(p[2], "seq"),
        watermarkMs: decodeFloat(p[3], "watermarkMs"),
      };
    }),
    horizonMs: json.length === 5 ? decodeFloat(horizon, "horizonMs") : undefined,
  };
}

/** The fields of a checkpoint decoded from its bytes (all but its head's and its range). */
export const STATE_FIELDS = [
  "processing",
  "outputs",
  "buffers",
  "sourcePosition",
  "watermarkMs",
  "ended",
  "suppression",
] as const;

/**
 * A checkpoint's fields from its head and `range`. The horizon is a plain property, from
 * the head: the same before and after the state is decoded, and absent (not undefined-valued)
 * when the head has none, like a decoded checkpoint's.
 */
export function headFieldsFrom(h: CheckpointHeadFields, range: KeyGroupRange): Record<string, unknown> {
  return {
    id: h.id,
    instance: h.instance,
    operator: h.operator,
    inputs: h.inputs,
    ...(h.horizonMs === undefined ? {} : { horizonMs: h.horizonMs }),
    range,
  };
}

/**
 * `fields` holds a checkpoint's fields but `names`: those are added, each read from `load()`
 * (the checkpoint decoded, once) on first use. A decoded checkpoint without suppression has
 * none; here `suppression` is then undefined (every reader asks for undefined).
 */
export function decodedOnUse(
  fields: Record<string, unknown>,
  load: () => Checkpoint,
  names: readonly (typeof STATE_FIELDS)[number][] = STATE_FIELDS,
): Checkpoint {
  for (const name of names)
    Object.defineProperty(fields, name, { get: () => load()[name], enumerable: true });
  return fields as unknown as Checkpoint;
}

/**
 * The checkpoint of `bytes` and its `head`: id, instance, operator, inputs and horizon
 * (a mark's; absent otherwise) at once, and the range from the bytes' header; the rest
 * decoded on first use through the state codec of its operator (`codecOf`). Without a head, decoded at once. Only a checkpoint
 * decoded from a message for one restore is `exclusive`: a holder's backups and relayed
 * checkpoints may be used again, so their decoded maps are copied by whoever restores them.
 */
export function checkpointFromWire(
  bytes: Uint8Array,
  head: string,
  codecOf: (operator: number) => StateCodec<unknown>,
  /** Decoded for one restore alone: the restore adopts the decoded maps instead of copying them. */
  exclusive = false,
): Checkpoint {
  const { operator, range } = checkpointHeaderOf(bytes); // checks the bytes' prefix and header
  const codec = codecOf(operator);
  if (head === "") {
    const cp = decodeCheckpoint(bytes, codec, exclusive);
    WIRE_BYTES.set(cp, bytes);
    return cp;
  }
  const h = parseHead(head);
  if (operator !== h.operator) malformed(`operator ${h.operator}, but the bytes are of operator ${operator}`);
  let full: Checkpoint | null = null;
  const load = (): Checkpoint => {
    if (full === null) {
      full = decodeCheckpoint(bytes, codec, exclusive);
      if (full.id !== h.id || full.instance !== h.instance || !Object.is(full.horizonMs, h.horizonMs))
        malformed("the bytes are of another checkpoint");
    }
    return full;
  };
  // From the bytes' header: the fault-tolerance protocol reads every checkpoint's range.
  const cp = decodedOnUse(headFieldsFrom(h, range), load);
  WIRE_BYTES.set(cp, bytes);
  return cp;
}

/**
 * The parts of a checkpoint held as bytes, cut from those bytes by key-group section
 * (engine `partitionEncoded`): nothing is decoded here, and each part goes out as its own
 * bytes. Null when the checkpoint has no bytes (it was never on the wire).
 */
export function partitionOnWire(
  cp: Checkpoint,
  ranges: readonly KeyGroupRange[],
  codecOf: (operator: number) => StateCodec<unknown>,
): Checkpoint[] | null {
  const bytes = WIRE_BYTES.get(cp);
  if (bytes === undefined) return null;
  return partitionEncoded(bytes, ranges).map((part, i) => checkpointFromWire(part, partHead(cp, i), codecOf));
}

/** The head of part `i` of `cp` (part 0 keeps the instance, the others are new senders: -1). */
export function partHead(cp: Checkpoint, i: number): string {
  return checkpointHead({ ...headFieldsOf(cp), instance: i === 0 ? cp.instance : -1 } as Checkpoint);
}

/** The fields a head carries, read without touching the state. */
function headFieldsOf(cp: Checkpoint) {
  return {
    id: cp.id,
    instance: cp.instance,
    operator: cp.operator,
    inputs: cp.inputs,
    ...(cp.horizonMs === undefined ? {} : { horizonMs: cp.horizonMs }),
  };
}
