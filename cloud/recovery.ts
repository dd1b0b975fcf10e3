// How the engine's fault-tolerance protocol gets fresh instances on a real run: the
// FaultToleranceLink of the real runtime. A redeploy on a new VM takes a standby worker
// (started and deployed with the run, hosting nothing; another is started in its place)
// or, when none is ready, a worker from the pool, and deploys the instances there under
// their ids; a redeploy in place asks their worker to replace the live incarnations.
// Either way every live worker is then told where the instances run now and their new
// incarnations, and only then is the protocol told they are deployed: so the restore,
// replay and marker messages that follow, from the coordinator or from other instances,
// reach the replacements and not the dead.
//
// Redeploys run one after another, in the order the protocol asks: a later one (a failure
// during a recovery) places its instances after an earlier one, so the last word on where
// an instance runs is the latest. A worker that dies during a redeploy is reported lost
// (the protocol folds that into a new recovery); any other refusal stops the run.
//
// Scale outs (engine/elasticity/scaleOut.ts) first reserve their workers: a worker in use
// with room (load-aware placement, chosen by the elasticity controller) at once, or, in
// the same chain, a standby (told the placement as it stands) or a worker from the pool
// (deployed hosting nothing). One past the run's bound on workers, or one the pool cannot
// give, is refused: the scale out is given up before anything paused, and the run goes
// on. Their redeploys "in place" then name the reserved worker in the spec:
// an instance the directory does not know yet (a new part) is placed there, and so is one
// moved onto a reserved worker (a migration), whose old worker, told where it runs now,
// drops its incarnation.

import type { Metadata } from "@grpc/grpc-js";
import type {
  Clock,
  ControlMessage,
  FaultToleranceLink,
  InstanceSpec,
  PhysicalPlan,
  ScaleOutRecord,
  StateCodec,
} from "../engine/index.js";
import { withInstances } from "../engine/index.js";
import { specMessage } from "./deployment.js";
import type { InstanceDirectory } from "./instanceDirectory.js";
import { partitionOnWire } from "./lazyCheckpoint.js";
import type { CloudVm, VmPool } from "./vmPool.js";
import { unary, WorkerGone, type WorkerLink } from "./workerLink.js";

/** What a recovery needs of the run. */
export interface RecoveryHost {
  readonly pool: VmPool;
  /** The state codec of an operator (a scale out's parts decode through it). */
  codecOf(operator: number): StateCodec<unknown>;
  readonly directory: InstanceDirectory;
  readonly metadata: Metadata;
  links(): readonly WorkerLink[];
  /**
   * A standby worker (deployed with the run, hosting nothing) to host replacements, now
   * counted as one of the run's workers; another is started in its place. Undefined when
   * none is ready.
   */
  takeStandby(): WorkerLink | undefined;
  plan(): PhysicalPlan;
  stopping(): boolean;
  /** Link a worker taken from the pool into the run (watched from now on). */
  addWorker(vm: CloudVm): WorkerLink;
  /** Deploy the instances `hosted` of `plan` on a fresh worker. */
  deploy(link: WorkerLink, plan: PhysicalPlan, hosted: number[]): Promise<void>;
  sendControl(instance: number, message: ControlMessage): void;
  /** The worker could not be reached during a redeploy: declare it dead. */
  lost(link: WorkerLink): void;
  /** Something refused a redeploy: stop the run with this error. */
  abort(error: Error): void;
  /** Workers in use now (standbys aside), and the most the run may have. */
  workersInUse(): number;
  readonly maxWorkers: number;
  /** A worker in use with room for a new instance (load-aware placement), or null: take another. */
  roomyWorker(): number | null;
  /** The scale out waiting for its workers now (null: none). */
  scaleOutUnderWay(): ScaleOutRecord | null;
  /** No worker can be had for that scale out: give it up, saying why. */
  reserveRefused(record: ScaleOutRecord | null, why: string): void;
}

/** No worker can be had for a scale out: the run has as many as it may, or the pool failed to give one. */
class NoWorker extends Error {
  override readonly name = "NoWorker";
}

/** Redeploys instances on a real run's workers, for the fault-tolerance and scale-out protocols. */
export class Recovery {
  private chain: Promise<void> = Promise.resolve();
  /** Workers reserved for a scale out and not yet deployed on. */
  private readonly reserved = new Set<number>();

  constructor(private readonly host: RecoveryHost) {}

  /** The protocol's link to the run, on `clock`. */
  link(clock: Clock): FaultToleranceLink {
    const abort = (e: unknown) => this.host.abort(e instanceof Error ? e : new Error(String(e)));
    return {
      clock,
      sendControl: (id, m) => this.host.sendControl(id, m),
      redeploy: (specs, newVm, onDeployed, superseded) => {
        this.chain = this.chain
          .then(() => (superseded?.() === true ? [] : newVm ? this.onNewWorker(specs) : this.inPlace(specs)))
          .then((placed) => {
            if (placed.length > 0 && !this.host.stopping()) onDeployed(placed);
          })
          .catch(abort);
      },
      // A scale out's checkpoint reaches the coordinator as bytes: its parts are cut from them.
      partition: (cp, ranges) => partitionOnWire(cp, ranges, (op) => this.host.codecOf(op)),
      unreserve: (index) => this.unreserve(index),
      reserve: (onReady, forMigration) => {
        const roomy = forMigration ? null : this.host.roomyWorker();
        if (roomy !== null) {
          onReady(roomy); // in use already: nothing to start or deploy
          return;
        }
        const record = this.host.scaleOutUnderWay();
        this.chain = this.chain
          .then(() => this.reserveWorker())
          .then((index) => {
            if (index !== null && !this.host.stopping()) onReady(index);
          })
          .catch((e: unknown) => {
            if (e instanceof NoWorker) this.host.reserveRefused(record, e.message);
            else abort(e);
          });
      },
    };
  }

  /** Worker `index` was reserved for a scale out that was given up: it is not reserved any more. */
  unreserve(index: number): void {
    this.reserved.delete(index);
  }

  /** Resolves once no redeploy is under way. */
  settled(): Promise<void> {
    return this.chain;
  }

  private async onNewWorker(specs: readonly InstanceSpec[]): Promise<InstanceSpec[]> {
    const h = this.host;
    if (h.stopping()) return [];
    const ids = specs.map((s) => s.id);
    for (const id of ids) h.directory.renew(id);
    const standby = h.takeStandby();
    const link = standby ?? (await this.newWorker());
    if (link === null) return [];
    const placed = specs.map((s) => ({ ...s, vm: link.index }));
    for (const s of placed) h.directory.place(s.id, link.index);
    const plan = withInstances(h.plan(), ids, placed);
    // A standby runs the deployment already, hosting nothing: it is told the whole
    // placement as it stands (it heard of no redeploy since it was deployed) and deploys
    // the instances afresh, with no plan to build and no process to start.
    const deploy =
      standby === undefined
        ? () => h.deploy(link, plan, ids)
        : () => this.redeployCall(link, plan.instances, ids);
    if (!(await this.tolerate(link, deploy))) return [];
    await this.tell(placed);
    return placed;
  }

  /**
   * A worker for a scale out, hosting nothing and ready for redeploys: a standby (told
   * the whole placement, as it heard of no redeploy since it was deployed) or one from
   * the pool (deployed with the plan as it stands). One that dies meanwhile is declared
   * dead and another taken. Its index; null when the run stops meanwhile. Throws NoWorker
   * when the run has as many workers as it may, or the pool cannot give one.
   */
  private async reserveWorker(): Promise<number | null> {
    const h = this.host;
    for (;;) {
      if (h.stopping()) return null;
      if (h.workersInUse() >= h.maxWorkers)
        throw new NoWorker(
          `the run has ${h.workersInUse()} workers in use, as many as it may (${h.maxWorkers})`,
        );
      const standby = h.takeStandby();
      const link =
        standby ??
        (await this.newWorker().catch((e: unknown) => {
          throw new NoWorker(`no worker from the pool: ${e instanceof Error ? e.message : String(e)}`);
        }));
      if (link === null) return null;
      const plan = h.plan();
      const ready =
        standby === undefined
          ? () => h.deploy(link, plan, [])
          : () =>
              this.redeployCall(
                link,
                plan.instances.map((s) => ({ ...s, vm: h.directory.workerOf(s.id) ?? s.vm })),
                [],
              );
      if (!(await this.tolerate(link, ready))) continue;
      this.reserved.add(link.index);
      return link.index;
    }
  }

  /** A worker from the pool, linked into the run; null when the run stops meanwhile. */
  private async newWorker(): Promise<WorkerLink | null> {
    const vm = await this.host.pool.acquire();
    if (this.host.stopping()) {
      await this.host.pool.release(vm);
      return null;
    }
    return this.host.addWorker(vm);
  }

  private async inPlace(specs: readonly InstanceSpec[]): Promise<InstanceSpec[]> {
    const h = this.host;
    if (h.stopping()) return [];
    const byWorker = new Map<number, InstanceSpec[]>();
    for (const s of specs) {
      h.directory.renew(s.id);
      // A scale out's new instance goes where its spec says (a reserved worker), and so
      // does an instance moved onto a reserved worker; the rest stay on their worker.
      const known = h.directory.workerOf(s.id);
      const w = known === undefined || (known !== s.vm && this.reserved.has(s.vm)) ? s.vm : known;
      if (w !== known) {
        h.directory.place(s.id, w);
        this.reserved.delete(w);
      }
      byWorker.set(w, [...(byWorker.get(w) ?? []), { ...s, vm: w }]);
    }
    const placed: InstanceSpec[] = [];
    await Promise.all(
      [...byWorker].map(async ([w, group]) => {
        const link = h.links()[w];
        if (link === undefined || !link.alive) return; // the protocol hears of its death
        const ids = group.map((s) => s.id);
        if (await this.tolerate(link, () => this.redeployCall(link, group, ids))) placed.push(...group);
      }),
    );
    await this.tell(placed);
    return placed;
  }

  /**
   * Tell every live worker where those of `placed` it does not host run now and their
   * incarnations (its own it has deployed; an in-place redeploy may span several workers,
   * each of which must learn of the others'). A worker that hosted one of them before (a
   * migration's old worker) lets go of it.
   */
  private async tell(placed: readonly InstanceSpec[]): Promise<void> {
    if (placed.length === 0) return;
    // Standbys are told everything when they are taken.
    const live = this.host.links().filter((l) => l.alive && !l.standby);
    await Promise.all(
      live.map((l) => {
        const elsewhere = placed.filter((s) => s.vm !== l.index);
        return elsewhere.length === 0 ? true : this.tolerate(l, () => this.redeployCall(l, elsewhere, []));
      }),
    );
  }

  /** Tell `link` where `specs` run and their incarnations; it deploys those of `fresh` afresh. */
  private redeployCall(link: WorkerLink, specs: readonly InstanceSpec[], fresh: number[]): Promise<void> {
    const d = this.host.directory;
    const ids = specs.map((s) => s.id);
    const links = this.host.links();
    const request = {
      instances: specs.map(specMessage),
      addresses: d.addressesOf((w) => links[w].vm.address, ids),
      incarnations: d.incarnationsOf(ids),
      fresh,
    };
    return unary(link, link.client.redeploy, request, this.host.metadata, "redeploying").then(() => {});
  }

  /** Run a call on `link`; false when its worker is gone (then declared dead). */
  private async tolerate(link: WorkerLink, call: () => Promise<void>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (e) {
      if (!(e instanceof WorkerGone) && link.alive) throw e;
      this.host.lost(link);
      return false;
    }
  }
}
