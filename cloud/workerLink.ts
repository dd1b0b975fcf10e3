// The coordinator's link to one worker: its control client, watch stream, liveness and
// last stats, and unary calls on it as promises. A call that fails because the worker
// is unreachable says so (`WorkerGone`), so that the coordinator can tell a dead worker
// (a failure to recover from) from a refused request (a bug to report). Calls wait up to
// SEEP_RPC_TIMEOUT_MS (default 60 s: a busy machine's workers answer late).

import {
  type CallOptions,
  type ClientReadableStream,
  type Metadata,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import type { ControlClient, Stats, WorkerEvent } from "./gen/seep/v1/seep.js";
import { RPC_TIMEOUT_ENV, raiseHint, rpcTimeoutMs } from "./timeouts.js";
import type { CloudVm } from "./vmPool.js";

/** What the coordinator knows of one worker. */
export interface WorkerLink {
  /** Its number: the VM number of the physical plan (initial workers first, then replacements). */
  readonly index: number;
  readonly vm: CloudVm;
  readonly client: ControlClient;
  /** The same service on a connection of its own, for messages carrying checkpoints. */
  readonly bulk: ControlClient;
  /** The same service on a connection of its own, for heartbeats. */
  readonly beat: ControlClient;
  /** True while it waits, deployed but hosting nothing, to host replacements. */
  standby: boolean;
  watch: ClientReadableStream<WorkerEvent> | null;
  alive: boolean;
  /** True once given back to the pool. */
  released: boolean;
  /** Wall-clock ms of its last answered heartbeat (of its joining, before the first). */
  answeredEpochMs: number;
  lastStats: Stats | null;
  /** Tuples its instances processed (sources' excluded), in total, as its latest heartbeat said. */
  tuplesProcessed: number;
  /** Tuples its sources produced, in total, as its latest heartbeat said. */
  sourceTuples: number;
  /** Run time it joined (0 for the run's initial workers; a standby's, when taken) and left (null: still in). */
  joinedAtMs: number;
  leftAtMs: number | null;
  /** Wall-clock ms at which a scale in left it hosting nothing (null: it was not); it goes once drained. */
  emptiedEpochMs: number | null;
  /** Under HA: the seq of the last event taken from its watch stream (0: none). */
  eventSeq: number;
  /**
   * Under HA, after a takeover: its replies up to this seq are in the journal already, and
   * its outputs up to `outputsThrough` in the output state restored (sent again, dropped).
   */
  repliesThrough: number;
  outputsThrough: number;
}

/** A call failed because its worker could not be reached (dead, dying, or too slow to answer). */
export class WorkerGone extends Error {
  override readonly name = "WorkerGone";

  constructor(
    message: string,
    /** True when the worker did not answer within the call's deadline. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/** Codes of a call whose worker is unreachable. */
const GONE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED]);

/**
 * Call `method` of `link`'s client; rejects with WorkerGone when the worker is
 * unreachable, else with an Error naming `what` and the worker's answer.
 */
export function unary<Req, Res>(
  link: WorkerLink,
  method: UnaryMethod<Req, Res>,
  request: Req,
  metadata: Metadata,
  what: string,
  deadlineMs = rpcTimeoutMs(),
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(link.client, request, metadata, { deadline: Date.now() + deadlineMs }, (err, res) => {
      if (err === null) resolve(res);
      else if (err.code === status.DEADLINE_EXCEEDED)
        reject(
          new WorkerGone(
            `${what} on ${link.vm.address}: no answer within ${deadlineMs} ms${raiseHint(RPC_TIMEOUT_ENV)}`,
            true,
          ),
        );
      else if (GONE.has(err.code))
        reject(new WorkerGone(`${what} on ${link.vm.address}: ${err.details || err.message}`));
      else reject(new Error(`${what} on ${link.vm.address}: ${err.details || err.message}`));
    }),
  );
}
