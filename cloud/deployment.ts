// Placing the plan on a real run's workers and deploying it. The pool starts ahead the
// run's workers, its standbys and the workers its scheduled scale outs will take (they
// wait in the pool, outside the run, until a scale out takes them); the initial placement
// spreads the physical plan over the run's first workers, and standbys host nothing. Each
// worker is sent one DeployRequest: the run, the workload it builds the plan from, the
// whole placement with the workers' addresses and the instances' incarnations, the
// instances it hosts, and the run's start epoch and replay speed, so that every worker
// reads the same run time. A run that may scale has its workers keep what they sent (a
// scale out replays it from the split instance's checkpoint on) and, without checkpoints
// to trim it, ack what they processed.

import type { Metadata } from "@grpc/grpc-js";
import {
  type FaultToleranceOptions,
  type InstanceSpec,
  type PhysicalPlan,
  physicalPlan,
} from "../engine/index.js";
import type { DeployRequest, InstanceSpec as InstanceSpecMessage } from "./gen/seep/v1/seep.js";
import type { InstanceDirectory } from "./instanceDirectory.js";
import { type CloudRunOptions, isElastic } from "./runOptions.js";
import type { RunWorkers } from "./runWorkers.js";
import { TimeoutError } from "./timeouts.js";
import { unary, WorkerGone, type WorkerLink } from "./workerLink.js";

/** Under strategy none, a run that may scale out acks what was processed every this many batches. */
const ACK_PROCESSED_EVERY = 16;

/** The proto form of an instance spec. */
export function specMessage(i: InstanceSpec): InstanceSpecMessage {
  return {
    id: i.id,
    operator: i.operator,
    index: i.index,
    firstKeyGroup: i.range.first,
    lastKeyGroup: i.range.last,
    vm: i.vm,
    forward: i.forward,
  };
}

/**
 * Workers the pool should start ahead: the run's `standbys` and initial workers, and the
 * workers the scheduled scale outs will take and the policy's prewarmed ones, within the
 * bound `maxWorkers` (the policy's others are taken from the pool when it decides). A
 * stopping split keeps the instance where it is and puts the other factor - 1 parts on
 * workers of their own (a migration, factor 1, takes one); a live one retires it and puts
 * all factor parts on new workers.
 */
export function workersToStart(o: CloudRunOptions, standbys: number, maxWorkers: number): number {
  const live = o.stateTransfer === "live";
  const scheduled = (o.scaleOuts ?? []).reduce(
    (n, so) => n + (live ? so.factor : Math.max(1, so.factor - 1)),
    0,
  );
  const scaleOutWorkers = Math.min(
    scheduled + (o.policy === undefined ? 0 : (o.prewarmedWorkers ?? 0)),
    Math.max(0, maxWorkers - o.workers),
  );
  return o.workers + standbys + scaleOutWorkers;
}

/** What a deployment needs of the run. */
export interface DeploymentHost {
  readonly options: CloudRunOptions;
  readonly faultTolerance: FaultToleranceOptions;
  readonly directory: InstanceDirectory;
  readonly workers: RunWorkers;
  readonly metadata: Metadata;
  /** Wall-clock ms at run time 0 (set once the workers are linked). */
  startEpochMs(): number;
  /** Under HA: workers keep their events for a new leader, and nothing is deployed before the run's record says where. */
  readonly ha?: { durable(): Promise<void> };
}

/** Places a run's plan on its workers and deploys it there. */
export class Deployment {
  /** True when the run may scale: its workers keep what they sent. */
  private readonly elastic: boolean;

  constructor(private readonly host: DeploymentHost) {
    this.elastic = isElastic(host.options);
  }

  /** The initial placement: the plan over the run's initial workers, each instance placed in the directory. */
  place(): PhysicalPlan {
    const o = this.host.options;
    const plan = physicalPlan(o.plan, { vms: o.workers });
    for (const i of plan.instances) this.host.directory.place(i.id, i.vm);
    return plan;
  }

  /**
   * Deploy `plan` on every worker of the run, each hosting its instances (standbys
   * nothing: a replacement on one starts at once). A worker too slow to take its
   * deployment is a machine too busy, not a bug: a TimeoutError.
   */
  deployAll(plan: PhysicalPlan): Promise<void> {
    const { workers, directory } = this.host;
    return Promise.all(workers.links.map((l) => this.deploy(l, plan, directory.hostedBy(l.index))))
      .then(() => {})
      .catch((e: unknown) => {
        throw e instanceof WorkerGone && e.timedOut ? new TimeoutError(e.message) : e;
      });
  }

  /** Deploy the instances `hosted` of `plan` on a worker that runs nothing yet. */
  deploy(l: WorkerLink, plan: PhysicalPlan, hosted: number[]): Promise<void> {
    const { options: o, faultTolerance: ft, directory, workers } = this.host;
    const request: DeployRequest = {
      runId: o.name,
      workload: o.workload,
      paramsJson: JSON.stringify(o.params),
      seed: o.seed,
      instances: plan.instances.map(specMessage),
      addresses: directory.addressesOf((w) => workers.links[w].vm.address),
      hosted,
      batchSize: o.batchSize,
      sourcePollMs: o.sourcePollMs,
      startEpochMs: this.host.startEpochMs(),
      replaySpeed: o.replaySpeed ?? 1,
      faultTolerance: ft.strategy,
      incarnations: directory.incarnationsOf(),
      // A scale out replays, from the split instance's checkpoint on, what its upstreams
      // had sent; without checkpoints to trim them, receivers ack what they processed.
      bufferOutput: this.elastic,
      ackProcessedEvery: this.elastic && ft.strategy === "none" ? ACK_PROCESSED_EVERY : 0,
      stampOutputCuts: ft.strategy === "rsm" && (ft.parallelRecovery ?? 1) > 1,
      ...(this.host.ha === undefined ? {} : { ha: true }),
    };
    // Under HA the record names the worker and the placement first: a new leader must know
    // every worker that may host an instance, and every incarnation it may have.
    const recorded = this.host.ha?.durable() ?? Promise.resolve();
    return recorded
      .then(() => unary(l, l.client.deploy, request, this.host.metadata, "deploying"))
      .then(() => {});
  }
}
