// The hot message of the data plane written and read by hand: a DataFrame's protobuf bytes
// built in one buffer, with the batch's columns copied straight into it, and read back
// with the batch as a view of the received bytes. ts-proto's generic writer would copy the
// batch bytes twice more (into its chunks, then when finishing) and its reader once
// (`Buffer.from`); at millions of tuples a second that is most of a worker's time. The
// bytes are ordinary protobuf: the generated DataFrame code reads them too.
//
// Alignment: the batch's columns are read as Float64Array views only where they start on
// a multiple of 8 bytes (else decodeBatch copies each column). grpc-js hands a received
// message over at byte 5 of a fresh buffer (after its 5-byte length prefix), so the frame
// puts an unknown field (PADDING_FIELD, skipped by every protobuf reader) before the batch,
// of the length that makes the batch start at 3 mod 8 within the message.

import { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  type ChannelCredentials,
  type ClientDuplexStream,
  type ClientOptions,
  type Metadata,
  makeGenericClientConstructor,
} from "@grpc/grpc-js";
import { type Batch, prepareBatch, writeBatch } from "../engine/index.js";
import type { FramePool } from "./framePool.js";
import { type Credit, type DataFrame, DataPlaneService } from "./gen/seep/v1/seep.js";

/** The field number of the frame's padding: not one of DataFrame's, so readers skip it. */
export const PADDING_FIELD = 15;
/** Where grpc-js's received message starts within its buffer, mod 8 (after the length prefix). */
const MESSAGE_OFFSET = 5;

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

/**
 * A DataFrame (edge, sender, receiver, batch) as protobuf bytes, padded so that the batch
 * starts 8-byte aligned where grpc-js hands the message over (see the header); in a
 * buffer of `pool` when given (to be given back once sent).
 */
export function encodeFrame(
  edge: number,
  sender: number,
  receiver: number,
  batch: Batch,
  pool?: FramePool,
): Buffer {
  const p = prepareBatch(batch);
  const fields =
    1 + varintSize(edge) + 1 + varintSize(sender) + 1 + varintSize(receiver) + 1 + varintSize(p.sizeBytes);
  // The padding field's tag and length byte, then 0 to 7 bytes of padding.
  const padding = (8 - ((MESSAGE_OFFSET + fields + 2) % 8)) % 8;
  const bytes = fields + 2 + padding + p.sizeBytes;
  const buf = pool === undefined ? Buffer.allocUnsafe(bytes) : pool.take(bytes);
  let at = 0;
  buf[at++] = 0x08; // field 1, varint
  at = writeVarint(buf, at, edge);
  buf[at++] = 0x10; // field 2, varint
  at = writeVarint(buf, at, sender);
  buf[at++] = 0x18; // field 3, varint
  at = writeVarint(buf, at, receiver);
  buf[at++] = (PADDING_FIELD << 3) | 2; // length-delimited
  buf[at++] = padding;
  buf.fill(0, at, at + padding);
  at += padding;
  buf[at++] = 0x22; // field 4, length-delimited
  at = writeVarint(buf, at, p.sizeBytes);
  writeBatch(p, buf, at);
  return buf;
}

/**
 * Read a DataFrame's protobuf bytes (any writer's), the batch as a view of `bytes` (no
 * copy: a received message's buffer is its own). Throws on bytes that are not a DataFrame.
 */
export function decodeFrame(bytes: Buffer): DataFrame {
  const r = new BinaryReader(bytes);
  const frame: DataFrame = { edge: 0, sender: 0, receiver: 0, batch: Buffer.alloc(0) };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 0x08) frame.edge = r.uint32();
    else if (tag === 0x10) frame.sender = r.uint32();
    else if (tag === 0x18) frame.receiver = r.uint32();
    else if (tag === 0x22) {
      const b = r.bytes();
      frame.batch = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    } else r.skip(tag & 7, tag >>> 3);
  }
  return frame;
}

/**
 * The data-plane service as the sending side sees it (frames arrive already encoded) and
 * as the receiving side reads it (the batch a view of the received bytes).
 */
export const FrameDataPlaneService = {
  stream: {
    ...DataPlaneService.stream,
    requestSerialize: (frame: Buffer): Buffer => frame,
    requestDeserialize: decodeFrame,
  },
} as const;

/** A data-plane client that writes frames made by `encodeFrame`. */
export interface FrameDataPlaneClient {
  stream(metadata: Metadata): ClientDuplexStream<Buffer, Credit>;
  /** Connect now (if need be); `callback` once ready, or with an error at `deadline`. */
  waitForReady(deadline: Date | number, callback: (error?: Error) => void): void;
  close(): void;
}

/** The constructor of FrameDataPlaneClient. */
export const FrameDataPlaneClient = makeGenericClientConstructor(
  FrameDataPlaneService,
  "seep.v1.DataPlane",
) as unknown as {
  new (
    address: string,
    credentials: ChannelCredentials,
    options?: Partial<ClientOptions>,
  ): FrameDataPlaneClient;
};
