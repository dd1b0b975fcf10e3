// Shared by the report tests: a PNG's size, after checking its signature, its header and
// that its image data inflates; and its pixels, decoded (8-bit RGB or RGBA, not interlaced,
// as resvg and Chromium write them), to see whether something is drawn in it.

import { inflateSync } from "node:zlib";
import { expect } from "vitest";

/** The chunks of a PNG, after checking its signature: type and data. */
function chunks(bytes: Buffer): { type: string; data: Buffer }[] {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    out.push({
      type: bytes.toString("latin1", at + 4, at + 8),
      data: bytes.subarray(at + 8, at + 8 + length),
    });
    at += 12 + length;
  }
  return out;
}

/** Width and height of a PNG that decodes. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const all = chunks(bytes);
  expect(all[0]?.type).toBe("IHDR");
  const idat = all.filter((c) => c.type === "IDAT").map((c) => c.data);
  expect(inflateSync(Buffer.concat(idat)).length).toBeGreaterThan(0);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The pixels of a PNG (8-bit RGB or RGBA, not interlaced), as RGBA rows top to bottom. */
export function pngPixels(bytes: Buffer): { width: number; height: number; rgba: Uint8Array } {
  const { width, height } = pngSize(bytes);
  const [depth, colour, , , interlace] = bytes.subarray(24, 29);
  expect({ depth, interlace }).toEqual({ depth: 8, interlace: 0 });
  expect([2, 6]).toContain(colour);
  const channels = colour === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(
    Buffer.concat(
      chunks(bytes)
        .filter((c) => c.type === "IDAT")
        .map((c) => c.data),
    ),
  );
  expect(raw.length).toBe(height * (stride + 1));
  const rows = new Uint8Array(height * stride);
  for (let r = 0; r < height; r++) {
    const filter = raw[r * (stride + 1)];
    if (filter > 4) throw new Error(`PNG row ${r}: unknown filter ${filter}`);
    for (let i = 0; i < stride; i++) {
      const v = raw[r * (stride + 1) + 1 + i];
      const left = i >= channels ? rows[r * stride + i - channels] : 0;
      const up = r > 0 ? rows[(r - 1) * stride + i] : 0;
      const upLeft = r > 0 && i >= channels ? rows[(r - 1) * stride + i - channels] : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predictor = filter === 4 ? paeth() : [0, left, up, (left + up) >> 1][filter];
      rows[r * stride + i] = (v + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = rows[p * channels + c];
    rgba[p * 4 + 3] = channels === 4 ? rows[p * channels + 3] : 255;
  }
  return { width, height, rgba };
}

/** How many pixels of a PNG are dark (each of red, green and blue below 100, opaque): drawn text or lines. */
export function darkPixels(bytes: Buffer): number {
  const { rgba } = pngPixels(bytes);
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4)
    if (rgba[i] < 100 && rgba[i + 1] < 100 && rgba[i + 2] < 100 && rgba[i + 3] > 200) n++;
  return n;
}
