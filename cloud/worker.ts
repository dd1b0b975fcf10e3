// A worker: the gRPC server of one VM (or local process). It serves the control plane
// (deploy the instances of a run, redeploy some after a failure, pass control messages
// to them, heartbeats with stats, a watch stream of events, stop) and the data plane
// (incoming batch streams), refusing every call without the run's token. Control
// messages its instances send to instances elsewhere go out through a ControlForwarder.
// Which logical plan a workload name means is decided by the caller (`resolvePlan`), so
// that cloud/ depends on the engine only.

import { cpuUsage } from "node:process";
import {
  Server,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import {
  decodeBatch,
  encodeBatch,
  type FtStrategy,
  type InstanceSpec,
  JSON_STATE_CODEC,
  KeyGroupRange,
  keepsOutputBuffers,
  type LogicalPlan,
  type PhysicalPlan,
  type StateCodec,
} from "../engine/index.js";
import { hasToken, serverCredentials, type TlsFiles, unauthenticated } from "./auth.js";
import { CONTROL_CHANNEL_OPTIONS, ControlForwarder } from "./controlForwarder.js";
import { fromControlRequest, toReplyMessage } from "./controlWire.js";
import { IncomingStream } from "./dataPlane.js";
import {
  type ControlAck,
  type ControlRequest,
  ControlService,
  type Credit,
  type DataFrame,
  DataPlaneService,
  type DeployReply,
  type DeployRequest,
  type InstanceSpec as InstanceSpecMessage,
  type RedeployReply,
  type RedeployRequest,
  type Stats,
  type StopReply,
  type WorkerEvent,
} from "./gen/seep/v1/seep.js";
import { WorkerRuntime } from "./workerRuntime.js";

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

/** Builds the logical plan a deploy request names. */
export type ResolvePlan = (workload: string, params: Record<string, unknown>, seed: number) => LogicalPlan;

/** Options of a worker server. */
export interface WorkerOptions {
  /** host:port to listen on; port 0 picks a free one. Loopback unless told otherwise. */
  readonly listen: string;
  readonly token: string;
  readonly tls?: TlsFiles;
  readonly resolvePlan: ResolvePlan;
  /** Called after a Stop call has been answered. */
  readonly onStop?: () => void;
}

type Guarded = { metadata: import("@grpc/grpc-js").Metadata };

/** A running worker server. */
export class Worker {
  private readonly server = new Server(CONTROL_CHANNEL_OPTIONS);
  private runtime: WorkerRuntime | null = null;
  private forwarder: ControlForwarder | null = null;
  private readonly watchers = new Set<ServerWritableStream<unknown, WorkerEvent>>();
  private lastCpu = cpuUsage();
  private lastBeatMs = Date.now();
  private codecs: StateCodec<unknown>[] = [];
  /** The port it listens on, once started. */
  port = 0;

  constructor(private readonly options: WorkerOptions) {}

  /** Bind and serve; resolves with the port. */
  async start(): Promise<number> {
    // Stack traces without source maps in a worker: grpc-js reads the stack of every failed
    // call (a peer's death fails several), and with source maps on (tsx turns them on) the
    // first such stack parses the maps it touches, stalling the worker for 50-70 ms in the
    // middle of the recovery that follows.
    process.setSourceMapsEnabled(false);
    this.server.addService(DataPlaneService, {
      stream: (call: ServerDuplexStream<DataFrame, Credit>) => this.onStream(call),
    });
    this.server.addService(ControlService, {
      deploy: (call: ServerUnaryCall<DeployRequest, DeployReply>, cb: sendUnaryData<DeployReply>) =>
        this.guard(call, cb, () => this.deploy(call.request)),
      send: (call: ServerUnaryCall<ControlRequest, ControlAck>, cb: sendUnaryData<ControlAck>) =>
        this.guard(call, cb, () => this.send(call.request)),
      redeploy: (call: ServerUnaryCall<RedeployRequest, RedeployReply>, cb: sendUnaryData<RedeployReply>) =>
        this.guard(call, cb, () => this.redeploy(call.request)),
      heartbeat: (call: ServerUnaryCall<unknown, Stats>, cb: sendUnaryData<Stats>) =>
        this.guard(call, cb, () => this.stats()),
      watch: (call: ServerWritableStream<unknown, WorkerEvent>) => this.onWatch(call),
      stop: (call: ServerUnaryCall<unknown, StopReply>, cb: sendUnaryData<StopReply>) => {
        this.guard(call, cb, () => ({}));
        if (hasToken(call.metadata, this.options.token)) setImmediate(() => this.stop());
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
    for (const w of this.watchers) w.end();
    this.server.forceShutdown();
    this.options.onStop?.();
  }

  private guard<T>(call: Guarded, cb: sendUnaryData<T>, fn: () => T): void {
    if (!hasToken(call.metadata, this.options.token)) {
      cb(unauthenticated(), null);
      return;
    }
    try {
      cb(null, fn());
    } catch (e) {
      cb({ code: status.FAILED_PRECONDITION, details: e instanceof Error ? e.message : String(e) }, null);
    }
  }

  private deploy(req: DeployRequest): DeployReply {
    if (this.runtime !== null) throw new Error("this worker already runs a deployment");
    const logical = this.options.resolvePlan(req.workload, JSON.parse(req.paramsJson || "{}"), req.seed);
    const plan: PhysicalPlan = { logical, instances: req.instances.map(specOf) };
    this.codecs = logical.operators.map(
      (o) => (o.stateCodec as StateCodec<unknown> | undefined) ?? JSON_STATE_CODEC,
    );
    const codecOf = (op: number) => this.codecs[op] ?? JSON_STATE_CODEC;
    const forwarder = new ControlForwarder(this.options.token, this.options.tls, codecOf);
    this.forwarder = forwarder;
    const runtime = new WorkerRuntime(
      plan,
      req.hosted,
      numberKeyed(req.addresses),
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
          this.emit({ reply: toReplyMessage(reply, codecOf(op)), incarnation });
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
          }),
        peerLost: () => {},
        forward: (instance, address, incarnation, message) =>
          forwarder.send(address, instance, incarnation, message),
      },
      numberKeyed(req.incarnations),
    );
    this.runtime = runtime;
    runtime.start();
    setImmediate(() => this.connectNeighbours());
    return { deployed: runtime.hosted };
  }

  private send(req: ControlRequest): ControlAck {
    const runtime = this.runtime;
    if (runtime === null) throw new Error("nothing is deployed on this worker");
    const { instance, message } = fromControlRequest(req, (op) => this.codecs[op] ?? JSON_STATE_CODEC);
    runtime.control(instance, message, req.incarnation);
    return {};
  }

  private redeploy(req: RedeployRequest): RedeployReply {
    const runtime = this.runtime;
    if (runtime === null) throw new Error("nothing is deployed on this worker");
    const deployed = runtime.redeploy(
      req.instances.map(specOf),
      numberKeyed(req.addresses),
      numberKeyed(req.incarnations),
      req.fresh,
    );
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
      runtime.connect(a);
      this.forwarder?.connect(a);
    }
  }

  private stats(): Stats {
    const now = Date.now();
    const cpu = cpuUsage(this.lastCpu);
    const interval = Math.max(1, now - this.lastBeatMs);
    this.lastCpu = cpuUsage();
    this.lastBeatMs = now;
    const c = this.runtime?.takeCounters() ?? { processed: 0, emitted: 0, sourceTuples: 0, queued: 0 };
    const loads = this.runtime?.takeLoads() ?? { instances: [], pendingFrames: 0 };
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
    };
  }

  private emit(event: WorkerEvent): void {
    for (const w of this.watchers) w.write(event);
  }

  private onWatch(call: ServerWritableStream<unknown, WorkerEvent>): void {
    if (!hasToken(call.metadata, this.options.token)) {
      call.emit("error", unauthenticated());
      return;
    }
    this.watchers.add(call);
    call.on("cancelled", () => this.watchers.delete(call));
    call.on("close", () => this.watchers.delete(call));
  }

  private onStream(call: ServerDuplexStream<DataFrame, Credit>): void {
    if (!hasToken(call.metadata, this.options.token)) {
      call.emit("error", unauthenticated());
      return;
    }
    const incoming = new IncomingStream(call);
    call.on("data", (f: DataFrame) => {
      const runtime = this.runtime;
      if (runtime === null) {
        call.emit("error", {
          code: status.FAILED_PRECONDITION,
          details: "nothing is deployed on this worker",
        });
        return;
      }
      runtime.receive(f.receiver, f.edge, f.sender, decodeBatch(f.batch), incoming);
    });
  }
}

/** An instance spec from its proto form. */
function specOf(i: InstanceSpecMessage): InstanceSpec {
  return {
    id: i.id,
    operator: i.operator,
    index: i.index,
    range: KeyGroupRange.of(i.firstKeyGroup, i.lastKeyGroup),
    vm: i.vm,
  };
}

/** A proto map keyed by instance id (its keys arrive as strings) as a Map. */
function numberKeyed<V>(m: { [key: number]: V }): Map<number, V> {
  return new Map(Object.entries(m).map(([k, v]) => [Number(k), v]));
}
