// Tests of the snapshot byte layout: what a writer writes a reader of the same kind reads
// back bit for bit, and the reader refuses in one line bytes it cannot read.

import { describe, expect, it } from "vitest";
import {
  OutputStateError,
  SNAPSHOT_VERSION,
  SnapshotKind,
  SnapshotReader,
  SnapshotWriter,
} from "../../../engine/metrics/snapshotBytes.js";

/** The message of what `f` throws, checked to be one line of an OutputStateError. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OutputStateError);
    const message = (e as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("no refusal");
}

function written(write: (w: SnapshotWriter) => void): Uint8Array {
  const w = new SnapshotWriter(SnapshotKind.sinkLedger);
  write(w);
  return w.finish();
}

describe("SnapshotWriter and SnapshotReader", () => {
  it("read back numbers bit for bit, strings and typed arrays, past the writer's first buffer", () => {
    const floats = Float64Array.from({ length: 1000 }, (_, i) => i / 3);
    const ints = Int32Array.from({ length: 100 }, (_, i) => -i * 7919);
    const long = "wörd ".repeat(200);
    const bytes = written((w) => {
      w.u8(255);
      w.u32(2 ** 32 - 1);
      for (const x of [-0, Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53 + 2]) w.f64(x);
      w.string(long);
      w.array(floats);
      w.array(ints, 50);
    });
    expect(Array.from(bytes.subarray(0, 6))).toEqual([0x53, 0x45, 0x4f, 0x53, SNAPSHOT_VERSION, 2]);
    const r = new SnapshotReader(bytes, SnapshotKind.sinkLedger);
    expect([r.u8("a"), r.u32("b")]).toEqual([255, 2 ** 32 - 1]);
    expect(Object.is(r.f64("c"), -0)).toBe(true);
    expect([r.f64("d"), r.f64("e"), r.f64("f")]).toEqual([Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53 + 2]);
    expect(r.string("g")).toBe(long);
    expect(r.f64s(1000, "h")).toEqual(floats);
    const tail = r.i32s(50, "i", 64);
    expect(tail).toHaveLength(64);
    expect(Array.from(tail.subarray(0, 50))).toEqual(Array.from(ints.subarray(0, 50)));
    r.end();
  });

  it("reads from a view that does not start its buffer", () => {
    const bytes = written((w) => w.array(Float64Array.of(1.5, 2.5)));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const r = new SnapshotReader(shifted.subarray(3), SnapshotKind.sinkLedger);
    expect(Array.from(r.f64s(2, "pair"))).toEqual([1.5, 2.5]);
  });

  it("refuses a short header, another magic, version or kind, in one line", () => {
    const bytes = written((w) => w.u32(7));
    const with_ = (at: number, b: number) => {
      const copy = bytes.slice();
      copy[at] = b;
      return copy;
    };
    const read =
      (b: Uint8Array, kind: SnapshotKind = SnapshotKind.sinkLedger) =>
      () =>
        new SnapshotReader(b, kind);
    expect(refusal(read(bytes.subarray(0, 5)))).toBe(
      "unreadable output state snapshot: 5 bytes, too short for a header",
    );
    expect(refusal(read(with_(0, 0)))).toContain('no "SEOS" at its start');
    expect(refusal(read(with_(4, 9)))).toContain(
      `layout version 9, this seep reads version ${SNAPSHOT_VERSION}`,
    );
    expect(refusal(read(with_(5, 77)))).toContain("it holds kind 77, expected a sink ledger");
    expect(refusal(read(bytes, SnapshotKind.outputDigest))).toContain(
      "it holds a sink ledger, expected an output digest",
    );
  });

  it("refuses bytes that run out, a count that cannot fit, a string that is not UTF-8 and bytes left over", () => {
    const r = (b: Uint8Array) => new SnapshotReader(b, SnapshotKind.sinkLedger);
    const three = written((w) => w.u32(3));
    expect(refusal(() => r(three).f64("the repeats"))).toBe(
      "unreadable output state snapshot: truncated in the repeats (8 bytes, 4 left at offset 6 of 10)",
    );
    expect(refusal(() => r(three).count("channels", 32))).toBe(
      "unreadable output state snapshot: truncated: 3 channels need 96 bytes, 0 left at offset 10 of 10",
    );
    const bad = written((w) => {
      w.u32(2);
      w.u8(0xff);
      w.u8(0xfe);
    });
    expect(refusal(() => r(bad).string("sink name"))).toContain("sink name is not UTF-8");
    const reader = r(three);
    expect(refusal(() => reader.end())).toContain("4 bytes left over");
  });
});
