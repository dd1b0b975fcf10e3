// Shared by the report tests: a PNG's size, after checking its signature, its header and
// that its image data inflates.

import { inflateSync } from "node:zlib";
import { expect } from "vitest";

/** Width and height of a PNG that decodes. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(bytes.toString("latin1", 12, 16)).toBe("IHDR");
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString("latin1", at + 4, at + 8) === "IDAT")
      idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  expect(inflateSync(Buffer.concat(idat)).length).toBeGreaterThan(0);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
