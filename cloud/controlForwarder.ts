// Control messages from an instance to an instance on another worker: a replay request
// sent by a restored instance to its upstream (replayKept by a rebuilding one), a restore
// sent by a backup holder to a replacement, a marker sent downstream. They travel as the coordinator's do, as Send
// calls to the target's worker, tagged with the incarnation the sender knows, so that
// one for a replaced incarnation is dropped there. A message whose worker is gone is
// lost, as it would be with the instance.

import { type Metadata, status } from "@grpc/grpc-js";
import { type Checkpoint, type ControlMessage, JSON_STATE_CODEC, type StateCodec } from "../engine/index.js";
import { channelCredentials, type TlsFiles, tokenMetadata } from "./auth.js";
import { type CodecOf, toControlRequest } from "./controlWire.js";
import { ControlClient } from "./gen/seep/v1/seep.js";
import { DEFAULT_MESSAGE_BYTES_MAX } from "./messageLimits.js";
import { rpcTimeoutMs } from "./timeouts.js";

/**
 * gRPC options of control-plane channels: checkpoints of large states exceed the 4 MiB
 * default message size (what is taken in is bounded by messageLimits.ts instead), and a
 * watch stream carrying them to the coordinator needs a wide HTTP/2 window (with the
 * default 64 KiB, a 20 MB checkpoint waits for hundreds of window updates, each a round
 * trip through a busy event loop).
 */
export const CONTROL_CHANNEL_OPTIONS = {
  "grpc.max_receive_message_length": DEFAULT_MESSAGE_BYTES_MAX,
  "grpc.max_send_message_length": -1,
  "grpc-node.flow_control_window": 32 * 1024 * 1024,
} as const;

/**
 * Options of the channel that carries checkpoints (backup, restore, rebuild): a connection
 * of its own, so that the small control calls (redeploys, restoreBackup, start, acks) never
 * queue behind tens of megabytes on their way to a busy worker.
 */
export const BULK_CHANNEL_OPTIONS = {
  ...CONTROL_CHANNEL_OPTIONS,
  "grpc.use_local_subchannel_pool": 1,
} as const;

/** The checkpoint `message` carries (a backup's, a restore's, a rebuild's base or else its mark), if any. */
export function carriedCheckpoint(message: ControlMessage): Checkpoint | undefined {
  switch (message.type) {
    case "backup":
    case "restore":
      return message.checkpoint;
    case "rebuild":
      return message.base ?? message.mark;
    default:
      return undefined;
  }
}

/**
 * Deadline of a control call: SEEP_RPC_TIMEOUT_MS (default 60 s); one carrying a
 * checkpoint gets at least 120 s. A call past its deadline is dropped, so it is generous.
 */
export function controlDeadlineMs(message: ControlMessage): number {
  const rpcMs = rpcTimeoutMs();
  return carriedCheckpoint(message) === undefined ? rpcMs : Math.max(120_000, 2 * rpcMs);
}

/**
 * The state codec for `message` on the wire: a carried checkpoint goes through the codec
 * of the checkpoint's operator (a backup goes to an upstream holder of another operator);
 * other messages carry no state.
 */
export function wireCodecOf(message: ControlMessage, codecOf: CodecOf): StateCodec<unknown> {
  const cp = carriedCheckpoint(message);
  return cp === undefined ? JSON_STATE_CODEC : codecOf(cp.operator);
}

/** Sends control messages to instances on other workers. */
export class ControlForwarder {
  private readonly clients = new Map<string, ControlClient>();
  private readonly metadata: Metadata;
  /** Messages whose call failed (their worker is gone, or no longer hosts the instance). */
  failed = 0;
  private closed = false;

  constructor(
    token: string,
    private readonly tls: TlsFiles | undefined,
    private readonly codecOf: CodecOf,
    /** Told of a message its receiver refused for its size (RESOURCE_EXHAUSTED). */
    private readonly onRefused?: (
      instance: number,
      incarnation: number,
      message: ControlMessage,
      error: Error,
    ) => void,
  ) {
    this.metadata = tokenMetadata(token);
  }

  /** Send `message` to `instance` (incarnation `incarnation`) on the worker at `address`. */
  send(address: string, instance: number, incarnation: number, message: ControlMessage): void {
    const req = { ...toControlRequest(instance, message, wireCodecOf(message, this.codecOf)), incarnation };
    this.client(address, carriedCheckpoint(message) !== undefined).send(
      req,
      this.metadata,
      { deadline: Date.now() + controlDeadlineMs(message) },
      (err) => {
        if (!err) return;
        this.failed++;
        // A message its receiver refuses for its size (a backup or restore carrying a
        // checkpoint past the run's bound) would otherwise be lost without a word, and the
        // recovery that needs it fail much later: said at once, the run stops with it.
        if (err.code === status.RESOURCE_EXHAUSTED)
          this.onRefused?.(instance, incarnation, message, new Error(err.details));
      },
    );
  }

  /** Open both connections to the worker at `address` now, ahead of the first message. */
  connect(address: string): void {
    if (this.closed) return;
    for (const bulk of [false, true]) this.client(address, bulk).waitForReady(Date.now() + 10_000, () => {});
  }

  private client(address: string, bulk: boolean): ControlClient {
    const key = bulk ? `bulk ${address}` : address;
    let c = this.clients.get(key);
    if (c === undefined) {
      c = new ControlClient(
        address,
        channelCredentials(this.tls),
        bulk ? BULK_CHANNEL_OPTIONS : CONTROL_CHANNEL_OPTIONS,
      );
      this.clients.set(key, c);
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
