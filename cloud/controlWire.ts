// The control plane on the wire: engine control messages and replies to and from their
// protobuf form (proto/seep/v1/seep.proto). The proto is flat, one message with every
// field any control type needs, so this module owns which fields each type uses.
// Checkpoints (and upstream backup's marks) travel encoded by engine/checkpointCodec.ts,
// through the state codec of their operator, with a head that lets the receiver use them
// without decoding their state (lazyCheckpoint.ts), or, when their bytes stay on the worker
// that took them, as a reference to its shelf with the same head (remoteCheckpoint.ts: a
// checkpointed reply, and a backup or restore passing such a checkpoint on); routing states as JSON with key-group
// ranges as [first, last]. An ack's `beforeTimeMs` goes as +Infinity when absent (trim
// every tuple up to `seq`), and +Infinity comes back as absent, so an ack round-trips.
// The scale-out messages' lists (checkpointWhenReceived's positions, a reroute's
// resumeFrom, a paused reply's sent positions) go as JSON in `extra_json`, their numbers
// through encodeFloat (a position may be ±Infinity); a scale out's checkpoint ids are
// negative, so checkpoint ids are signed on the wire. Flags ride in a numeric field the
// type does not otherwise use, 0 meaning absent, so that a message without them is encoded
// as before: a checkpoint's `holdAcks` and a retire's `linger` in `seq`, a retired reply's
// `lingering` in `holder`.

import {
  type ChannelPosition,
  type Checkpoint,
  type ControlMessage,
  type ControlReply,
  decodeFloat,
  decodeRoutingState,
  encodeFloat,
  encodeRoutingState,
  KeyGroupRange,
  type StateCodec,
} from "../engine/index.js";
import type { CheckpointRef, ControlReplyMessage, ControlRequest } from "./gen/seep/v1/seep.js";
import { checkpointFromWire, checkpointHead, wireBytesOf } from "./lazyCheckpoint.js";
import {
  localBytesOf,
  needsFetch,
  noteForwarded,
  remoteCheckpoint,
  remoteRefOf,
} from "./remoteCheckpoint.js";

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

/** A checkpoint id (signed on the wire: a scale out's are negative): refuses what would not come back the same. */
function i64(x: number, what: string): number {
  if (!Number.isSafeInteger(x)) throw new RangeError(`${what} ${x} is not a safe integer`);
  return x;
}

/** `extra_json` of a message of type `type`, as an array of arrays (each checked by `row`). */
function extraRows<T>(json: string, type: string, row: (r: unknown[]) => T): T[] {
  const bad = (why: string): never => {
    throw new RangeError(`control "${type}": extra_json ${why}`);
  };
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch (e) {
    return bad(`is not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) return bad("is not an array");
  return rows.map((r) => {
    if (!Array.isArray(r)) return bad("holds a row that is not an array");
    try {
      return row(r);
    } catch (e) {
      return bad(`holds a malformed row (${(e as Error).message})`);
    }
  });
}

/** An integer id field of an extra_json row. */
function intAt(r: unknown[], i: number, what: string): number {
  const x = r[i];
  if (typeof x !== "number" || !Number.isInteger(x)) throw new RangeError(`${what} is not an integer`);
  return x;
}

/** Channel positions as [edge, sender, seq, watermarkMs] rows. */
function positionsJson(ps: readonly ChannelPosition[]): string {
  return JSON.stringify(positionRows(ps));
}

function positionsFrom(json: string, type: string): ChannelPosition[] {
  return extraRows(json, type, positionOf);
}

function positionOf(r: unknown[]): ChannelPosition {
  if (r.length !== 4) throw new RangeError("not [edge, sender, seq, watermarkMs]");
  return {
    edge: intAt(r, 0, "edge"),
    sender: intAt(r, 1, "sender"),
    seq: decodeFloat(r[2], "seq"),
    watermarkMs: decodeFloat(r[3], "watermarkMs"),
  };
}

/** Rows of positions nested in a row (at `i`). */
function positionsAt(r: unknown[], i: number): ChannelPosition[] {
  const rows = r[i];
  if (!Array.isArray(rows) || rows.some((p) => !Array.isArray(p)))
    throw new RangeError("not a list of positions");
  return rows.map((p) => positionOf(p as unknown[]));
}

/** Channel positions as rows of `positionsJson` (nested in another row, or whole). */
function positionRows(ps: readonly ChannelPosition[]): unknown[] {
  return ps.map((p) => [p.edge, p.sender, encodeFloat(p.seq), encodeFloat(p.watermarkMs)]);
}

/** Whether a remote checkpoint whose bytes are here too goes by reference (its worker lives) or as bytes. */
export type ViaReference = (ref: CheckpointRef) => boolean;

/**
 * The proto fields carrying a checkpoint: its bytes (those it has, else encoded once) and
 * its head; or, for a checkpoint on its worker's shelf (remoteCheckpoint.ts), its reference
 * instead of bytes: always when its bytes are not here, and when they are too if
 * `viaReference` says so (the coordinator's, while that worker lives).
 */
function checkpointFields(
  cp: Checkpoint,
  codec: StateCodec<unknown>,
  viaReference?: ViaReference,
): { checkpoint: Buffer; checkpointHead: string; checkpointRef?: CheckpointRef } {
  const remote = remoteRefOf(cp);
  const local = localBytesOf(cp);
  if (remote !== undefined && (local === undefined || viaReference?.(remote.ref) === true)) {
    noteForwarded(cp);
    return { checkpoint: NO_BYTES, checkpointHead: remote.head, checkpointRef: remote.ref };
  }
  const bytes = local ?? wireBytesOf(cp, codec);
  return {
    checkpoint: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    checkpointHead: checkpointHead(cp),
  };
}

/** The fields carrying `cp` inline; throws when its bytes are on its worker's shelf only. */
function inlineFields(
  cp: Checkpoint,
  codec: StateCodec<unknown>,
): { checkpoint: Buffer; checkpointHead: string } {
  if (needsFetch(cp))
    throw new RangeError(`checkpoint ${cp.id} of instance ${cp.instance} is not here to be sent`);
  return checkpointFields(cp, codec);
}

/** The checkpoint a message carries (or names by `ref`), its state decoded on first use. */
function checkpointFrom(
  bytes: Uint8Array,
  head: string,
  type: string,
  codecOf: CodecOf,
  ref?: CheckpointRef,
): Checkpoint {
  // A restore's checkpoint, decoded from this message, serves that restore alone: the
  // instance adopts its decoded state instead of copying it.
  const exclusive = type === "restore";
  if (bytes.length === 0 && ref !== undefined) return remoteCheckpoint(ref, head, codecOf, exclusive);
  if (bytes.length === 0) throw new RangeError(`control "${type}" carries no checkpoint`);
  return checkpointFromWire(bytes, head, codecOf, exclusive);
}

/** The mark a rebuild from a base carries in `extra_json`: its wire bytes (base64) and head. */
function markJsonOf(json: string): { mark: string; head: string } {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new RangeError(`control "rebuild": extra_json is not JSON (${(e as Error).message})`);
  }
  const o = v as { mark?: unknown; head?: unknown } | null;
  if (typeof o?.mark !== "string" || typeof o.head !== "string")
    throw new RangeError(`control "rebuild": extra_json must be {"mark": base64, "head": string}`);
  return { mark: o.mark, head: o.head };
}

function unknownType(type: string, what: string): never {
  throw new RangeError(`unknown ${what} type "${type}"`);
}

/** The JSON of the routing state a shadow or reroute request carries in `routing_json` (decoded by the caller). */
function routingJsonOf(req: ControlRequest): unknown {
  try {
    return JSON.parse(req.routingJson);
  } catch (e) {
    throw new RangeError(`control "${req.type}": routing_json is not JSON (${(e as Error).message})`);
  }
}

/**
 * The proto request carrying `msg` to `instance`; `codec` encodes a carried checkpoint's state.
 *
 * Over 80 lines: one short case per control message type, saying which of the flat proto's
 * fields it uses; together in one exhaustive switch, the compiler checks that every type
 * is encoded, and the mapping reads beside fromControlRequest's.
 */
export function toControlRequest(
  instance: number,
  msg: ControlMessage,
  codec: StateCodec<unknown>,
  /** For a backup's or restore's remote checkpoint whose bytes are here too: by reference? (default: yes). */
  viaReference: ViaReference = () => true,
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
    extraJson: "",
  };
  switch (msg.type) {
    case "start":
    case "pause":
    case "resume":
    case "stop":
    case "rewind":
      return req;
    case "retire":
      // Empty: retire now; else (a live scale out) once these positions are received.
      // `linger` rides in `seq` (1: stay finished, serving replays and acks, until a plain retire).
      return {
        ...req,
        seq: msg.linger === true ? 1 : 0,
        extraJson: msg.received === undefined ? "" : positionsJson(msg.received),
      };
    case "shadow":
      return {
        ...req,
        edge: u32(msg.edge, "edge"),
        receiver: u32(msg.of, "of"),
        routingJson: JSON.stringify(encodeRoutingState(msg.routing)),
        seq: msg.afterSeq,
        extraJson: JSON.stringify(msg.to.map((r) => [u32(r, "to")])),
      };
    case "restoreBackup":
      // Parallel recovery: the parts as [instance, first, last] rows; empty: no parts.
      return {
        ...req,
        receiver: u32(msg.instance, "instance"),
        extraJson:
          msg.parts === undefined
            ? ""
            : JSON.stringify(msg.parts.map((p) => [u32(p.instance, "part"), p.range.first, p.range.last])),
      };
    case "reportCut":
    case "reopenChannel":
      return { ...req, edge: u32(msg.edge, "edge"), receiver: u32(msg.sender, "sender") };
    case "replaceSender":
      return {
        ...req,
        edge: u32(msg.edge, "edge"),
        receiver: u32(msg.sender, "sender"),
        extraJson: JSON.stringify(msg.by.map((b) => [u32(b, "by")])),
      };
    case "suppressOutput":
      // A cut per row: [edge or -1, receiver or -1, watermarkMs, positions].
      return {
        ...req,
        extraJson: JSON.stringify(
          msg.cuts.map((c) => [
            c.edge ?? -1,
            c.receiver ?? -1,
            encodeFloat(c.watermarkMs),
            positionRows(c.processed),
          ]),
        ),
      };
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
      // `holdAcks` rides in `seq` (1: a live scale out's snapshot).
      // A live scale out's snapshot has a negative id, like the scale out's other checkpoints.
      return { ...req, checkpointId: i64(msg.checkpointId, "checkpoint id"), seq: msg.holdAcks ? 1 : 0 };
    case "mark":
      return { ...req, checkpointId: u64(msg.checkpointId, "checkpoint id") };
    case "catchUp":
      // Pending (processed null) rides in `seq` (1), with the caught-up positions.
      return msg.processed === null
        ? { ...req, seq: 1, extraJson: positionsJson(msg.caughtUpAt ?? []), beforeTimeMs: msg.watermarkMs }
        : { ...req, extraJson: positionsJson(msg.processed), beforeTimeMs: msg.watermarkMs };
    case "backup":
      return { ...req, ...checkpointFields(msg.checkpoint, codec, viaReference) };
    case "restore":
      // `resent` rides in `seq` (1: the upstreams re-send what follows; a scale out).
      return { ...req, ...checkpointFields(msg.checkpoint, codec, viaReference), seq: msg.resent ? 1 : 0 };
    case "rebuild": {
      // With a base, the base (state and all) rides as the checkpoint and the mark (positions
      // only) in `extra_json`, in its wire form, base64. Always inline: the coordinator
      // pulls every checkpoint of a strategy that rebuilds (checkpointPulls.ts).
      if (msg.base === undefined) return { ...req, ...inlineFields(msg.mark, codec) };
      const mark = inlineFields(msg.mark, codec);
      return {
        ...req,
        ...inlineFields(msg.base, codec),
        extraJson: JSON.stringify({ mark: mark.checkpoint.toString("base64"), head: mark.checkpointHead }),
      };
    }
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
      return {
        ...req,
        checkpointId: i64(msg.checkpointId, "checkpoint id"),
        extraJson: positionsJson(msg.received),
      };
    case "addSender":
      return { ...req, edge: u32(msg.edge, "edge"), receiver: u32(msg.sender, "sender") };
    case "shed":
      return { ...req, seq: msg.rate };
    case "reroute":
      return {
        ...req,
        edge: u32(msg.edge, "edge"),
        routingJson: JSON.stringify(encodeRoutingState(msg.routing)),
        // Empty: no resumeFrom (a plain reroute); an empty list goes as [].
        extraJson:
          msg.resumeFrom === undefined
            ? ""
            : JSON.stringify(msg.resumeFrom.map(([r, seq]) => [u32(r, "receiver"), encodeFloat(seq)])),
      };
  }
}

/** The target instance and engine message of a proto request; throws on an unknown type. */
export function fromControlRequest(
  req: ControlRequest,
  codecOf: CodecOf,
): { instance: number; message: ControlMessage } {
  return { instance: req.instance, message: controlMessageOf(req, codecOf) };
}

/**
 * The engine message a proto request carries; throws on an unknown type.
 *
 * Over 80 lines: one short case per control message type, reading back the fields
 * toControlRequest wrote, in the same order as there.
 */
function controlMessageOf(req: ControlRequest, codecOf: CodecOf): ControlMessage {
  switch (req.type) {
    case "start":
    case "pause":
    case "resume":
    case "stop":
    case "rewind":
      return { type: req.type };
    case "retire":
      return {
        type: "retire",
        ...(req.extraJson === "" ? {} : { received: positionsFrom(req.extraJson, req.type) }),
        ...(req.seq === 1 ? { linger: true } : {}),
      };
    case "shadow": {
      const json = routingJsonOf(req);
      return {
        type: "shadow",
        edge: req.edge,
        of: req.receiver,
        to: extraRows(req.extraJson, req.type, (r) => intAt(r, 0, "to")),
        routing: decodeRoutingState(json),
        afterSeq: req.seq,
      };
    }
    case "restoreBackup":
      if (req.extraJson === "") return { type: "restoreBackup", instance: req.receiver };
      return {
        type: "restoreBackup",
        instance: req.receiver,
        parts: extraRows(req.extraJson, req.type, (r) => ({
          instance: intAt(r, 0, "part"),
          range: KeyGroupRange.of(intAt(r, 1, "first"), intAt(r, 2, "last")),
        })),
      };
    case "reportCut":
    case "reopenChannel":
      return { type: req.type, edge: req.edge, sender: req.receiver };
    case "replaceSender":
      return {
        type: "replaceSender",
        edge: req.edge,
        sender: req.receiver,
        by: extraRows(req.extraJson, req.type, (r) => intAt(r, 0, "by")),
      };
    case "suppressOutput":
      return {
        type: "suppressOutput",
        cuts: extraRows(req.extraJson, req.type, (r) => {
          const edge = intAt(r, 0, "edge");
          const receiver = intAt(r, 1, "receiver");
          return {
            edge: edge === -1 ? null : edge,
            receiver: receiver === -1 ? null : receiver,
            watermarkMs: decodeFloat(r[2], "watermarkMs"),
            processed: positionsAt(r, 3),
          };
        }),
      };
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
      return req.seq === 1
        ? { type: "checkpoint", checkpointId: req.checkpointId, holdAcks: true }
        : { type: "checkpoint", checkpointId: req.checkpointId };
    case "mark":
      return { type: req.type, checkpointId: req.checkpointId };
    case "backup":
      return {
        type: req.type,
        checkpoint: checkpointFrom(req.checkpoint, req.checkpointHead, req.type, codecOf, req.checkpointRef),
      };
    case "restore": {
      const checkpoint = checkpointFrom(
        req.checkpoint,
        req.checkpointHead,
        req.type,
        codecOf,
        req.checkpointRef,
      );
      return req.seq === 1 ? { type: "restore", checkpoint, resent: true } : { type: "restore", checkpoint };
    }
    case "rebuild": {
      const carried = checkpointFrom(req.checkpoint, req.checkpointHead, req.type, codecOf);
      if (req.extraJson === "") return { type: "rebuild", mark: carried };
      const { mark, head } = markJsonOf(req.extraJson);
      return {
        type: "rebuild",
        mark: checkpointFrom(Buffer.from(mark, "base64"), head, req.type, codecOf),
        base: carried,
      };
    }
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
      const routing = decodeRoutingState(routingJsonOf(req));
      if (req.extraJson === "") return { type: "reroute", edge: req.edge, routing };
      const resumeFrom = extraRows(req.extraJson, req.type, (r): readonly [number, number] => {
        if (r.length !== 2) throw new RangeError("not [receiver, seq]");
        return [intAt(r, 0, "receiver"), decodeFloat(r[1], "seq")];
      });
      return { type: "reroute", edge: req.edge, routing, resumeFrom };
    }
    case "checkpointWhenReceived":
      return {
        type: "checkpointWhenReceived",
        checkpointId: req.checkpointId,
        received: positionsFrom(req.extraJson, req.type),
      };
    case "catchUp":
      return req.seq === 1
        ? {
            type: "catchUp",
            processed: null,
            watermarkMs: req.beforeTimeMs,
            caughtUpAt: positionsFrom(req.extraJson, req.type),
          }
        : {
            type: "catchUp",
            processed: positionsFrom(req.extraJson, req.type),
            watermarkMs: req.beforeTimeMs,
          };
    case "addSender":
      return { type: "addSender", edge: req.edge, sender: req.receiver };
    case "shed":
      return { type: "shed", rate: req.seq };
    default:
      return unknownType(req.type, "control message");
  }
}

/** A reply of `type` from `instance` with every other field at its default. */
function emptyReply(type: string, instance: number): ControlReplyMessage {
  return {
    type,
    instance,
    checkpointId: 0,
    holder: 0,
    checkpoint: NO_BYTES,
    checkpointHead: "",
    edge: 0,
    sender: 0,
    extraJson: "",
  };
}

/** The proto form of an instance's reply; `codec` encodes a carried checkpoint's state. */
export function toReplyMessage(reply: ControlReply, codec: StateCodec<unknown>): ControlReplyMessage {
  const msg = emptyReply(reply.type, u32(reply.instance, "instance"));
  switch (reply.type) {
    case "checkpointed":
      // As bytes when they are here (a coordinator journaling the reply keeps them), else by reference.
      return { ...msg, ...checkpointFields(reply.checkpoint, codec) };
    case "backedUp":
      return {
        ...msg,
        holder: u32(reply.holder, "holder"),
        checkpointId: i64(reply.checkpointId, "checkpoint id"),
      };
    case "restored":
      return { ...msg, checkpointId: i64(reply.checkpointId, "checkpoint id") };
    case "backupMissing":
      return { ...msg, holder: u32(reply.holder, "holder") };
    case "paused":
      return {
        ...msg,
        extraJson: JSON.stringify(
          reply.sent.map((s) => [u32(s.edge, "edge"), u32(s.receiver, "receiver"), encodeFloat(s.seq)]),
        ),
      };
    case "senderAdded":
    case "senderReplaced":
      return { ...msg, edge: u32(reply.edge, "edge"), sender: u32(reply.sender, "sender") };
    case "cutReported":
      // [[receivedSeq]], then [watermarkMs, positions] when a cut was stamped.
      return {
        ...msg,
        edge: u32(reply.edge, "edge"),
        sender: u32(reply.sender, "sender"),
        extraJson: JSON.stringify([
          [encodeFloat(reply.receivedSeq)],
          ...(reply.cut === null
            ? []
            : [[encodeFloat(reply.cut.watermarkMs), positionRows(reply.cut.processed)]]),
        ]),
      };
    case "retired":
      // The processed positions, then the event time as a last row of one number;
      // `lingering` rides in `holder` (1: it still holds its output for its receivers' replays).
      return {
        ...msg,
        holder: reply.lingering === true ? 1 : 0,
        extraJson: JSON.stringify([
          ...reply.processed.map((p) => [p.edge, p.sender, encodeFloat(p.seq), encodeFloat(p.watermarkMs)]),
          [encodeFloat(reply.watermarkMs)],
        ]),
      };
    case "shadowing":
      return {
        ...msg,
        edge: u32(reply.edge, "edge"),
        extraJson: JSON.stringify([[encodeFloat(reply.sentSeq), encodeFloat(reply.sentWatermarkMs)]]),
      };
    case "ended":
    case "stopped":
    case "caughtUp":
    case "takenOver":
    case "rebuilt":
      return msg;
  }
}

/**
 * The type of a worker's report that an instance failed a task (not an engine reply: the
 * coordinator stops the run with its text, in `extra_json` as a JSON string).
 */
export const TASK_FAILED = "taskFailed";

/** A worker's report, on its watch stream, that `instance` failed a task (`line` says which and why). */
export function taskFailedMessage(instance: number, line: string): ControlReplyMessage {
  const msg = emptyReply(TASK_FAILED, instance >= 0 && instance <= 0xffffffff ? instance : 0);
  return { ...msg, extraJson: JSON.stringify(line) };
}

/** The text of a task failure report, or null when `msg` is something else. */
export function taskFailureOf(msg: ControlReplyMessage): string | null {
  if (msg.type !== TASK_FAILED) return null;
  try {
    const line: unknown = JSON.parse(msg.extraJson);
    return typeof line === "string" ? line : msg.extraJson;
  } catch {
    return msg.extraJson;
  }
}

/** The engine reply of a proto reply message; throws on an unknown type. */
export function fromReplyMessage(msg: ControlReplyMessage, codecOf: CodecOf): ControlReply {
  switch (msg.type) {
    case "checkpointed":
      return {
        type: "checkpointed",
        instance: msg.instance,
        checkpoint: checkpointFrom(msg.checkpoint, msg.checkpointHead, msg.type, codecOf, msg.checkpointRef),
      };
    case "backedUp":
      return { type: "backedUp", holder: msg.holder, instance: msg.instance, checkpointId: msg.checkpointId };
    case "restored":
      return { type: "restored", instance: msg.instance, checkpointId: msg.checkpointId };
    case "backupMissing":
      return { type: "backupMissing", holder: msg.holder, instance: msg.instance };
    case "retired":
      return retiredOf(msg);
    case "shadowing": {
      const [row] = extraRows(msg.extraJson, msg.type, (r) => [
        decodeFloat(r[0], "sentSeq"),
        decodeFloat(r[1], "sentWatermarkMs"),
      ]);
      if (row === undefined) throw new RangeError(`control "shadowing": extra_json lacks sentSeq`);
      return {
        type: "shadowing",
        instance: msg.instance,
        edge: msg.edge,
        sentSeq: row[0],
        sentWatermarkMs: row[1],
      };
    }
    case "ended":
    case "stopped":
    case "caughtUp":
    case "takenOver":
    case "rebuilt":
      return { type: msg.type, instance: msg.instance };
    case "paused":
      return {
        type: "paused",
        instance: msg.instance,
        sent: extraRows(msg.extraJson, msg.type, (r) => {
          if (r.length !== 3) throw new RangeError("not [edge, receiver, seq]");
          return {
            edge: intAt(r, 0, "edge"),
            receiver: intAt(r, 1, "receiver"),
            seq: decodeFloat(r[2], "seq"),
          };
        }),
      };
    case "senderAdded":
    case "senderReplaced":
      return { type: msg.type, instance: msg.instance, edge: msg.edge, sender: msg.sender };
    case "cutReported":
      return cutReportedOf(msg);
    default:
      return unknownType(msg.type, "control reply");
  }
}

/** A retired reply: the processed positions, then the event time as a last row of one number; lingering when `holder` is 1. */
function retiredOf(msg: ControlReplyMessage): ControlReply {
  const rows = extraRows(msg.extraJson, msg.type, (r) => r);
  const last = rows.pop();
  if (last === undefined || last.length !== 1)
    throw new RangeError(`control "retired": extra_json lacks its event time`);
  return {
    type: "retired",
    instance: msg.instance,
    processed: positionsFrom(JSON.stringify(rows), msg.type),
    watermarkMs: decodeFloat(last[0], "watermarkMs"),
    ...(msg.holder === 1 ? { lingering: true } : {}),
  };
}

/** A cutReported reply: [[receivedSeq]], then [watermarkMs, positions] when a cut was stamped. */
function cutReportedOf(msg: ControlReplyMessage): ControlReply {
  const rows = extraRows(msg.extraJson, msg.type, (r) => r);
  if (rows.length < 1 || rows[0].length !== 1)
    throw new RangeError(`control "cutReported": extra_json lacks receivedSeq`);
  const cut = rows[1];
  return {
    type: "cutReported",
    instance: msg.instance,
    edge: msg.edge,
    sender: msg.sender,
    receivedSeq: decodeFloat(rows[0][0], "receivedSeq"),
    cut:
      cut === undefined
        ? null
        : { watermarkMs: decodeFloat(cut[0], "watermarkMs"), processed: positionsAt(cut, 1) },
  };
}
