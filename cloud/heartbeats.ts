// The coordinator's heartbeats on a real run: every `heartbeatMs` it asks each live worker
// for its stats, on the worker's heartbeat connection. A worker's counters are totals, so
// a reply lost to a missed deadline loses nothing, and replies may cross, so only a larger
// total counts. The stats feed the run's tuples in, the load reports (InstanceLoads) and
// the gauges (each worker's latest stats). A worker that has left heartbeats unanswered for
// heartbeatTimeoutMs is declared dead (a dead one usually breaks its watch stream first:
// this catches one that hangs). A worker a scale in left hosting nothing goes back to the
// pool once a heartbeat asked after that says that everything it sent was processed.
// Under HA a heartbeat also tells the worker up to which seq its events are held durably
// (events_taken): it drops them from the outbox a new leader would resume from.

import { type Metadata, status } from "@grpc/grpc-js";
import type { InstanceStats, Stats } from "./gen/seep/v1/seep.js";
import type { InstanceLoads } from "./instanceLoads.js";
import type { WorkerLink } from "./workerLink.js";

/** What heartbeats need of the run. */
export interface HeartbeatsHost {
  readonly metadata: Metadata;
  /** The period of heartbeats (wall-clock ms). */
  readonly periodMs: number;
  /** How long a worker may leave heartbeats unanswered before it is declared dead (ms). */
  readonly timeoutMs: number;
  /** The per-instance stats, for load reports and shed counts. */
  readonly loads: InstanceLoads;
  /** The run's workers, by index. */
  links(): readonly WorkerLink[];
  /** The run's sources produced `n` tuples more, as a heartbeat asked at `askedEpochMs` (wall clock) found. */
  addTuplesIn(n: number, askedEpochMs: number): void;
  /** Worker `l` missed its heartbeats for too long: declare it dead. */
  lost(l: WorkerLink): void;
  /** Worker `l`, emptied by a scale in, has had everything it sent processed: give it back. */
  drained(l: WorkerLink): void;
  /** Every answer's per-instance totals, with the wall-clock ms the worker took them (for benchmarks). */
  instanceStats?(stats: readonly InstanceStats[], takenEpochMs: number): void;
  /** Under HA: the seq up to which worker `l`'s events are held durably (it drops them); undefined without HA. */
  eventsTaken?(l: WorkerLink): number | undefined;
  /** A worker refused a heartbeat because a newer leader fenced this one off: stop leading, touching nothing. */
  deposed?(why: string): void;
}

/** Asks the run's workers for their stats, every period and on demand. */
export class Heartbeats {
  private interval: NodeJS.Timeout | undefined;

  constructor(private readonly host: HeartbeatsHost) {}

  /** Beat every period from now on. */
  start(): void {
    this.interval = setInterval(() => void this.beat(), this.host.periodMs);
  }

  /** No more periodic beats. */
  stop(): void {
    clearInterval(this.interval);
  }

  /** Ask every live worker for its stats, each within `deadlineMs`; resolves once all answered or failed. */
  beat(deadlineMs = 4 * this.host.periodMs): Promise<void> {
    const beats = this.host
      .links()
      .filter((l) => l.alive)
      .map((l) => this.ask(l, deadlineMs));
    return Promise.all(beats).then(() => {});
  }

  private ask(l: WorkerLink, deadlineMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const askedEpochMs = Date.now();
      const eventsTaken = this.host.eventsTaken?.(l);
      const req = eventsTaken === undefined || eventsTaken === 0 ? {} : { eventsTaken };
      l.beat.heartbeat(req, this.host.metadata, { deadline: Date.now() + deadlineMs }, (err, stats) => {
        if (err) {
          // Fenced off by a newer leader: the worker is that leader's, alive, not lost.
          if (err.code === status.FAILED_PRECONDITION && /fenced/.test(err.details) && this.host.deposed)
            this.host.deposed(`worker ${l.vm.address}: ${err.details}`);
          else if (Date.now() - l.answeredEpochMs > this.host.timeoutMs) this.host.lost(l);
        } else {
          this.answered(l, stats, askedEpochMs);
        }
        resolve();
      });
    });
  }

  /** Worker `l` answered a heartbeat asked at `askedEpochMs` with `stats`. */
  private answered(l: WorkerLink, stats: Stats, askedEpochMs: number): void {
    l.answeredEpochMs = Date.now();
    l.lastStats = stats;
    l.tuplesProcessed = Math.max(l.tuplesProcessed, stats.tuplesProcessed);
    if (stats.sourceTuples > l.sourceTuples) {
      this.host.addTuplesIn(stats.sourceTuples - l.sourceTuples, askedEpochMs);
      l.sourceTuples = stats.sourceTuples;
    }
    this.host.loads.add(stats.instances);
    this.host.instanceStats?.(stats.instances, stats.nowEpochMs);
    // Emptied by a scale in, and everything it sent processed (stats taken after the
    // emptying, as this call was made after it): it can go.
    if (l.emptiedEpochMs !== null && askedEpochMs > l.emptiedEpochMs && stats.pendingFrames === 0)
      this.host.drained(l);
  }
}
