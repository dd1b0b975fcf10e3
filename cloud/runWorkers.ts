// The workers of a real run, as the coordinator holds them: one WorkerLink per worker,
// numbered in the order they joined (the physical plan's VM numbers: the initial workers,
// then standbys and replacements), each with three channels (control calls, a bulk one for
// messages carrying checkpoints, and one for heartbeats, so that neither small calls nor
// heartbeats wait behind tens of megabytes). Standbys wait outside the count of workers in
// use until a recovery or a scale out takes one; the most in use at once is the run's
// vmsMax. A worker leaves by being given back to the pool, which fences it: one that only
// hangs cannot come back and send.

import type { Metadata } from "@grpc/grpc-js";
import type { IntervalGauges } from "../engine/index.js";
import { channelCredentials, type TlsFiles } from "./auth.js";
import { BULK_CHANNEL_OPTIONS, CONTROL_CHANNEL_OPTIONS } from "./controlForwarder.js";
import { ControlClient } from "./gen/seep/v1/seep.js";
import { DEFAULT_MESSAGE_BYTES_MAX } from "./messageLimits.js";
import type { CloudVm, VmPool } from "./vmPool.js";
import type { WorkerLink } from "./workerLink.js";

/** When a worker joined the run and left it (run-time ms; left null: still in), and whether it is a standby never taken. */
export interface WorkerSpan {
  readonly joinedAtMs: number;
  readonly leftAtMs: number | null;
  readonly standby: boolean;
}

/** How the coordinator reaches the workers. */
export interface RunWorkersOptions {
  readonly pool: VmPool;
  readonly tls?: TlsFiles;
  /** The largest message taken in from a worker (default DEFAULT_MESSAGE_BYTES_MAX). */
  readonly messageBytesMax?: number;
}

/** The run's workers: their links, standbys, and the count of those in use. */
export class RunWorkers {
  /** Every worker that joined the run, by index. */
  readonly links: WorkerLink[] = [];
  /** The most workers in use at once. */
  vmsMax = 0;

  constructor(private readonly o: RunWorkersOptions) {}

  /** Link the worker on `vm` into the run, joined at run time `joinedAtMs` (as a standby: hosting nothing, not counted). */
  add(vm: CloudVm, joinedAtMs: number, standby = false): WorkerLink {
    const receiveBytesMax = this.o.messageBytesMax ?? DEFAULT_MESSAGE_BYTES_MAX;
    const link: WorkerLink = {
      index: this.links.length,
      standby,
      vm,
      client: new ControlClient(vm.address, channelCredentials(this.o.tls), {
        ...CONTROL_CHANNEL_OPTIONS,
        "grpc.max_receive_message_length": receiveBytesMax,
      }),
      bulk: new ControlClient(vm.address, channelCredentials(this.o.tls), {
        ...BULK_CHANNEL_OPTIONS,
        "grpc.max_receive_message_length": receiveBytesMax,
      }),
      // Heartbeats get a connection of their own: on the control connection they would
      // wait behind checkpoints of tens of megabytes, and a busy worker reads those slowly.
      beat: new ControlClient(vm.address, channelCredentials(this.o.tls), {
        "grpc.use_local_subchannel_pool": 1,
      }),
      watch: null,
      alive: true,
      released: false,
      answeredEpochMs: Date.now(),
      lastStats: null,
      tuplesProcessed: 0,
      sourceTuples: 0,
      joinedAtMs,
      leftAtMs: null,
      emptiedEpochMs: null,
      eventSeq: 0,
      repliesThrough: 0,
      outputsThrough: 0,
    };
    this.links.push(link);
    this.count();
    return link;
  }

  /** The run's workers in use now (standbys wait outside the count until taken). */
  get inUse(): WorkerLink[] {
    return this.links.filter((l) => l.alive && !l.standby);
  }

  /** A standby to host replacements, counted in from run time `nowMs` on; undefined when none is ready. */
  takeStandby(nowMs: number): WorkerLink | undefined {
    const l = this.links.find((x) => x.alive && x.standby);
    if (l === undefined) return undefined;
    l.standby = false;
    l.joinedAtMs = nowMs;
    this.count();
    return l;
  }

  /** Worker `l` leaves the run at run time `atMs` (it hosts nothing); false when it had left already. */
  leave(l: WorkerLink, atMs: number): boolean {
    if (!l.alive) return false;
    l.alive = false;
    l.leftAtMs = atMs;
    return true;
  }

  /** Give worker `l` back to the pool, once: its watch stream is cancelled and it can send nothing more. */
  async release(l: WorkerLink): Promise<void> {
    if (l.released) return;
    l.released = true;
    l.watch?.cancel();
    await this.o.pool.release(l.vm).catch(() => {});
  }

  /** The end of the run: stop every live worker's instances, close every channel, give every worker back. */
  async stopAll(metadata: Metadata): Promise<void> {
    await Promise.all(
      this.links.map(
        (l) =>
          new Promise<void>((resolve) => {
            l.watch?.cancel();
            if (!l.alive) {
              resolve();
              return;
            }
            l.client.stop({}, metadata, { deadline: Date.now() + 2000 }, () => resolve());
          }),
      ),
    );
    for (const l of this.links) {
      l.client.close();
      l.bulk.close();
      l.beat.close();
    }
    await Promise.all(this.links.map((l) => this.release(l)));
  }

  /** A deposed leader's end: its streams cancelled and channels closed; the workers, a newer leader's now, are left alone. */
  abandon(): void {
    for (const l of this.links) {
      l.watch?.cancel();
      l.client.close();
      l.bulk.close();
      l.beat.close();
    }
  }

  /** The gauges of a metrics interval, from the latest stats of the workers in use. */
  gauges(): IntervalGauges {
    const cpuByVm = new Map<number, number>();
    let queueLength = 0;
    for (const l of this.inUse) {
      if (l.lastStats === null) continue;
      cpuByVm.set(l.index, l.lastStats.cpuUtilisation);
      queueLength += l.lastStats.queuedTuples;
    }
    return { queueLength, vmsInUse: this.inUse.length, cpuByVm };
  }

  /** When each worker (by index) joined and left the run. */
  spans(): WorkerSpan[] {
    return this.links.map((l) => ({ joinedAtMs: l.joinedAtMs, leftAtMs: l.leftAtMs, standby: l.standby }));
  }

  private count(): void {
    this.vmsMax = Math.max(this.vmsMax, this.inUse.length);
  }
}
