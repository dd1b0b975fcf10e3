// The control plane on the wire: engine control messages and replies to and from their
// protobuf form (proto/seep/v1/seep.proto). The proto is flat, one message with every
// field any control type needs, so this module owns which fields each type uses.
// Checkpoints (and upstream backup's marks) travel encoded by engine/checkpointCodec.ts,
// through the state codec of their operator, with a head that lets the receiver use them
// without decoding their state (lazyCheckpoint.ts); routing states as JSON with key-group
// ranges as [first, last]. An ack's `beforeTimeMs` goes as +Infinity when absent (trim
// every tuple up to `seq`), and +Infinity comes back as absent, so an ack round-trips.

import {
  type Checkpoint,
  type ControlMessage,
  type ControlReply,
  decodeRoutingState,
  encodeRoutingState,
  type StateCodec,
} from "../engine/index.js";
import type { ControlReplyMessage, ControlRequest } from "./gen/seep/v1/seep.js";
import { checkpointFromWire, checkpointHead, wireBytesOf } from "./lazyCheckpoint.js";

/** The state codec of an operator, by operator id. */
export type CodecOf = (operator: number) => StateCodec<unknown>;

const NO_BYTES = Buffer.alloc(0);

/** A uint32 proto field: refuses what the wire would wrap or truncate. */
function u32(x: number, what: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${what} ${x} is not a uint32`);
  return x;
}

/** A uint64 proto field carried as a number: refuses what would not come back the same. */
function u64(x: number, what: string): number {
  if (!Number.isSafeInteger(x) || x < 0)
    throw new RangeError(`${what} ${x} is not a non-negative safe integer`);
  return x;
}

/** The proto fields carrying a checkpoint: its bytes (encoded once) and its head. */
function checkpointFields(
  cp: Checkpoint,
  codec: StateCodec<unknown>,
): { checkpoint: Buffer; checkpointHead: string } {
  const bytes = wireBytesOf(cp, codec);
  return {
    checkpoint: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    checkpointHead: checkpointHead(cp),
  };
}

/** The checkpoint a message carries, its state decoded on first use. */
function checkpointFrom(bytes: Uint8Array, head: string, type: string, codecOf: CodecOf): Checkpoint {
  if (bytes.length === 0) throw new RangeError(`control "${type}" carries no checkpoint`);
  // A restore's checkpoint, decoded from this message, serves that restore alone: the
  // instance adopts its decoded state instead of copying it.
  return checkpointFromWire(bytes, head, codecOf, type === "restore");
}

/** Scale out and shedding run in the simulator only so far: their messages have no wire form yet. */
function notOnTheWire(type: string): never {
  throw new RangeError(`control "${type}" (elasticity) is not carried to real workers yet`);
}

function unknownType(type: string, what: string): never {
  throw new RangeError(`unknown ${what} type "${type}"`);
}

/** The proto request carrying `msg` to `instance`; `codec` encodes a carried checkpoint's state. */
export function toControlRequest(
  instance: number,
  msg: ControlMessage,
  codec: StateCodec<unknown>,
): ControlRequest {
  const req: ControlRequest = {
    instance: u32(instance, "instance"),
    type: msg.type,
    checkpointId: 0,
    edge: 0,
    receiver: 0,
    seq: 0,
    checkpoint: NO_BYTES,
    routingJson: "",
    incarnation: 0,
    checkpointHead: "",
    beforeTimeMs: 0,
  };
  switch (msg.type) {
    case "start":
    case "pause":
    case "resume":
    case "stop":
    case "rewind":
      return req;
    case "restoreBackup":
      return { ...req, receiver: u32(msg.instance, "instance") };
    case "snapshot":
      return { ...req, checkpointId: u64(msg.snapshotId, "snapshot id") };
    case "marker":
      return {
        ...req,
        checkpointId: u64(msg.snapshotId, "snapshot id"),
        edge: u32(msg.edge, "edge"),
        receiver: u32(msg.sender, "sender"),
        seq: msg.seq,
      };
    case "checkpoint":
    case "mark":
      return { ...req, checkpointId: u64(msg.checkpointId, "checkpoint id") };
    case "backup":
    case "restore":
      return { ...req, ...checkpointFields(msg.checkpoint, codec) };
    case "rebuild":
      return { ...req, ...checkpointFields(msg.mark, codec) };
    case "ack":
      return {
        ...req,
        edge: u32(msg.edge, "edge"),
        receiver: u32(msg.receiver, "receiver"),
        seq: msg.seq,
        beforeTimeMs: msg.beforeTimeMs ?? Number.POSITIVE_INFINITY,
      };
    case "replayKept":
      return { ...req, edge: u32(msg.edge, "edge"), receiver: u32(msg.receiver, "receiver") };
    case "replay":
      return {
        ...req,
        edge: u32(msg.edge, "edge"),
        receiver: u32(msg.receiver, "receiver"),
        seq: msg.afterSeq,
      };
    case "checkpointWhenReceived":
    case "addSender":
    case "shed":
      return notOnTheWire(msg.type);
    case "reroute":
      return {
        ...req,
        edge: u32(msg.edge, "edge"),
        routingJson: JSON.stringify(encodeRoutingState(msg.routing)),
      };
  }
}

/** The target instance and engine message of a proto request; throws on an unknown type. */
export function fromControlRequest(
  req: ControlRequest,
  codecOf: CodecOf,
): { instance: number; message: ControlMessage } {
  const message = ((): ControlMessage => {
    switch (req.type) {
      case "start":
      case "pause":
      case "resume":
      case "stop":
      case "rewind":
        return { type: req.type };
      case "restoreBackup":
        return { type: "restoreBackup", instance: req.receiver };
      case "snapshot":
        return { type: "snapshot", snapshotId: req.checkpointId };
      case "marker":
        return {
          type: "marker",
          snapshotId: req.checkpointId,
          edge: req.edge,
          sender: req.receiver,
          seq: req.seq,
        };
      case "checkpoint":
      case "mark":
        return { type: req.type, checkpointId: req.checkpointId };
      case "backup":
      case "restore":
        return {
          type: req.type,
          checkpoint: checkpointFrom(req.checkpoint, req.checkpointHead, req.type, codecOf),
        };
      case "rebuild":
        return {
          type: "rebuild",
          mark: checkpointFrom(req.checkpoint, req.checkpointHead, req.type, codecOf),
        };
      case "ack":
        return {
          type: "ack",
          edge: req.edge,
          receiver: req.receiver,
          seq: req.seq,
          ...(req.beforeTimeMs === Number.POSITIVE_INFINITY ? {} : { beforeTimeMs: req.beforeTimeMs }),
        };
      case "replayKept":
        return { type: "replayKept", edge: req.edge, receiver: req.receiver };
      case "replay":
        return { type: "replay", edge: req.edge, receiver: req.receiver, afterSeq: req.seq };
      case "reroute": {
        let json: unknown;
        try {
          json = JSON.parse(req.routingJson);
        } catch (e) {
          throw new RangeError(`control "reroute": routing_json is not JSON (${(e as Error).message})`);
        }
        return { type: "reroute", edge: req.edge, routing: decodeRoutingState(json) };
      }
      default:
        return unknownType(req.type, "control message");
    }
  })();
  return { instance: req.instance, message };
}

/** The proto form of an instance's reply; `codec` encodes a carried checkpoint's state. */
export function toReplyMessage(reply: ControlReply, codec: StateCodec<unknown>): ControlReplyMessage {
  const msg: ControlReplyMessage = {
    type: reply.type,
    instance: u32(reply.instance, "instance"),
    checkpointId: 0,
    holder: 0,
    checkpoint: NO_BYTES,
    checkpointHead: "",
  };
  switch (reply.type) {
    case "checkpointed":
      return { ...msg, ...checkpointFields(reply.checkpoint, codec) };
    case "backedUp":
      return {
        ...msg,
        holder: u32(reply.holder, "holder"),
        checkpointId: u64(reply.checkpointId, "checkpoint id"),
      };
    case "restored":
      return { ...msg, checkpointId: u64(reply.checkpointId, "checkpoint id") };
    case "backupMissing":
      return { ...msg, holder: u32(reply.holder, "holder") };
    case "paused":
    case "senderAdded":
      return notOnTheWire(reply.type);
    case "ended":
    case "stopped":
      return msg;
  }
}

/** The engine reply of a proto reply message; throws on an unknown type. */
export function fromReplyMessage(msg: ControlReplyMessage, codecOf: CodecOf): ControlReply {
  switch (msg.type) {
    case "checkpointed":
      return {
        type: "checkpointed",
        instance: msg.instance,
        checkpoint: checkpointFrom(msg.checkpoint, msg.checkpointHead, msg.type, codecOf),
      };
    case "backedUp":
      return { type: "backedUp", holder: msg.holder, instance: msg.instance, checkpointId: msg.checkpointId };
    case "restored":
      return { type: "restored", instance: msg.instance, checkpointId: msg.checkpointId };
    case "backupMissing":
      return { type: "backupMissing", holder: msg.holder, instance: msg.instance };
    case "ended":
    case "stopped":
      return { type: msg.type, instance: msg.instance };
    default:
      return unknownType(msg.type, "control reply");
  }
}
