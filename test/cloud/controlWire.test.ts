// Control messages and replies on the wire: every variant survives conversion to its
// proto, protobuf encoding and decoding, and conversion back, checkpoints (through their
// operator's state codec) and routing states included; unknown types are refused.

import { describe, expect, it } from "vitest";
import { carriedCheckpoint, controlDeadlineMs, wireCodecOf } from "../../cloud/controlForwarder.js";
import {
  type CodecOf,
  fromControlRequest,
  fromReplyMessage,
  toControlRequest,
  toReplyMessage,
} from "../../cloud/controlWire.js";
import { ControlReplyMessage, ControlRequest } from "../../cloud/gen/seep/v1/seep.js";
import {
  type Checkpoint,
  type ControlMessage,
  type ControlReply,
  InProcessRuntime,
  JSON_STATE_CODEC,
  KeyGroupRange,
  type PhysicalPlan,
  physicalPlan,
  QueryBuilder,
  routingState,
  StateSnapshot,
  sumAggregate,
  timeWindow,
} from "../../engine/index.js";
import { keyedCountPlan, makeEvents, type SinkRecord } from "../engine/fixtures.js";
import { Collect, type Out, type Row, RowSource } from "../engine/windows/fixtures.js";

/** A window plan and mid-stream checkpoints of its instances (window state holds Panes). */
function windowCheckpoints(): { plan: PhysicalPlan; checkpoints: Checkpoint[] } {
  const rows: Row[] = Array.from({ length: 300 }, (_, j) => ({ key: (j * 7) % 13, t: j * 2, x: j % 5 }));
  const w = timeWindow({ sizeMs: 30, slideMs: 10, aggregate: sumAggregate(0), layout: "values" });
  const outs: Out<unknown>[] = [];
  const q = new QueryBuilder("wire-window");
  const src = q.source("src", () => new RowSource(rows), { outputs: [{ fields: 1 }] });
  const win = q.operator("win", w.create, { ...w.options, parallelism: 2 });
  const sink = q.sink("sink", () => new Collect(outs));
  q.connect(src, win, "key").connect(win, sink, "key");
  const plan = physicalPlan(q.build());
  const rt = new InProcessRuntime(plan, { batchSize: 16 });
  rt.start();
  for (let k = 0; k < 6; k++) rt.step();
  return { plan, checkpoints: plan.instances.map((s) => rt.instance(s.id).checkpoint(9)) };
}

const { plan, checkpoints } = windowCheckpoints();
const codecOf: CodecOf = (operator) => plan.logical.operators[operator].stateCodec ?? JSON_STATE_CODEC;
const windowCp = checkpoints.find((c) => c.operator === 1 && c.processing.size > 0 && c.buffers.length > 0)!;

const out: SinkRecord[] = [];
const countPlan = physicalPlan(keyedCountPlan(makeEvents(400, 30), out));
const countRt = new InProcessRuntime(countPlan, { batchSize: 20 });
countRt.start();
for (let k = 0; k < 5; k++) countRt.step();
const countCp = countRt.instance(1).checkpoint(4);
const countCodecOf: CodecOf = (operator) =>
  countPlan.logical.operators[operator].stateCodec ?? JSON_STATE_CODEC;

/** Through the proto and its binary encoding, and back, with the codecs of `codecs`. */
function requestRoundTrip(instance: number, msg: ControlMessage, codecs: CodecOf = codecOf) {
  const bytes = ControlRequest.encode(toControlRequest(instance, msg, codecs(operatorOf(msg)))).finish();
  return fromControlRequest(ControlRequest.decode(bytes), codecs);
}

function replyRoundTrip(reply: ControlReply, codec = JSON_STATE_CODEC): ControlReply {
  const bytes = ControlReplyMessage.encode(toReplyMessage(reply, codec)).finish();
  return fromReplyMessage(ControlReplyMessage.decode(bytes), codecOf);
}

const operatorOf = (msg: ControlMessage): number =>
  msg.type === "backup" || msg.type === "restore"
    ? msg.checkpoint.operator
    : msg.type === "rebuild"
      ? msg.mark.operator
      : 0;

/** An upstream-backup mark of `cp`'s instance: its positions, no state, no buffers, a horizon. */
function markOf(cp: Checkpoint, horizonMs: number | undefined): Checkpoint {
  const { range, maxKeyGroups } = cp.processing;
  const mark: Checkpoint = {
    ...cp,
    processing: new StateSnapshot(
      maxKeyGroups,
      range,
      Array.from({ length: range.size }, () => new Map()),
    ),
    buffers: [],
  };
  return horizonMs === undefined ? mark : { ...mark, horizonMs };
}

const HORIZONS = [1234.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, undefined];

describe("control requests on the wire", () => {
  const messages: ControlMessage[] = [
    { type: "start" },
    { type: "checkpoint", checkpointId: 0 },
    { type: "checkpoint", checkpointId: 2 ** 40 + 3 },
    { type: "backup", checkpoint: windowCp },
    { type: "restore", checkpoint: windowCp },
    { type: "restore", checkpoint: windowCp, resent: true },
    { type: "ack", edge: 1, receiver: 4, seq: 1234 },
    { type: "ack", edge: 1, receiver: 4, seq: 1234, beforeTimeMs: 900 },
    { type: "ack", edge: 1, receiver: 4, seq: 1234, beforeTimeMs: 0 },
    { type: "ack", edge: 2, receiver: 0, seq: 5, beforeTimeMs: Number.NEGATIVE_INFINITY },
    { type: "replay", edge: 0, receiver: 2, afterSeq: 77 },
    { type: "replayKept", edge: 1, receiver: 3 },
    { type: "replayKept", edge: 0, receiver: 0 },
    { type: "mark", checkpointId: 0 },
    { type: "mark", checkpointId: 2 ** 40 + 5 },
    ...HORIZONS.map((h): ControlMessage => ({ type: "rebuild", mark: markOf(windowCp, h) })),
    { type: "pause" },
    { type: "resume" },
    {
      type: "reroute",
      edge: 1,
      routing: routingState("key", [3, 7], {
        ranges: [KeyGroupRange.of(0, 40), KeyGroupRange.of(41, 127)],
        maxKeyGroups: 128,
        senderIndex: 1,
      }),
    },
    { type: "reroute", edge: 0, routing: { ...routingState("roundRobin", [1, 2, 3]), next: 2 } },
    // A scale out's reroute: the buffered tuples after each receiver's position move.
    {
      type: "reroute",
      edge: 1,
      routing: routingState("key", [3, 9], {
        ranges: [KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127)],
        maxKeyGroups: 128,
        senderIndex: 0,
      }),
      resumeFrom: [
        [3, 1234],
        [9, 1234],
        [4, Number.NEGATIVE_INFINITY],
        [5, Number.POSITIVE_INFINITY],
      ],
    },
    { type: "reroute", edge: 2, routing: routingState("roundRobin", [1]), resumeFrom: [] },
    // A scale out's checkpoint ids are negative; positions may be infinite (a watermark of -Infinity).
    {
      type: "checkpointWhenReceived",
      checkpointId: -1,
      received: [
        { edge: 0, sender: 1, seq: 512, watermarkMs: Number.NEGATIVE_INFINITY },
        { edge: 0, sender: 2, seq: 0, watermarkMs: 1250.5 },
        { edge: 3, sender: 7, seq: Number.POSITIVE_INFINITY, watermarkMs: Number.NaN },
      ],
    },
    { type: "checkpointWhenReceived", checkpointId: 2 ** 40 + 1, received: [] },
    { type: "checkpoint", checkpointId: -7, holdAcks: true },
    {
      type: "catchUp",
      processed: [{ edge: 1, sender: 2, seq: 12, watermarkMs: 3000 }],
      watermarkMs: 2999.5,
    },
    { type: "catchUp", processed: [], watermarkMs: Number.NEGATIVE_INFINITY },
    { type: "addSender", edge: 2, sender: 6 },
    { type: "addSender", edge: 0, sender: 0 },
    { type: "reportCut", edge: 1, sender: 4 },
    { type: "reopenChannel", edge: 1, sender: 4 },
    { type: "replaceSender", edge: 1, sender: 4, by: [9, 10, 11] },
    {
      type: "suppressOutput",
      cuts: [
        {
          edge: 1,
          receiver: 7,
          processed: [{ edge: 0, sender: 2, seq: 812, watermarkMs: 1999 }],
          watermarkMs: 2000,
        },
        { edge: null, receiver: null, processed: [], watermarkMs: Number.NEGATIVE_INFINITY },
      ],
    },
    { type: "restoreBackup", instance: 4 },
    {
      type: "restoreBackup",
      instance: 4,
      parts: [
        { instance: 9, range: KeyGroupRange.of(0, 63) },
        { instance: 10, range: KeyGroupRange.of(64, 127) },
      ],
    },
    { type: "shed", rate: 0 },
    { type: "shed", rate: 0.375 },
    { type: "shed", rate: 1 },
    { type: "retire" },
    // A scale in's retire under rsm: Y lingers, serving replays and acks, until a plain retire.
    { type: "retire", linger: true },
    // A live scale out's: once these positions are received; under rsm X lingers.
    {
      type: "retire",
      received: [
        { edge: 0, sender: 1, seq: 512, watermarkMs: 1250.5 },
        { edge: 0, sender: 2, seq: Number.NEGATIVE_INFINITY, watermarkMs: Number.NEGATIVE_INFINITY },
      ],
    },
    {
      type: "retire",
      received: [{ edge: 0, sender: 1, seq: 512, watermarkMs: 1250.5 }],
      linger: true,
    },
    { type: "retire", received: [], linger: true },
    { type: "stop" },
  ];

  for (const msg of messages) {
    it(`"${msg.type}" survives toControlRequest, encode, decode and fromControlRequest`, () => {
      expect(requestRoundTrip(6, msg)).toEqual({ instance: 6, message: msg });
    });
  }

  it("an ack goes with beforeTimeMs +Infinity when it has none, and comes back without one", () => {
    const plain = toControlRequest(1, { type: "ack", edge: 1, receiver: 2, seq: 3 }, JSON_STATE_CODEC);
    expect(plain.beforeTimeMs).toBe(Number.POSITIVE_INFINITY);
    const back = requestRoundTrip(1, { type: "ack", edge: 1, receiver: 2, seq: 3 });
    expect(back.message).not.toHaveProperty("beforeTimeMs");
    const some = requestRoundTrip(1, { type: "ack", edge: 1, receiver: 2, seq: 3, beforeTimeMs: -7.25 });
    expect(some.message).toStrictEqual({ type: "ack", edge: 1, receiver: 2, seq: 3, beforeTimeMs: -7.25 });
  });

  it("a rebuild's mark keeps its horizon (finite, -Infinity, +Infinity or none), before and after decoding", () => {
    for (const h of HORIZONS) {
      const mark = markOf(countCp, h);
      const { message } = requestRoundTrip(mark.instance, { type: "rebuild", mark }, countCodecOf);
      if (message.type !== "rebuild") throw new Error(`got "${message.type}"`);
      const back = message.mark;
      expect([back.id, back.instance, back.operator]).toEqual([mark.id, mark.instance, mark.operator]);
      expect(back.horizonMs).toBe(h);
      expect("horizonMs" in back).toBe(h !== undefined);
      expect(back.processing.size).toBe(0); // decodes the rest
      expect(back.horizonMs).toBe(h);
      expect(back.buffers).toEqual([]);
      expect(back).toEqual(mark);
    }
  });

  it("a rebuild from a base carries the base's state and the mark's positions, each intact", () => {
    const mark = { ...markOf(countCp, 1234.5), id: countCp.id + 9 };
    const { message } = requestRoundTrip(
      mark.instance,
      { type: "rebuild", mark, base: countCp },
      countCodecOf,
    );
    if (message.type !== "rebuild") throw new Error(`got "${message.type}"`);
    expect(message.mark).toEqual(mark);
    expect(message.base).toEqual(countCp);
    expect(message.base!.processing.size).toBeGreaterThan(0);
    const rebuild: ControlMessage = { type: "rebuild", mark, base: countCp };
    expect(carriedCheckpoint(rebuild)).toBe(countCp);
  });

  it("refuses a rebuild whose mark in extra_json is not what it should be, in one line", () => {
    const req = toControlRequest(
      countCp.instance,
      { type: "rebuild", mark: markOf(countCp, 1), base: countCp },
      countCodecOf(countCp.operator),
    );
    for (const extraJson of ["{", '{"mark": 3}', "null"])
      expect(() => fromControlRequest({ ...req, extraJson }, countCodecOf)).toThrow(
        /^control "rebuild": extra_json /,
      );
  });

  it("carries a checkpoint's keyed state, buffers and times through its operator's codec", () => {
    const back = requestRoundTrip(countCp.instance, { type: "restore", checkpoint: countCp }, countCodecOf);
    expect(back.message).toEqual({ type: "restore", checkpoint: countCp });
    const window = requestRoundTrip(windowCp.instance, { type: "backup", checkpoint: windowCp });
    const cp = (window.message as { checkpoint: Checkpoint }).checkpoint;
    expect([...cp.processing.entries()]).toEqual([...windowCp.processing.entries()]);
    expect(cp.processing.size).toBeGreaterThan(0);
    expect(cp.buffers.flatMap((b) => b.batches).length).toBeGreaterThan(0);
  });

  it("a rebuild is sent as a restore is: its mark through its operator's codec, with a long deadline", () => {
    const mark = markOf(windowCp, 10);
    const rebuild: ControlMessage = { type: "rebuild", mark };
    const restore: ControlMessage = { type: "restore", checkpoint: windowCp };
    expect(carriedCheckpoint(rebuild)).toBe(mark);
    expect(wireCodecOf(rebuild, codecOf)).toBe(codecOf(mark.operator));
    expect(wireCodecOf(rebuild, codecOf)).not.toBe(JSON_STATE_CODEC);
    expect(controlDeadlineMs(rebuild)).toBe(controlDeadlineMs(restore));
    for (const m of [
      { type: "mark", checkpointId: 1 },
      { type: "replayKept", edge: 0, receiver: 1 },
    ] satisfies ControlMessage[]) {
      expect(carriedCheckpoint(m)).toBeUndefined();
      expect(wireCodecOf(m, codecOf)).toBe(JSON_STATE_CODEC);
      expect(controlDeadlineMs(m)).toBe(
        controlDeadlineMs({ type: "replay", edge: 0, receiver: 1, afterSeq: 0 }),
      );
    }
  });

  it("refuses an unknown type, a checkpoint-less backup and an instance the wire cannot carry", () => {
    const bare = toControlRequest(1, { type: "start" }, JSON_STATE_CODEC);
    expect(() => fromControlRequest({ ...bare, type: "explode" }, codecOf)).toThrow(
      /unknown control message type "explode"/,
    );
    expect(() => fromControlRequest({ ...bare, type: "backup" }, codecOf)).toThrow(/carries no checkpoint/);
    expect(() => fromControlRequest({ ...bare, type: "rebuild" }, codecOf)).toThrow(/carries no checkpoint/);
    expect(() => fromControlRequest({ ...bare, type: "reroute", routingJson: "{" }, codecOf)).toThrow(
      /routing_json is not JSON/,
    );
    expect(() => toControlRequest(-1, { type: "start" }, JSON_STATE_CODEC)).toThrow(/not a uint32/);
    expect(() => toControlRequest(1, { type: "mark", checkpointId: -2 }, JSON_STATE_CODEC)).toThrow(
      /not a non-negative safe integer/,
    );
    expect(() => toControlRequest(1, { type: "checkpoint", checkpointId: 0.5 }, JSON_STATE_CODEC)).toThrow(
      /not a safe integer/,
    );
    expect(() =>
      toControlRequest(
        1,
        { type: "checkpointWhenReceived", checkpointId: 0.5, received: [] },
        JSON_STATE_CODEC,
      ),
    ).toThrow(/not a safe integer/);
    expect(() => toControlRequest(1, { type: "addSender", edge: 0, sender: -1 }, JSON_STATE_CODEC)).toThrow(
      /sender -1 is not a uint32/,
    );
  });

  it("a retire without linger goes as before (seq 0) and comes back without linger or received", () => {
    const plain = toControlRequest(1, { type: "retire" }, JSON_STATE_CODEC);
    expect([plain.seq, plain.extraJson]).toEqual([0, ""]);
    expect(requestRoundTrip(1, { type: "retire" }).message).toStrictEqual({ type: "retire" });
    const received = [{ edge: 0, sender: 1, seq: 3, watermarkMs: 4 }];
    const live = toControlRequest(1, { type: "retire", received }, JSON_STATE_CODEC);
    expect(live.seq).toBe(0);
    expect(requestRoundTrip(1, { type: "retire", received }).message).toStrictEqual({
      type: "retire",
      received,
    });
    const lingering = requestRoundTrip(1, { type: "retire", linger: true }).message;
    expect(lingering).toStrictEqual({ type: "retire", linger: true });
    // linger: false is the plain retire on the wire.
    expect(requestRoundTrip(1, { type: "retire", linger: false }).message).toStrictEqual({ type: "retire" });
  });

  it("a reroute without resumeFrom comes back without one; with an empty one, with an empty one", () => {
    const routing = routingState("roundRobin", [1, 2]);
    const plain = requestRoundTrip(1, { type: "reroute", edge: 0, routing }).message;
    expect(plain).not.toHaveProperty("resumeFrom");
    expect(toControlRequest(1, { type: "reroute", edge: 0, routing }, JSON_STATE_CODEC).extraJson).toBe("");
    const empty = requestRoundTrip(1, { type: "reroute", edge: 0, routing, resumeFrom: [] }).message;
    expect(empty).toStrictEqual({ type: "reroute", edge: 0, routing, resumeFrom: [] });
  });

  it("refuses scale-out lists that are not what their type carries", () => {
    const cwr = toControlRequest(
      1,
      { type: "checkpointWhenReceived", checkpointId: -3, received: [] },
      JSON_STATE_CODEC,
    );
    const cases: [string, RegExp][] = [
      ["", /checkpointWhenReceived.*extra_json is not JSON/],
      ["{}", /extra_json is not an array/],
      ["[1]", /holds a row that is not an array/],
      ["[[0, 1, 2]]", /malformed row \(not \[edge, sender, seq, watermarkMs\]\)/],
      ['[[0, 1, "many", 0]]', /malformed row \(seq: expected a number/],
      ["[[0.5, 1, 2, 0]]", /malformed row \(edge is not an integer\)/],
    ];
    for (const [extraJson, message] of cases)
      expect(() => fromControlRequest({ ...cwr, extraJson }, codecOf), extraJson).toThrow(message);
    const reroute = toControlRequest(
      1,
      { type: "reroute", edge: 0, routing: routingState("roundRobin", [1]), resumeFrom: [[1, 2]] },
      JSON_STATE_CODEC,
    );
    expect(() => fromControlRequest({ ...reroute, extraJson: "[[1, 2, 3]]" }, codecOf)).toThrow(
      /reroute.*not \[receiver, seq\]/,
    );
  });
});

describe("a restore's checkpoint on the wire", () => {
  it("is adopted by the restore it was decoded for; a backup's is copied", () => {
    const restore = requestRoundTrip(6, { type: "restore", checkpoint: windowCp }).message as {
      checkpoint: Checkpoint;
    };
    const backup = requestRoundTrip(6, { type: "backup", checkpoint: windowCp }).message as {
      checkpoint: Checkpoint;
    };
    expect(restore.checkpoint.processing.adopt()).not.toBeNull();
    expect(backup.checkpoint.processing.adopt()).toBeNull();
  });
});

describe("control replies on the wire", () => {
  const replies: ControlReply[] = [
    { type: "checkpointed", instance: windowCp.instance, checkpoint: windowCp },
    ...HORIZONS.map(
      (h): ControlReply => ({
        type: "checkpointed",
        instance: windowCp.instance,
        checkpoint: markOf(windowCp, h),
      }),
    ),
    { type: "backedUp", holder: 0, instance: 3, checkpointId: 12 },
    { type: "restored", instance: 2, checkpointId: 5 },
    // Restored from a scale out's part: its checkpoint id is negative.
    { type: "restored", instance: 6, checkpointId: -2 },
    { type: "backedUp", holder: 1, instance: 6, checkpointId: -2 },
    {
      type: "paused",
      instance: 1,
      sent: [
        { edge: 1, receiver: 3, seq: 4096 },
        { edge: 1, receiver: 4, seq: 0 },
        { edge: 2, receiver: 5, seq: Number.NEGATIVE_INFINITY },
        { edge: 2, receiver: 6, seq: Number.POSITIVE_INFINITY },
      ],
    },
    { type: "paused", instance: 0, sent: [] },
    { type: "senderAdded", instance: 5, edge: 2, sender: 6 },
    { type: "senderReplaced", instance: 5, edge: 2, sender: 4 },
    { type: "cutReported", instance: 5, edge: 2, sender: 4, receivedSeq: 0, cut: null },
    {
      type: "cutReported",
      instance: 5,
      edge: 2,
      sender: 4,
      receivedSeq: 4097,
      cut: { processed: [{ edge: 0, sender: 1, seq: 300, watermarkMs: 80 }], watermarkMs: 79.5 },
    },
    {
      type: "retired",
      instance: 4,
      processed: [
        { edge: 1, sender: 0, seq: 4096, watermarkMs: 1500 },
        { edge: 2, sender: 3, seq: 0, watermarkMs: Number.NEGATIVE_INFINITY },
      ],
      watermarkMs: 1500,
    },
    { type: "retired", instance: 4, processed: [], watermarkMs: Number.POSITIVE_INFINITY },
    // Retired lingering (rsm): it still serves its receivers' replays.
    {
      type: "retired",
      instance: 4,
      processed: [{ edge: 1, sender: 0, seq: 4096, watermarkMs: 1500 }],
      watermarkMs: 1500,
      lingering: true,
    },
    { type: "retired", instance: 9, processed: [], watermarkMs: Number.NEGATIVE_INFINITY, lingering: true },
    { type: "ended", instance: 4 },
    { type: "stopped", instance: 0 },
    { type: "caughtUp", instance: 6 },
    { type: "takenOver", instance: 7 },
    { type: "rebuilt", instance: 7 },
  ];

  for (const reply of replies) {
    it(`"${reply.type}" survives toReplyMessage, encode, decode and fromReplyMessage`, () => {
      const codec = reply.type === "checkpointed" ? codecOf(reply.checkpoint.operator) : JSON_STATE_CODEC;
      expect(replyRoundTrip(reply, codec)).toEqual(reply);
    });
  }

  it("a retired reply goes lingering only when it is (holder 1), and comes back without lingering otherwise", () => {
    const plain: ControlReply = { type: "retired", instance: 4, processed: [], watermarkMs: 7 };
    expect(toReplyMessage(plain, JSON_STATE_CODEC).holder).toBe(0);
    expect(replyRoundTrip(plain)).toStrictEqual(plain);
    expect(replyRoundTrip({ ...plain, lingering: false })).toStrictEqual(plain);
    const lingering: ControlReply = { ...plain, lingering: true };
    expect(toReplyMessage(lingering, JSON_STATE_CODEC).holder).toBe(1);
    expect(replyRoundTrip(lingering)).toStrictEqual(lingering);
  });

  it("refuses an unknown reply type", () => {
    const msg = toReplyMessage({ type: "ended", instance: 1 }, JSON_STATE_CODEC);
    expect(() => fromReplyMessage({ ...msg, type: "exploded" }, codecOf)).toThrow(
      /unknown control reply type "exploded"/,
    );
  });

  it("refuses a paused reply whose sent positions are not [edge, receiver, seq] rows", () => {
    const msg = toReplyMessage({ type: "paused", instance: 1, sent: [] }, JSON_STATE_CODEC);
    expect(() => fromReplyMessage({ ...msg, extraJson: "[[1, 2]]" }, codecOf)).toThrow(
      /paused.*not \[edge, receiver, seq\]/,
    );
    expect(() => fromReplyMessage({ ...msg, extraJson: "nope" }, codecOf)).toThrow(/paused.*not JSON/);
  });
});
