// The hot message of the data plane written by hand: a DataFrame's protobuf bytes built
// in one buffer, with the batch's columns copied straight into it. ts-proto's generic
// writer would copy the batch bytes twice more (into its chunks, then when finishing);
// at millions of tuples a second that is most of the sender's time. The bytes are
// ordinary protobuf: the receiving side decodes them with the generated DataFrame code.

import {
  type ChannelCredentials,
  type ClientDuplexStream,
  type ClientOptions,
  type Metadata,
  makeGenericClientConstructor,
} from "@grpc/grpc-js";
import { type Batch, prepareBatch, writeBatch } from "../engine/index.js";
import { type Credit, DataPlaneService } from "./gen/seep/v1/seep.js";

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

/** A DataFrame (edge, sender, receiver, batch) as protobuf bytes. */
export function encodeFrame(edge: number, sender: number, receiver: number, batch: Batch): Buffer {
  const p = prepareBatch(batch);
  const size =
    1 +
    varintSize(edge) +
    1 +
    varintSize(sender) +
    1 +
    varintSize(receiver) +
    1 +
    varintSize(p.sizeBytes) +
    p.sizeBytes;
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  buf[at++] = 0x08; // field 1, varint
  at = writeVarint(buf, at, edge);
  buf[at++] = 0x10; // field 2, varint
  at = writeVarint(buf, at, sender);
  buf[at++] = 0x18; // field 3, varint
  at = writeVarint(buf, at, receiver);
  buf[at++] = 0x22; // field 4, length-delimited
  at = writeVarint(buf, at, p.sizeBytes);
  writeBatch(p, buf, at);
  return buf;
}

/** The data-plane service as the sending side sees it: frames arrive already encoded. */
export const FrameDataPlaneService = {
  stream: { ...DataPlaneService.stream, requestSerialize: (frame: Buffer): Buffer => frame },
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
