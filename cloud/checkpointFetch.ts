// Fetching a checkpoint from the worker that took it: the CheckpointTransfer.Fetch call
// (proto/seep/v1/seep.proto), served from the worker's shelf (checkpointShelf.ts), and its
// client. The bytes go in chunks of CHUNK_BYTES on a server stream, paced by gRPC's flow
// control (a write that fills the stream's buffer waits for it to drain), on a connection
// of their own with a wide window, so that tens of megabytes neither queue the control
// calls nor wait for hundreds of window updates. A part (a scale out's) is cut by the
// source (engine partitionEncoded) and only it is sent.
//
// Failure semantics (the protocols rely on them):
//   - a fetch whose source is gone (dead worker, connection refused, stream broken) fails;
//     so does a fetch of a checkpoint the shelf no longer holds (NOT_FOUND: dropped past
//     its bound, or never taken there), and one past its deadline (checkpointTransferMs).
//     A failed fetch is a message lost with a dead sender: the receiver drops the message
//     that named the checkpoint (checkpointInbox.ts). So a holder whose fetch fails sends
//     no backedUp: its previous backup stands and the upstreams have not trimmed for the
//     new one (rsm's invariant holds); a new instance whose part cannot be fetched is never
//     restored, and its reconfiguration's give-up path applies when the source's failure
//     is detected. The coordinator's pulls fail alike (checkpointPulls.ts).
//   - a call without the run's token is refused as every call is (auth.ts: UNAUTHENTICATED,
//     before its body is read); a malformed request (bad ranges) gets INVALID_ARGUMENT in
//     one line; the worker serving goes on.
//   - the bytes received must add up to the byte count the first chunk announces, else the
//     fetch fails (a truncated transfer is never taken for a checkpoint).
// The chunks are copied into one buffer of the announced size as they come; a receiver may
// decode as they come too (`onBytes`: engine CheckpointDecoder), so that a restore's decode
// overlaps its transfer.

import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { type Metadata, type ServerWritableStream, type ServiceError, status } from "@grpc/grpc-js";
import { channelCredentials, hasToken, type TlsFiles, tokenMetadata, unauthenticated } from "./auth.js";
import type { CheckpointShelf } from "./checkpointShelf.js";
import {
  type CheckpointChunk,
  type CheckpointRef,
  CheckpointTransferClient,
  CheckpointTransferService,
} from "./gen/seep/v1/seep.js";
import { rangeOfSpan } from "./remoteCheckpoint.js";
import { UndecodableRequest } from "./requestChecks.js";
import { rpcTimeoutMs } from "./timeouts.js";

/** Bytes per chunk of a fetch. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Options of the channels fetches go on: a connection of their own (not shared with the
 * control calls to the same worker) with a wide HTTP/2 window.
 */
export const FETCH_CHANNEL_OPTIONS = {
  "grpc-node.flow_control_window": 32 * 1024 * 1024,
  "grpc.use_local_subchannel_pool": 1,
} as const;

/** A fetch's deadline: as a control call carrying a checkpoint's, at least 120 s (SEEP_RPC_TIMEOUT_MS doubled). */
export function checkpointTransferMs(): number {
  return Math.max(120_000, 2 * rpcTimeoutMs());
}

/**
 * A CheckpointChunk as protobuf bytes, with the data copied once, straight into the
 * message: ts-proto's writer would copy it twice more (into its chunks, then when
 * finishing). Ordinary protobuf: the fetching side decodes it with the generated code.
 */
export function encodeChunk(data: Uint8Array, byteCount: number): Buffer {
  const head = new BinaryWriter().uint32(0x0a).uint32(data.length).finish(); // field 1, length-delimited
  const tail = byteCount > 0 ? new BinaryWriter().uint32(0x10).uint64(byteCount).finish() : NO_BYTES; // field 2
  const buf = Buffer.allocUnsafe(head.length + data.length + tail.length);
  buf.set(head, 0);
  buf.set(data, head.length);
  buf.set(tail, head.length + data.length);
  return buf;
}

const NO_BYTES = new Uint8Array(0);

/** The CheckpointTransfer service as its server writes it: chunks arrive already encoded (encodeChunk). */
export const ShelfTransferService = {
  fetch: { ...CheckpointTransferService.fetch, responseSerialize: (chunk: Buffer): Buffer => chunk },
} as const;

/** A checkpoint could not be fetched: its source is gone, or no longer holds it. */
export class FetchError extends Error {
  override readonly name = "FetchError";
}

/** What a reference names, for messages: "checkpoint 5 of instance 3 (part 1 of 2)". */
export function describeRef(ref: CheckpointRef): string {
  const part = ref.parts.length === 0 ? "" : ` (part ${ref.part} of ${ref.parts.length})`;
  return `checkpoint ${ref.checkpointId} of instance ${ref.instance}${part}`;
}

/** A Fetch call: the chunks of the checkpoint the shelf holds, or one line saying why not. */
export function serveFetch(
  shelf: CheckpointShelf,
  token: string,
  call: ServerWritableStream<CheckpointRef | UndecodableRequest, Buffer>,
): void {
  if (!hasToken(call.metadata, token)) {
    call.emit("error", unauthenticated());
    return;
  }
  const ref = call.request;
  if (ref instanceof UndecodableRequest) {
    call.emit("error", { code: status.INVALID_ARGUMENT, details: ref.message });
    return;
  }
  let held: ReturnType<CheckpointShelf["hold"]>;
  try {
    const parts = ref.parts.map((s) => rangeOfSpan(s, "fetch: a part"));
    held = shelf.hold(ref.instance, ref.checkpointId, parts, ref.part);
  } catch (e) {
    call.emit("error", {
      code: status.INVALID_ARGUMENT,
      details: `fetch of ${describeRef(ref)}: ${(e as Error).message}`,
    });
    return;
  }
  if (held === null) {
    call.emit("error", {
      code: status.NOT_FOUND,
      details: `${describeRef(ref)} is not on this worker's shelf (dropped since, or never taken here)`,
    });
    return;
  }
  const { bytes, release } = held;
  // Released however the call ends: sent, cancelled by the fetcher, or broken.
  call.on("close", release);
  call.on("cancelled", release);
  call.on("error", release);
  let at = 0;
  const pump = () => {
    while (at < bytes.length) {
      const end = Math.min(bytes.length, at + CHUNK_BYTES);
      const chunk = encodeChunk(bytes.subarray(at, end), at === 0 ? bytes.length : 0);
      at = end;
      if (!call.write(chunk)) {
        call.once("drain", pump);
        return;
      }
    }
    call.end();
    release();
  };
  pump();
}

/** Fetches checkpoints from the workers that hold them (and from its own shelf without a call). */
export class CheckpointFetcher {
  private readonly clients = new Map<string, CheckpointTransferClient>();
  private readonly metadata: Metadata;
  /** Bytes fetched so far (over the network, or from its own shelf). */
  bytesFetched = 0;
  private closed = false;

  constructor(
    token: string,
    private readonly tls: TlsFiles | undefined,
    /** This worker's own shelf and address: a reference to it is read there. */
    private readonly own?: { readonly address: () => string | undefined; readonly shelf: CheckpointShelf },
  ) {
    this.metadata = tokenMetadata(token);
  }

  /**
   * The bytes `ref` names; rejects with a FetchError (see the failure semantics above).
   * `onBytes(bytes, filled)` is called as chunks come: the first `filled` of `bytes` (the
   * buffer resolved in the end) are in; one that throws fails the fetch with its message.
   */
  fetch(ref: CheckpointRef, onBytes?: (bytes: Uint8Array, filled: number) => void): Promise<Uint8Array> {
    const what = `fetch of ${describeRef(ref)} from ${ref.worker}`;
    if (this.own !== undefined && ref.worker === this.own.address()) {
      try {
        const parts = ref.parts.map((s) => rangeOfSpan(s, "a part"));
        const held = this.own.shelf.hold(ref.instance, ref.checkpointId, parts, ref.part);
        if (held === null) return Promise.reject(new FetchError(`${what}: not on this worker's shelf`));
        held.release();
        onBytes?.(held.bytes, held.bytes.length);
        this.bytesFetched += held.bytes.length;
        return Promise.resolve(held.bytes);
      } catch (e) {
        return Promise.reject(new FetchError(`${what}: ${(e as Error).message}`));
      }
    }
    if (this.closed) return Promise.reject(new FetchError(`${what}: the fetcher is closed`));
    return new Promise((resolve, reject) => {
      const call = this.client(ref.worker).fetch(
        { ...ref, metaJson: "", partFieldsJson: "" },
        this.metadata,
        {
          deadline: Date.now() + checkpointTransferMs(),
        },
      );
      let bytes: Uint8Array | null = null;
      let at = 0;
      let failed = false;
      const fail = (why: string) => {
        if (failed) return;
        failed = true;
        call.cancel();
        reject(new FetchError(`${what}: ${why}`));
      };
      call.on("data", (c: CheckpointChunk) => {
        if (bytes === null) bytes = new Uint8Array(c.byteCount);
        if (at + c.data.length > bytes.length) return fail(`more than the ${bytes.length} bytes announced`);
        bytes.set(c.data, at);
        at += c.data.length;
        try {
          onBytes?.(bytes, at);
        } catch (e) {
          fail((e as Error).message);
        }
      });
      call.on("error", (e: ServiceError) => fail(e.details || e.message));
      call.on("end", () => {
        if (failed) return;
        if (bytes === null || at !== bytes.length)
          return fail(`the stream ended after ${at} of ${bytes?.length ?? "?"} bytes`);
        this.bytesFetched += at;
        resolve(bytes);
      });
    });
  }

  /** Open the connection to the worker at `address` now, ahead of its first fetch (its first one would wait for it). */
  connect(address: string): void {
    if (!this.closed) this.client(address).waitForReady(Date.now() + 10_000, () => {});
  }

  private client(address: string): CheckpointTransferClient {
    let c = this.clients.get(address);
    if (c === undefined) {
      c = new CheckpointTransferClient(address, channelCredentials(this.tls), FETCH_CHANNEL_OPTIONS);
      this.clients.set(address, c);
    }
    return c;
  }

  /** Close every channel. */
  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
