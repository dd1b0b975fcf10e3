// The coordinator's journal on the wire: each entry as JSON a durable store can keep and a
// new leader can read back into the very entry the old leader journaled. Replies travel
// as the proto messages workers send (cloud/controlWire.ts), base64 in the JSON; the
// checkpoint a `checkpointed` reply carries is kept apart (its bytes go to the checkpoint
// store, not to ZooKeeper), named by the entry's place in the journal. A plan's operators
// are code, so the journal names the run's logical plan by nothing: the reader brings it
// (the workload's plan, as every worker builds it) and only the instances are encoded.
// What decodes is checked: a malformed entry is one line naming the entry and the field.

import {
  type ControlReply,
  type CoordinatorInput,
  type CoordinatorSetup,
  type InstanceSpec,
  type JournalEntry,
  KeyGroupRange,
  type LogicalPlan,
} from "../../engine/index.js";
import { type CodecOf, fromReplyMessage, toReplyMessage } from "../controlWire.js";
import { ControlReplyMessage } from "../gen/seep/v1/seep.js";

/** What encoding and decoding need of the run. */
export interface JournalCodecContext {
  /** The state codec of each operator (the checkpoints replies carry). */
  readonly codecOf: CodecOf;
  /** The run's logical plan (the journal keeps only a plan's instances). */
  readonly logical: LogicalPlan;
}

/** An entry as kept: JSON, and the bytes of the checkpoint its reply carried (null: none). */
export interface EncodedEntry {
  readonly json: string;
  readonly checkpoint: Uint8Array | null;
}

/** A journal entry that cannot be read back. */
export class JournalCodecError extends Error {
  constructor(at: number, why: string) {
    super(`coordinator journal entry ${at}: ${why}`);
    this.name = "JournalCodecError";
  }
}

type SpecJson = [number, number, number, number, number, number, number | null];

function specToJson(s: InstanceSpec): SpecJson {
  return [s.id, s.operator, s.index, s.range.first, s.range.last, s.vm, s.forward ?? null];
}

function specFromJson(j: unknown, at: number): InstanceSpec {
  if (!Array.isArray(j) || j.length !== 7 || !j.slice(0, 6).every(Number.isInteger))
    throw new JournalCodecError(
      at,
      `an instance is not [id, operator, index, first, last, vm, forward]: ${JSON.stringify(j)}`,
    );
  const [id, operator, index, first, last, vm, forward] = j as SpecJson;
  const range = KeyGroupRange.of(first, last);
  return forward === null ? { id, operator, index, range, vm } : { id, operator, index, range, vm, forward };
}

/** Encode `entry` for the durable journal. */
export function encodeEntry(entry: JournalEntry, ctx: JournalCodecContext): EncodedEntry {
  let checkpoint: Uint8Array | null = null;
  const input = entry.input;
  let wire: unknown;
  switch (input.kind) {
    case "create":
      wire = {
        kind: "create",
        instances: input.setup.plan.instances.map(specToJson),
        ft: input.setup.ft ?? null,
      };
      break;
    case "reply": {
      const codec = ctx.codecOf(input.reply.type === "checkpointed" ? input.reply.checkpoint.operator : 0);
      const msg = toReplyMessage(input.reply, codec);
      if (msg.checkpoint.length > 0) checkpoint = msg.checkpoint;
      const bytes = ControlReplyMessage.encode({ ...msg, checkpoint: Buffer.alloc(0) }).finish();
      wire = { kind: "reply", reply: Buffer.from(bytes).toString("base64") };
      break;
    }
    case "deployed":
      wire = { kind: "deployed", call: input.call, placed: input.placed.map(specToJson) };
      break;
    default:
      wire = input;
  }
  const json = JSON.stringify({
    atMs: entry.atMs,
    depth: entry.depth,
    afterEffect: entry.afterEffect,
    answers: entry.answers,
    effects: entry.effects,
    input: wire,
  });
  return { json, checkpoint };
}

/** Read back entry number `at` of a journal (`checkpoint`: the bytes kept apart, when its reply carried one). */
export function decodeEntry(e: EncodedEntry, at: number, ctx: JournalCodecContext): JournalEntry {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(e.json) as Record<string, unknown>;
  } catch (err) {
    throw new JournalCodecError(at, `not JSON (${(err as Error).message})`);
  }
  const num = (v: unknown, field: string): number => {
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new JournalCodecError(at, `${field} is not a number`);
    return v;
  };
  const answers = raw.answers;
  if (!Array.isArray(answers) || !answers.every((a) => typeof a === "boolean"))
    throw new JournalCodecError(at, "answers is not a list of true and false");
  const effects = raw.effects === null ? null : num(raw.effects, "effects");
  return {
    atMs: num(raw.atMs, "atMs"),
    depth: num(raw.depth, "depth"),
    afterEffect: num(raw.afterEffect, "afterEffect"),
    answers: [...answers],
    effects,
    input: decodeInput(raw.input, e.checkpoint, at, ctx),
  };
}

function decodeInput(
  wire: unknown,
  checkpoint: Uint8Array | null,
  at: number,
  ctx: JournalCodecContext,
): CoordinatorInput {
  const w = (typeof wire === "object" && wire !== null ? wire : {}) as Record<string, unknown>;
  const ints = (...fields: string[]) => {
    for (const f of fields)
      if (!Number.isInteger(w[f]))
        throw new JournalCodecError(at, `${String(w.kind)}: ${f} is not an integer`);
  };
  switch (w.kind) {
    case "create": {
      if (!Array.isArray(w.instances)) throw new JournalCodecError(at, "create: instances is not a list");
      const plan = { logical: ctx.logical, instances: w.instances.map((s) => specFromJson(s, at)) };
      const setup: CoordinatorSetup =
        w.ft === null ? { plan } : { plan, ft: w.ft as NonNullable<CoordinatorSetup["ft"]> };
      return { kind: "create", setup };
    }
    case "reply":
      return { kind: "reply", reply: decodeReply(w.reply, checkpoint, at, ctx) };
    case "failed":
      if (!Array.isArray(w.ids) || !w.ids.every(Number.isInteger))
        throw new JournalCodecError(at, "failed: ids is not a list of instances");
      if (typeof w.failedAtMs !== "number")
        throw new JournalCodecError(at, "failed: failedAtMs is not a number");
      return { kind: "failed", ids: w.ids as number[], failedAtMs: w.failedAtMs };
    case "timer":
      ints("timer");
      return { kind: "timer", timer: w.timer as number };
    case "deployed":
      ints("call");
      if (!Array.isArray(w.placed)) throw new JournalCodecError(at, "deployed: placed is not a list");
      return { kind: "deployed", call: w.call as number, placed: w.placed.map((s) => specFromJson(s, at)) };
    case "reserved":
      ints("call", "vm");
      return { kind: "reserved", call: w.call as number, vm: w.vm as number };
    case "scaleOut":
      ints("instance", "factor");
      return { kind: "scaleOut", instance: w.instance as number, factor: w.factor as number };
    case "migrate":
      ints("instance");
      return { kind: "migrate", instance: w.instance as number };
    case "scaleIn":
      ints("x", "y");
      return { kind: "scaleIn", x: w.x as number, y: w.y as number };
    case "abandon":
      ints("record");
      if (typeof w.why !== "string") throw new JournalCodecError(at, "abandon: why is not text");
      return { kind: "abandon", why: w.why, record: w.record as number };
    case "start":
    case "stop":
      return { kind: w.kind };
    default:
      throw new JournalCodecError(at, `no input of kind ${JSON.stringify(w.kind)}`);
  }
}

function decodeReply(
  wire: unknown,
  checkpoint: Uint8Array | null,
  at: number,
  ctx: JournalCodecContext,
): ControlReply {
  if (typeof wire !== "string") throw new JournalCodecError(at, "reply: not base64 text");
  try {
    const msg = ControlReplyMessage.decode(Buffer.from(wire, "base64"));
    const bytes =
      checkpoint === null
        ? null
        : Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength);
    return fromReplyMessage(bytes === null ? msg : { ...msg, checkpoint: bytes }, ctx.codecOf);
  } catch (err) {
    throw new JournalCodecError(at, `reply: ${(err as Error).message}`);
  }
}
