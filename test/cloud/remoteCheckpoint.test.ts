// Checkpoints named by reference: the coordinator reads a remote checkpoint's head, range,
// output positions and the rest of its meta without its bytes, its state only once they
// are here (before, one line saying where it is); it passes it on by reference (or as the
// bytes it pulled, when told its worker is gone), and its parts are references the source
// cuts, or cut here once the whole's bytes are. A receiving worker's decode of the fetched
// bytes equals the original. The engine's partition, asNewInstancePart and withSuppression
// give parts by reference whose fields travel beside the reference and are applied where
// the bytes are fetched, as the engine applies them to a decoded checkpoint.

import { describe, expect, it } from "vitest";
import { CheckpointShelf, shelveCheckpointed } from "../../cloud/checkpointShelf.js";
import {
  fromControlRequest,
  fromReplyMessage,
  toControlRequest,
  toReplyMessage,
} from "../../cloud/controlWire.js";
import { checkpointFromWire, keepBytes } from "../../cloud/lazyCheckpoint.js";
import { applyPartFields } from "../../cloud/partFields.js";
import {
  localBytesOf,
  needsFetch,
  partitionByReference,
  RemoteStateError,
  remoteCheckpoint,
  remoteEntriesOf,
  remoteRefOf,
  wasForwarded,
} from "../../cloud/remoteCheckpoint.js";
import {
  asNewInstancePart,
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  KeyGroupRange,
  partition,
  partitionEncoded,
  withSuppression,
} from "../../engine/index.js";
import { countCheckpointBytes } from "./checkpointFixtures.js";

const WORKER = "127.0.0.1:9";

/** A count checkpoint as the coordinator gets it by reference: its checkpointed reply off the wire, and the original. */
function remoteCount() {
  const { cp, codec, bytes } = countCheckpointBytes(3_000);
  const msg = toReplyMessage({ type: "checkpointed", instance: cp.instance, checkpoint: cp }, codec);
  const shelved = shelveCheckpointed(new CheckpointShelf(), msg, cp, WORKER, 0);
  const reply = fromReplyMessage(shelved, () => codec);
  if (reply.type !== "checkpointed") throw new Error("not a checkpointed reply");
  return { original: cp, remote: reply.checkpoint, codec, bytes };
}

describe("a checkpoint named by reference", () => {
  it("gives its head, range, output positions and meta without its bytes, and its state only once they are here", () => {
    const { original, remote, bytes } = remoteCount();
    expect(remote.id).toBe(original.id);
    expect(remote.instance).toBe(original.instance);
    expect(remote.operator).toBe(original.operator);
    expect(remote.range.equals(original.range)).toBe(true);
    expect(remote.inputs).toEqual(original.inputs);
    expect(remote.outputs).toEqual(original.outputs);
    expect(remote.sourcePosition).toBe(original.sourcePosition);
    expect(remote.watermarkMs).toBe(original.watermarkMs);
    expect(remote.ended).toBe(original.ended);
    expect(remoteEntriesOf(remote)).toBe(original.processing.size);
    expect(needsFetch(remote)).toBe(true);
    expect(() => remote.processing).toThrow(RemoteStateError);
    expect(() => remote.buffers).toThrow(/is on worker 127\.0\.0\.1:9, not here: pull it first/);
    expect(() => remote.suppression).toThrow(RemoteStateError);
    keepBytes(remote, bytes);
    expect(remote.suppression).toBeUndefined();
    expect(needsFetch(remote)).toBe(false);
    expect(remote.processing.size).toBe(original.processing.size);
    expect([...remote.processing.entries()]).toEqual([...original.processing.entries()]);
  });

  it("is passed on by reference, and as its bytes once they are here and its worker is said gone", () => {
    const { remote, codec, bytes } = remoteCount();
    const backup = { type: "backup", checkpoint: remote } as const;
    const byRef = toControlRequest(4, backup, codec);
    expect(byRef.checkpoint.length).toBe(0);
    expect(byRef.checkpointRef).toMatchObject({
      worker: WORKER,
      instance: remote.instance,
      checkpointId: remote.id,
    });
    expect(byRef.checkpointRef!.metaJson).toBe(""); // the receiver needs no meta
    expect(wasForwarded(remote)).toBe(true);
    // The receiving worker's message names it; the fetched bytes decode to the same checkpoint.
    const received = fromControlRequest(byRef, () => codec).message as { checkpoint: Checkpoint };
    expect(needsFetch(received.checkpoint)).toBe(true);
    expect(received.checkpoint.range.equals(remote.range)).toBe(true);
    const local = checkpointFromWire(bytes, remoteRefOf(received.checkpoint)!.head, () => codec);
    expect(local.processing.size).toBe(remoteEntriesOf(remote));
    keepBytes(remote, bytes);
    expect(toControlRequest(4, backup, codec).checkpoint.length).toBe(0); // its worker lives: still by reference
    const inline = toControlRequest(4, backup, codec, () => false);
    expect(inline.checkpointRef).toBeUndefined();
    expect(Buffer.from(inline.checkpoint).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses to go inline where only bytes can go (a rebuild) while its bytes are elsewhere", () => {
    const { remote, codec } = remoteCount();
    expect(() => toControlRequest(4, { type: "rebuild", mark: remote }, codec)).toThrow(
      /is not here to be sent/,
    );
  });

  it("is partitioned by reference: parts the source cuts, or cut here once the whole's bytes are here", () => {
    const { remote, codec, bytes } = remoteCount();
    const r = remote.range;
    const mid = r.first + Math.floor(r.size / 2);
    const ranges = [KeyGroupRange.of(r.first, mid - 1), KeyGroupRange.of(mid, r.last)];
    const parts = partitionByReference(remote, ranges, () => codec)!;
    expect(parts.map((p) => p.instance)).toEqual([remote.instance, -1]);
    expect(parts.map((p) => p.range)).toEqual(ranges);
    expect(parts[1].outputs.every((o) => o.seq === 0 && o.sentTo.length === 0 && o.routing.next === 0)).toBe(
      true,
    );
    expect(parts[0].outputs).toEqual(remote.outputs);
    expect(wasForwarded(remote)).toBe(true);
    const ref = remoteRefOf(parts[1])!.ref;
    expect(ref.parts).toEqual(ranges.map((x) => ({ first: x.first, last: x.last })));
    expect(ref.part).toBe(1);
    const restore = toControlRequest(6, { type: "restore", checkpoint: parts[1], resent: true }, codec);
    expect(restore.checkpointRef?.part).toBe(1);
    const received = fromControlRequest(restore, () => codec).message as { checkpoint: Checkpoint };
    expect(received.checkpoint.instance).toBe(-1);
    expect(received.checkpoint.range.equals(ranges[1])).toBe(true);
    // The whole's bytes here: each part is cut from them, as partitionEncoded cuts.
    expect(localBytesOf(parts[1])).toBeUndefined();
    keepBytes(remote, bytes);
    const expected = partitionEncoded(bytes, ranges);
    expect(Buffer.from(localBytesOf(parts[1])!).equals(Buffer.from(expected[1]))).toBe(true);
    expect(parts[1].processing.size + parts[0].processing.size).toBe(remoteEntriesOf(remote));
    expect(() => partitionByReference(remote, [ranges[0]], () => codec)).toThrow(/tile/);
  });

  it("gives the engine's parts for new instances by reference, their fields applied to the bytes where fetched", () => {
    const { original, remote, codec, bytes } = remoteCount();
    const r = remote.range;
    const mid = r.first + Math.floor(r.size / 2);
    const ranges = [KeyGroupRange.of(r.first, mid - 1), KeyGroupRange.of(mid, r.last)];
    const cut = [{ edge: null, receiver: null, processed: remote.inputs, watermarkMs: 1234 }];
    // As a live scale out: partition, each part for a new instance, then its rewind base.
    const parts = partition(remote, ranges).map(asNewInstancePart);
    const bases = parts.map((p) => withSuppression(p, cut));
    const expected = partition(original, ranges)
      .map(asNewInstancePart)
      .map((p) => withSuppression(p, cut));
    for (const [i, base] of bases.entries()) {
      expect(needsFetch(parts[i]) && needsFetch(base)).toBe(true);
      // What the coordinator reads of them, without their bytes.
      expect(base.instance).toBe(-1);
      expect(base.buffers).toEqual([]);
      expect(base.suppression).toEqual(cut);
      expect(base.outputs).toEqual(expected[i].outputs);
      // Passed on by reference; the receiver fetches the part the source cuts and applies the fields.
      const restore = toControlRequest(6, { type: "restore", checkpoint: base, resent: true }, codec);
      expect(restore.checkpoint.length).toBe(0);
      const { ref, head } = remoteRefOf(
        (fromControlRequest(restore, () => codec).message as { checkpoint: Checkpoint }).checkpoint,
      )!;
      const served = partitionEncoded(bytes, ranges)[i];
      const received = checkpointFromWire(applyPartFields(served, ref.partFieldsJson), head, () => codec);
      expect(Buffer.from(encodeCheckpoint(received, codec))).toEqual(
        Buffer.from(encodeCheckpoint(expected[i], codec)),
      );
    }
    // Once the whole's bytes are here, each is cut and given its fields here.
    keepBytes(remote, bytes);
    expect(decodeCheckpoint(localBytesOf(bases[1])!, codec).suppression).toEqual(cut);
    expect(Buffer.from(localBytesOf(bases[1])!)).toEqual(Buffer.from(encodeCheckpoint(expected[1], codec)));
  });

  it("refuses a malformed reference or meta in one line", () => {
    const { remote, codec } = remoteCount();
    const { ref, head } = remoteRefOf(remote)!;
    expect(() => remoteCheckpoint({ ...ref, metaJson: "{" }, head, () => codec)).toThrow(
      /malformed checkpoint meta/,
    );
    expect(() => remoteCheckpoint({ ...ref, metaJson: '{"outputs": 3}' }, head, () => codec)).toThrow(
      /malformed checkpoint meta/,
    );
    expect(() => remoteCheckpoint({ ...ref, range: undefined }, head, () => codec)).toThrow(
      /not a key-group range/,
    );
    expect(() =>
      remoteCheckpoint({ ...ref, parts: [{ first: 0, last: 1 }], part: 3 }, head, () => codec),
    ).toThrow(/part 3 of 1/);
    expect(() =>
      remoteCheckpoint({ ...ref, partFieldsJson: '{"newInstance":1}' }, head, () => codec),
    ).toThrow(/malformed part fields: newInstance must be true or absent/);
  });
});
