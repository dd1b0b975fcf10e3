import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../../cloud/frameCodec.js";
import { DataFrame } from "../../cloud/gen/seep/v1/seep.js";
import { BatchBuilder, decodeBatch, encodeBatch } from "../../engine/index.js";

describe("encodeFrame", () => {
  it("writes the same protobuf a generated DataFrame decodes, the batch intact", () => {
    fc.assert(
      fc.property(
        fc.nat(2 ** 32 - 1),
        fc.nat(2 ** 32 - 1),
        fc.nat(2 ** 32 - 1),
        fc.array(fc.tuple(fc.integer(), fc.double({ noNaN: true })), { maxLength: 50 }),
        fc.boolean(),
        (edge, sender, receiver, rows, withValues) => {
          const b = new BatchBuilder(1);
          rows.forEach(([k, x], i) => {
            b.push(k, i, i + 1, withValues ? `v${i}` : undefined, [x]);
          });
          const batch = b.build(17, 3);
          const frame = DataFrame.decode(encodeFrame(edge, sender, receiver, batch));
          expect([frame.edge, frame.sender, frame.receiver]).toEqual([edge, sender, receiver]);
          expect(Buffer.from(frame.batch).equals(Buffer.from(encodeBatch(batch)))).toBe(true);
          const back = decodeBatch(frame.batch);
          expect([...back.keys]).toEqual([...batch.keys]);
          expect(back.values).toEqual(batch.values);
        },
      ),
    );
  });
});
