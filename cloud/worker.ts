// A worker: the gRPC server of one VM (or local process). It serves the control plane
// (deploy the instances of a run, redeploy some after a failure, pass control messages
// to them, heartbeats with stats, a watch stream of events, stop) and the data plane
// (incoming batch streams), refusing every call without the run's token. Control
// messages its instances send to instances elsewhere go out through a ControlForwarder.
// Which logical plan a workload name means is decided by the caller (`resolvePlan`), so
// that cloud/ depends on the engine only.
// A worker survives its callers: the token is checked as a call's headers arrive, before
// its body is read (auth.ts), no message is taken past `messageBytesMax`
// (messageLimits.ts), a malformed request is answered with INVALID_ARGUMENT and a
// malformed frame ends its stream with it (requestChecks.ts), and a task an instance
// fails is reported to the coordinator (a `taskFailed` event) instead of killing the
// process, which the coordinator would take for a VM failure and recover from.
// For a coordinator that fails over (high availability), all opt-in: calls are fenced by
// epoch, events kept in an outbox and watch streams resumable, numbered control messages
// applied once, and a Survey answered (workerFailover.ts says what and how a new leader
// takes a worker over).
// Checkpoints go worker to worker: the checkpoints its instances take stay on its shelf
// (checkpointShelf.ts), their replies carry a reference, and it serves them to whoever
// fetches them (checkpointFetch.ts); a backup or restore naming a checkpoint on another
// worker's shelf is handed to its instance once fetched (checkpointInbox.ts).

import { cpuUsage } from "node:process";
import type { ServerWritableStream } from "@grpc/grpc-js";
import {
  Server,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import {
  type Batch,
  type Checkpoint,
  type ControlMessage,
  decodeBatch,
  encodeBatch,
  type FtStrategy,
  JSON_STATE_CODEC,
  keepsOutputBuffers,
  type StateCodec,
} from "../engine/index.js";
import { hasToken, serverCredentials, type TlsFiles, tokenInterceptor, unauthenticated } from "./auth.js";
import { CheckpointFetcher, ShelfTransferService, serveFetch } from "./checkpointFetch.js";
import { CheckpointInbox } from "./checkpointInbox.js";
import { CheckpointShelf, checkpointInlineBytes, shelveCheckpointed } from "./checkpointShelf.js";
import { CONTROL_CHANNEL_OPTIONS, ControlForwarder } from "./controlForwarder.js";
import { fromControlRequest, taskFailedMessage, toReplyMessage } from "./controlWire.js";
import { IncomingStream } from "./dataPlane.js";
import { MalformedEpoch } from "./epochFence.js";
import { OutboxRangeError } from "./eventOutbox.js";
import { FrameDataPlaneService } from "./frameCodec.js";
import {
  type CheckpointRef,
  type ControlAck,
  type ControlReplyMessage,
  type ControlRequest,
  ControlService,
  type Credit,
  type DataFrame,
  type DeployReply,
  type DeployRequest,
  type HeartbeatRequest,
  type KeepAliveReply,
  type RedeployReply,
  type RedeployRequest,
  type Stats,
  type StopReply,
  type SurveyReply,
  type WatchRequest,
  type WorkerEvent,
} from "./gen/seep/v1/seep.js";
import { DEFAULT_MESSAGE_BYTES_MAX, isMessageBytesMax, MESSAGE_OVERHEAD_BYTES } from "./messageLimits.js";
import {
  checkControl,
  checkDeploy,
  checkFrame,
  checkRedeploy,
  InvalidRequest,
  type ResolvePlan,
  UndecodableRequest,
  withUndecodableRequests,
} from "./requestChecks.js";
import { type WatchCall, withEncodedEvents } from "./watchStreams.js";
import { type Fencing, WorkerFailover } from "./workerFailover.js";
import { WorkerRuntime } from "./workerRuntime.js";

export type { ResolvePlan } from "./requestChecks.js";

/** HTTP/2 receive window of a worker's connections (the protocol's default is 64 KiB). */
export const RECEIVE_WINDOW_BYTES = 32 * 1024 * 1024;
/** HTTP/2 receive window of each stream of those connections. */
export const STREAM_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Give every incoming HTTP/2 session a wide receive window. With the default 64 KiB, a
 * sender of frames of a few hundred KiB waits for a WINDOW_UPDATE several times per
 * frame, and a receiver busy processing sends them late: the data plane ran at less than
 * half the loopback ceiling. grpc-js sets this for clients (`grpc-node.flow_control_window`)
 * but not for servers, so it is set on the server's sessions as they open. Memory stays
 * bounded by the data plane's own credits.
 */
export function widenReceiveWindows(server: Server): void {
  const http2Servers = (
    server as unknown as { http2Servers?: Map<import("node:http2").Http2Server, unknown> }
  ).http2Servers;
  if (http2Servers === undefined) return; // grpc-js changed: keep the default window
  for (const s of http2Servers.keys()) {
    s.on("session", (session) => {
      session.once("remoteSettings", () => {
        try {
          session.setLocalWindowSize(RECEIVE_WINDOW_BYTES);
          session.settings({ initialWindowSize: STREAM_WINDOW_BYTES });
        } catch {
          // a session closing already
        }
      });
    });
  }
}

/**
 * `text` on one line: control characters (a newline in an error message quoting a malformed
 * frame's values, say) written as escapes, so that each report is one line.
 */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it escapes
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/**
 * How a call that threw `e` is refused: INVALID_ARGUMENT for a malformed request (a bad
 * field, epoch header or seq), FAILED_PRECONDITION for one the worker's state refuses
 * (nothing deployed, an instance not hosted here, an older epoch).
 */
function refusal(e: unknown): { code: status; details: string } {
  const malformed =
    e instanceof InvalidRequest || e instanceof MalformedEpoch || e instanceof OutboxRangeError;
  return {
    code: malformed ? status.INVALID_ARGUMENT : status.FAILED_PRECONDITION,
    details: e instanceof Error ? e.message : String(e),
  };
}

/** Options of a worker server. */
export interface WorkerOptions {
  /** host:port to listen on; port 0 picks a free one. Loopback unless told otherwise. */
  readonly listen: string;
  readonly token: string;
  readonly tls?: TlsFiles;
  readonly resolvePlan: ResolvePlan;
  /** The largest message it takes in, in bytes (default DEFAULT_MESSAGE_BYTES_MAX; messageLimits.ts). */
  readonly messageBytesMax?: number;
  /**
   * Called with a one-line account of what went wrong outside any call: a task an instance
   * failed, a data stream refused (default: written to stderr, `seep: worker HOST:PORT: ...`).
   */
  readonly report?: (line: string) => void;
  /** Called after a Stop call has been answered. */
  readonly onStop?: () => void;
  /**
   * Called on every call with the token that only a coordinator makes (deploy, redeploy,
   * heartbeat, watch, stop, keep-alive; not control messages or data, which peers send):
   * renews the worker's lease on its coordinator (coordinatorLease.ts).
   */
  readonly onCoordinatorCall?: () => void;
  /**
   * The largest checkpoint its replies carry inline, in bytes; larger ones stay on its shelf
   * (default SEEP_CHECKPOINT_INLINE_BYTES, else 64 KiB; checkpointShelf.ts).
   */
  readonly checkpointInlineBytes?: number;
}

type Guarded = { metadata: import("@grpc/grpc-js").Metadata };

/** A running worker server. */
export class Worker {
  private readonly server: Server;
  /** The largest message it takes in, and sends on its watch stream (the coordinator's bound). */
  private readonly bytesMax: number;
  private runtime: WorkerRuntime | null = null;
  private forwarder: ControlForwarder | null = null;
  private readonly failover = new WorkerFailover();
  private readonly watches = this.failover.watches;
  /** The run deployed here (empty: none yet). */
  private runId = "";
  private lastCpu = cpuUsage();
  private lastBeatMs = Date.now();
  private codecs: StateCodec<unknown>[] = [];
  /** The checkpoints its instances took, for other workers (and the coordinator) to fetch. */
  readonly shelf = new CheckpointShelf();
  private readonly fetcher: CheckpointFetcher;
  private inbox: CheckpointInbox | null = null;
  private readonly inlineBytes: number;
  /** This worker's address as the run knows it (its instances' references name it), once known. */
  private ownAddress: string | undefined;
  /** The port it listens on, once started. */
  port = 0;

  constructor(private readonly options: WorkerOptions) {
    const bytesMax = options.messageBytesMax ?? DEFAULT_MESSAGE_BYTES_MAX;
    if (!isMessageBytesMax(bytesMax)) throw new RangeError(`messageBytesMax ${bytesMax} is not in 1..2^31-1`);
    this.bytesMax = bytesMax;
    this.inlineBytes = options.checkpointInlineBytes ?? checkpointInlineBytes();
    this.fetcher = new CheckpointFetcher(options.token, options.tls, {
      address: () => this.ownAddress,
      shelf: this.shelf,
    });
    this.server = new Server({
      ...CONTROL_CHANNEL_OPTIONS,
      "grpc.max_receive_message_length": bytesMax,
      interceptors: [tokenInterceptor(options.token)],
    });
  }

  /** Bind and serve; resolves with the port. */
  async start(): Promise<number> {
    // Stack traces without source maps in a worker: grpc-js reads the stack of every failed
    // call (a peer's death fails several), and with source maps on (tsx turns them on) the
    // first such stack parses the maps it touches, stalling the worker for 50-70 ms in the
    // middle of the recovery that follows.
    process.setSourceMapsEnabled(false);
    this.server.addService(withUndecodableRequests(FrameDataPlaneService), {
      stream: (call: ServerDuplexStream<DataFrame, Credit>) => this.onStream(call),
    });
    this.server.addService(withUndecodableRequests(ShelfTransferService), {
      fetch: (call: ServerWritableStream<CheckpointRef, Buffer>) =>
        serveFetch(this.shelf, this.options.token, call),
    });
    this.server.addService(withEncodedEvents(withUndecodableRequests(ControlService)), {
      deploy: (call: ServerUnaryCall<DeployRequest, DeployReply>, cb: sendUnaryData<DeployReply>) =>
        this.guard(call, cb, () => this.deploy(this.fromCoordinator(call.request))),
      send: (call: ServerUnaryCall<ControlRequest, ControlAck>, cb: sendUnaryData<ControlAck>) =>
        this.guard(call, cb, () => this.send(call.request), "stamped"),
      redeploy: (call: ServerUnaryCall<RedeployRequest, RedeployReply>, cb: sendUnaryData<RedeployReply>) =>
        this.guard(call, cb, () => this.redeploy(this.fromCoordinator(call.request))),
      heartbeat: (call: ServerUnaryCall<HeartbeatRequest, Stats>, cb: sendUnaryData<Stats>) =>
        this.guard(call, cb, () => this.heartbeat(this.fromCoordinator(call.request))),
      keepAlive: (call: ServerUnaryCall<unknown, KeepAliveReply>, cb: sendUnaryData<KeepAliveReply>) =>
        this.guard(call, cb, () => this.fromCoordinator({})),
      survey: (call: ServerUnaryCall<unknown, SurveyReply>, cb: sendUnaryData<SurveyReply>) =>
        this.guard(call, cb, () =>
          this.fromCoordinator(this.failover.survey(this.runId, this.runtime?.hostedStates() ?? [])),
        ),
      watch: (call: WatchCall) => this.onWatch(call),
      stop: (call: ServerUnaryCall<unknown, StopReply>, cb: sendUnaryData<StopReply>) => {
        if (this.guard(call, cb, () => this.fromCoordinator({}))) setImmediate(() => this.stop());
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(this.options.listen, serverCredentials(this.options.tls), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    widenReceiveWindows(this.server);
    return this.port;
  }

  /** Stop serving and drop the run. */
  stop(): void {
    this.runtime?.stop();
    this.forwarder?.close();
    this.fetcher.close();
    this.watches.closeAll();
    this.server.forceShutdown();
    this.options.onStop?.();
  }

  /** `value`, once the lease is renewed: called inside `guard`, after the token is checked. */
  private fromCoordinator<T>(value: T): T {
    this.options.onCoordinatorCall?.();
    return value;
  }

  /**
   * Answer a unary call with `fn`'s result, once its token, request and epoch pass (see
   * Fencing); true when `fn` ran and answered.
   */
  private guard<T>(call: Guarded, cb: sendUnaryData<T>, fn: () => T, fencing: Fencing = "always"): boolean {
    if (!hasToken(call.metadata, this.options.token)) {
      cb(unauthenticated(), null);
      return false;
    }
    const request: unknown = (call as { request?: unknown }).request;
    if (request instanceof UndecodableRequest) {
      cb({ code: status.INVALID_ARGUMENT, details: request.message }, null);
      return false;
    }
    try {
      this.failover.admit(call.metadata, fencing);
      cb(null, fn());
      return true;
    } catch (e) {
      cb(refusal(e), null);
      return false;
    }
  }

  private deploy(req: DeployRequest): DeployReply {
    if (this.runtime !== null) throw new Error("this worker already runs a deployment");
    const { plan, hosted, addresses, incarnations } = checkDeploy(req, this.options.resolvePlan);
    const codecs = plan.logical.operators.map(
      (o) => (o.stateCodec as StateCodec<unknown> | undefined) ?? JSON_STATE_CODEC,
    );
    const codecOf = (op: number) => codecs[op] ?? JSON_STATE_CODEC;
    const forwarder = new ControlForwarder(this.options.token, this.options.tls, codecOf, (to, inc, m, e) =>
      this.taskFailed(
        to,
        inc,
        `to receive "${m.type}" (refused for its size; raise seep run --checkpoint-mb-max)`,
        e,
      ),
    );
    let runtime: WorkerRuntime;
    try {
      runtime = this.newRuntime(req, plan, hosted, addresses, incarnations, forwarder, codecOf);
    } catch (e) {
      // Instances the engine cannot build from these specs (the checks cannot foresee all).
      forwarder.close();
      throw new InvalidRequest(`deploy: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.codecs = codecs;
    this.forwarder = forwarder;
    this.runtime = runtime;
    this.inbox = new CheckpointInbox(this.fetcher, codecOf, {
      apply: (instance, message, incarnation) => this.apply(instance, message, incarnation),
      dropped: (instance, message, e) =>
        this.report(`dropped "${message.type}" to instance ${instance}, as if lost: ${e.message}`),
    });
    this.runId = req.runId;
    if (req.ha === true) this.watches.keepEvents();
    runtime.start();
    setImmediate(() => this.connectNeighbours());
    return { deployed: runtime.hosted };
  }

  private newRuntime(
    req: DeployRequest,
    plan: ReturnType<typeof checkDeploy>["plan"],
    hosted: readonly number[],
    addresses: ReadonlyMap<number, string>,
    incarnations: ReadonlyMap<number, number>,
    forwarder: ControlForwarder,
    codecOf: (op: number) => StateCodec<unknown>,
  ): WorkerRuntime {
    return new WorkerRuntime(
      plan,
      hosted,
      addresses,
      {
        batchSize: req.batchSize,
        sourcePollMs: req.sourcePollMs,
        startEpochMs: req.startEpochMs,
        replaySpeed: req.replaySpeed > 0 ? req.replaySpeed : 1,
        seed: req.seed,
        token: this.options.token,
        tls: this.options.tls,
        // A run that may scale out keeps its output too (the coordinator says so).
        bufferOutput: keepsOutputBuffers((req.faultTolerance || "none") as FtStrategy) || req.bufferOutput,
        ackProcessedEvery: req.ackProcessedEvery,
        stampOutputCuts: req.stampOutputCuts,
      },
      {
        reply: (reply, incarnation) => {
          // The plan as it stands: a scale out adds instances after the deployment.
          const op = this.runtime?.plan.instances.find((i) => i.id === reply.instance)?.operator ?? 0;
          const msg = toReplyMessage(reply, codecOf(op));
          this.emit({
            reply: reply.type === "checkpointed" ? this.shelved(msg, reply.checkpoint) : msg,
            incarnation,
            seq: 0,
          });
        },
        sinkBatch: (instance, sink, edge, sender, batch, processedEpochMs) =>
          this.emit({
            output: {
              instance,
              sink,
              edge,
              sender,
              processedEpochMs,
              batch: Buffer.from(encodeBatch(batch)),
            },
            incarnation: 0,
            seq: 0,
          }),
        peerLost: () => {},
        forward: (instance, address, incarnation, message) =>
          forwarder.send(address, instance, incarnation, message),
        taskFailed: (instance, incarnation, task, error) =>
          this.taskFailed(instance, incarnation, task, error),
      },
      incarnations,
    );
  }

  /**
   * An instance failed a task (the engine refused a control message in its state, an
   * operator threw on a batch): the worker goes on, and the coordinator is told, so that
   * the run stops with this line rather than taking the worker for dead.
   */
  private taskFailed(instance: number, incarnation: number, task: string, error: unknown): void {
    const line = oneLine(
      `instance ${instance} failed ${task}: ${error instanceof Error ? error.message : String(error)}`,
    );
    this.report(line);
    this.emit({ reply: taskFailedMessage(instance, line), incarnation, seq: 0 });
  }

  /** Tell `line` to whoever runs this worker (see WorkerOptions.report). */
  private report(line: string): void {
    if (this.options.report !== undefined) {
      this.options.report(line);
      return;
    }
    const host = this.options.listen.slice(0, this.options.listen.lastIndexOf(":"));
    process.stderr.write(`seep: worker ${host}:${this.port}: ${oneLine(line)}\n`);
  }

  /** End a data stream with `code` and `details`, and say so (a peer's stream refused is a bug or an attack). */
  private refuse(incoming: IncomingStream, code: status, details: string): void {
    incoming.refuse(code, details);
    this.report(oneLine(`refused a data stream: ${details}`));
  }

  private send(req: ControlRequest): ControlAck {
    const runtime = this.runtime;
    if (runtime === null) throw new Error("nothing is deployed on this worker");
    let parsed: ReturnType<typeof fromControlRequest>;
    try {
      parsed = fromControlRequest(req, (op) => this.codecs[op] ?? JSON_STATE_CODEC);
    } catch (e) {
      throw new InvalidRequest(e instanceof Error ? e.message : String(e));
    }
    const { instance, message } = parsed;
    const target = runtime.plan.instances.find((i) => i.id === instance);
    if (target === undefined || !runtime.hosted.includes(instance))
      throw new Error(`instance ${instance} is not hosted here`);
    checkControl(message, target, runtime.plan);
    // A numbered message applied already (resent by a new leader, or arrived twice) is acked,
    // not applied. One dropped for a replaced incarnation counts as applied: resent, it would be too.
    const seq = req.controlSeq ?? 0;
    if (seq > 0 && this.failover.applied.has(instance, seq)) return { duplicate: true };
    // Handed on now, or once the checkpoint it names is fetched (and after the messages
    // to the instance that wait for such a fetch): applied, as far as a resend goes.
    this.inbox!.deliver(instance, message, req.incarnation);
    if (seq > 0) this.failover.applied.add(instance, seq);
    return { duplicate: false };
  }

  /** Hand `message` to `instance` (as `incarnation`); one it no longer hosts (the wait for a fetch outlived it) is said, not thrown. */
  private apply(instance: number, message: ControlMessage, incarnation: number): void {
    try {
      this.runtime?.control(instance, message, incarnation);
    } catch (e) {
      this.report(
        `dropped "${message.type}" to instance ${instance}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** A checkpointed reply with its checkpoint left on the shelf (unless it is small: shelveCheckpointed). */
  private shelved(msg: ControlReplyMessage, cp: Checkpoint): ControlReplyMessage {
    const address = this.runtime?.addressOf(cp.instance);
    if (address !== undefined) this.ownAddress = address;
    return shelveCheckpointed(this.shelf, msg, cp, address, this.inlineBytes);
  }

  private redeploy(req: RedeployRequest): RedeployReply {
    const runtime = this.runtime;
    if (runtime === null) throw new Error("nothing is deployed on this worker");
    const r = checkRedeploy(req, runtime.plan);
    const deployed = runtime.redeploy(r.specs, r.addresses, r.incarnations, r.fresh);
    setImmediate(() => this.connectNeighbours());
    return { deployed };
  }

  /**
   * Open the connections (data and control) to the workers of the instances next to this
   * one's, ahead of their first messages: after a recovery or a scale out, a replacement's
   * restore, its replay requests and its output go to workers it never called, and each
   * would otherwise wait for a connection on the way (tens of ms on a loaded machine).
   * Called once the deploy call is answered: the coordinator waits for that answer.
   */
  private connectNeighbours(): void {
    const runtime = this.runtime;
    if (runtime === null) return;
    for (const a of runtime.neighbourAddresses()) {
      try {
        runtime.connect(a);
        this.forwarder?.connect(a);
        // A holder fetches its backups from the workers of the instances downstream of it.
        this.fetcher.connect(a);
      } catch (e) {
        // Outside any call: an address grpc cannot use is reported, not thrown.
        this.taskFailed(-1, 0, `to connect to ${a}`, e);
      }
    }
  }

  /** A heartbeat: the coordinator holds the events up to events_taken (drop them); the stats. */
  private heartbeat(req: HeartbeatRequest): Stats {
    this.watches.take(req.eventsTaken ?? 0);
    return this.stats();
  }

  private stats(): Stats {
    const now = Date.now();
    const cpu = cpuUsage(this.lastCpu);
    const interval = Math.max(1, now - this.lastBeatMs);
    this.lastCpu = cpuUsage();
    this.lastBeatMs = now;
    const c = this.runtime?.counters() ?? { processed: 0, emitted: 0, sourceTuples: 0, queued: 0 };
    const loads = this.runtime?.loads() ?? { instances: [], pendingFrames: 0 };
    return {
      instances: loads.instances,
      pendingFrames: loads.pendingFrames,
      cpuUtilisation: (cpu.user + cpu.system) / 1000 / interval,
      queuedTuples: c.queued,
      tuplesProcessed: c.processed,
      tuplesEmitted: c.emitted,
      sourceTuples: c.sourceTuples,
      intervalMs: interval,
      nowEpochMs: now,
      outboxEvents: this.watches.kept.events,
      outboxBytes: this.watches.kept.bytes,
    };
  }

  private emit(event: WorkerEvent): void {
    // One the coordinator would refuse (RESOURCE_EXHAUSTED would break the watch stream, and
    // the worker be taken for dead) is reported as what it is instead.
    const bytes = event.reply?.checkpoint.length ?? event.output?.batch.length ?? 0;
    if (bytes > this.bytesMax - Math.min(MESSAGE_OVERHEAD_BYTES, this.bytesMax / 2)) {
      const what =
        event.reply === undefined ? "a sink's output batch" : `a "${event.reply.type}" reply's checkpoint`;
      const instance = event.reply?.instance ?? event.output?.instance ?? 0;
      this.taskFailed(
        instance,
        event.incarnation,
        "to send its coordinator a message",
        new RangeError(
          `${what} of ${bytes} bytes is over the run's message bound of ${this.bytesMax} (raise seep run --checkpoint-mb-max)`,
        ),
      );
      return;
    }
    this.watches.emit(event);
  }

  /** A watch stream: after its token, request and epoch pass, served by WatchStreams. */
  private onWatch(call: WatchCall): void {
    if (!hasToken(call.metadata, this.options.token)) {
      call.emit("error", unauthenticated());
      return;
    }
    const request: WatchRequest | UndecodableRequest = call.request;
    if (request instanceof UndecodableRequest) {
      call.emit("error", { code: status.INVALID_ARGUMENT, details: request.message });
      return;
    }
    try {
      const epoch = this.failover.admit(call.metadata, "always");
      this.watches.add(call, epoch, request.afterSeq ?? 0);
    } catch (e) {
      call.emit("error", refusal(e));
      return;
    }
    this.fromCoordinator(call);
  }

  private onStream(call: ServerDuplexStream<DataFrame, Credit>): void {
    if (!hasToken(call.metadata, this.options.token)) {
      call.emit("error", unauthenticated());
      return;
    }
    const incoming = new IncomingStream(call);
    // Runs in a stream's event handler, outside any call: nothing may escape it.
    call.on("data", (f: DataFrame | UndecodableRequest) => {
      if (!incoming.taking) return;
      if (!incoming.admit()) {
        this.report("refused a data stream: a sender went past its credit");
        return;
      }
      if (f instanceof UndecodableRequest) {
        this.refuse(incoming, status.INVALID_ARGUMENT, f.message);
        return;
      }
      const runtime = this.runtime;
      if (runtime === null) {
        this.refuse(incoming, status.FAILED_PRECONDITION, "nothing is deployed on this worker");
        return;
      }
      let batch: Batch;
      try {
        const receiver = runtime.plan.instances.find((i) => i.id === f.receiver);
        // One for an instance this worker does not know (stale news of where it runs) is dropped.
        batch = receiver === undefined ? decodeBatch(f.batch) : checkFrame(f, receiver, runtime.plan);
      } catch (e) {
        this.refuse(incoming, status.INVALID_ARGUMENT, e instanceof Error ? e.message : String(e));
        return;
      }
      runtime.receive(f.receiver, f.edge, f.sender, batch, incoming);
    });
  }
}
