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
// (the protocol folds that into a new recovery); any other refusal stops the run. A
// redeploy in place (a reconfiguration's) tells the protocol its instances are deployed
// even when their worker is gone, as the simulator does, and that they failed: its step
// waiting for the deployment goes on without them.
//
// A worker told to deploy instances afresh is told the whole plan as it stands with them
// (a standby, taken, knows nothing since its deployment; the others have heard of instances
// that left the plan since), and builds them with it, as the simulator builds them with the
// coordinator's plan: instances that left the plan (a scale in's merged-away one, a live
// scale out's split one) would otherwise give a key group two owners.
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
//
// A reconfiguration given up (a failure before a live scale out's split instance retired)
// discards the new instances it deployed: after the redeploys asked before it (one may
// still be placing them), each is forgotten by the directory and dropped by its worker
// (listed in a redeploy, not fresh, as a migration's old worker drops its incarnation), so
// that what still comes for it there is dropped, as it would be with a dead instance; a
// redeploy that placed it meanwhile does not tell the protocol. Then each worker the
// reconfiguration reserved goes back to the pool if it hosts nothing (`unreserve`), as the
// simulator releases a VM reserved and left empty.

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
import { partitionByReference } from "./remoteCheckpoint.js";
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
  sendControl(instance: number, message: ControlMessage, seq?: number): void;
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
  /** Worker `index`, reserved for a reconfiguration that was given up, is not needed: give it back if it hosts nothing. */
  unreserved(index: number): void;
  /** Instances `ids` were placed on a worker declared dead before (its failure did not name them): they failed. */
  failed(ids: readonly number[]): void;
  /** Under HA: resolves once the run's record holds the workers and placement as they stand (before a redeploy goes out). */
  durable?(): Promise<void>;
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
  /** Each instance as a redeploy last placed it (a discarded one is named to its worker so). */
  private readonly placed = new Map<number, InstanceSpec>();
  /** Instances a given-up reconfiguration discarded: a redeploy placing them does not tell the protocol. */
  private readonly discarded = new Set<number>();

  constructor(private readonly host: RecoveryHost) {}

  /** The protocol's link to the run, on `clock`. */
  link(clock: Clock): FaultToleranceLink {
    const abort = (e: unknown) => this.host.abort(e instanceof Error ? e : new Error(String(e)));
    return {
      clock,
      // A lost lingering instance is redeployed out of the plan, on a new worker
      // (FaultTolerance.lingers): built there with the plan as it stands (workerRuntime.ts).
      redeploysRetired: true,
      sendControl: (id, m, seq) => this.host.sendControl(id, m, seq),
      redeploy: (specs, newVm, onDeployed, superseded) => {
        this.chain = this.chain
          .then(() => (superseded?.() === true ? [] : newVm ? this.onNewWorker(specs) : this.inPlace(specs)))
          .then((placed) => {
            const kept = placed.filter((s) => !this.discarded.has(s.id));
            if (kept.length > 0 && !this.host.stopping()) onDeployed(kept);
          })
          .catch(abort);
      },
      // A scale out's checkpoint reaches the coordinator as bytes (its parts are cut from
      // them) or as a reference (each part is cut by its worker as it is fetched).
      partition: (cp, ranges) => partitionByReference(cp, ranges, (op) => this.host.codecOf(op)),
      discard: (ids) => {
        for (const id of ids) this.discarded.add(id);
        this.chain = this.chain.then(() => this.drop(ids)).catch(abort);
      },
      // After the redeploys and discards asked before: a worker still to host a discarded
      // instance, or to be told to drop one, is given back only once it hosts nothing.
      unreserve: (index) => {
        this.chain = this.chain
          .then(() => {
            this.unreserve(index);
            if (!this.host.stopping()) this.host.unreserved(index);
          })
          .catch(abort);
      },
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

  /**
   * A new leader's (coordinator failover): what the old leader's redeploys had reserved and
   * placed, as its journal tells (`reserved`: workers reserved and hosting nothing yet;
   * `placed`: each instance as a deployment last placed it).
   */
  restore(reserved: Iterable<number>, placed: Iterable<InstanceSpec>): void {
    for (const w of reserved) this.reserved.add(w);
    for (const s of placed) this.placed.set(s.id, s);
  }

  /** Worker `index` was reserved for a scale out that was given up: it is not reserved any more. */
  unreserve(index: number): void {
    this.reserved.delete(index);
  }

  /**
   * Drop instances `ids`, discarded by a given-up reconfiguration: the directory forgets
   * them, and each live worker hosting one is told to let go of it (named in a redeploy,
   * not fresh: what still comes for it there is dropped from now on).
   */
  private async drop(ids: readonly number[]): Promise<void> {
    const h = this.host;
    const byWorker = new Map<number, InstanceSpec[]>();
    for (const id of ids) {
      const w = h.directory.workerOf(id);
      const spec = this.placed.get(id);
      h.directory.remove(id);
      if (w === undefined || spec === undefined) continue;
      byWorker.set(w, [...(byWorker.get(w) ?? []), spec]);
    }
    if (h.stopping()) return;
    await Promise.all(
      [...byWorker].map(async ([w, specs]) => {
        const link = h.links()[w];
        if (link === undefined || !link.alive) return; // dropped with its worker
        await this.tolerate(link, () => this.redeployCall(link, specs, []));
      }),
    );
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
        : () => this.redeployCall(link, plan.instances, ids, true);
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
                true,
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
    /** Instances placed on another worker than the one they were on (new ones included). */
    const moved = new Set<number>();
    for (const s of specs) {
      h.directory.renew(s.id);
      // A scale out's new instance goes where its spec says (a reserved worker), and so
      // does an instance moved onto a reserved worker; the rest stay on their worker.
      const known = h.directory.workerOf(s.id);
      const w = known === undefined || (known !== s.vm && this.reserved.has(s.vm)) ? s.vm : known;
      if (w !== known) {
        h.directory.place(s.id, w);
        this.reserved.delete(w);
        moved.add(s.id);
      }
      byWorker.set(w, [...(byWorker.get(w) ?? []), { ...s, vm: w }]);
    }
    // Each worker is told the whole plan as it stands, with these in it: it builds them with
    // that plan (workerRuntime.ts), as the simulator builds them with the coordinator's.
    const all = [...byWorker.values()].flat();
    const told = this.asItStands(all);
    const unreported: number[] = [];
    await Promise.all(
      [...byWorker].map(async ([w, group]) => {
        const link = h.links()[w];
        const ids = group.map((s) => s.id);
        // A worker gone during the call is declared dead, these among its instances.
        if (link?.alive === true) await this.tolerate(link, () => this.redeployCall(link, told, ids));
        // Gone before: its failure named the instances it had, not those moved onto it now.
        else unreported.push(...ids.filter((id) => moved.has(id)));
      }),
    );
    // As in the simulator, every instance is where it was placed, on a worker gone or not:
    // one moved away is let go of by its old worker; the protocol hears that all are
    // deployed (a step waiting for the deployment goes on) and, apart, that those on a
    // worker that is gone failed.
    await this.tell(all);
    if (unreported.length > 0 && !h.stopping()) h.failed(unreported);
    return all;
  }

  /**
   * The plan as it stands with `specs` placed in it: every instance of the plan the directory
   * places, on its worker, then `specs` (each with an address: a worker keeps what it hosts
   * of them, workerRuntime.ts's `redeploy`).
   */
  private asItStands(specs: readonly InstanceSpec[]): InstanceSpec[] {
    const d = this.host.directory;
    const ids = new Set(specs.map((s) => s.id));
    const rest = this.host.plan().instances.flatMap((i) => {
      const w = d.workerOf(i.id);
      return ids.has(i.id) || w === undefined ? [] : [{ ...i, vm: w }];
    });
    return [...rest, ...specs];
  }

  /**
   * Tell every live worker where those of `placed` it does not host run now and their
   * incarnations (its own it has deployed; an in-place redeploy may span several workers,
   * each of which must learn of the others'). A worker that hosted one of them before (a
   * migration's old worker) lets go of it.
   */
  private async tell(placed: readonly InstanceSpec[]): Promise<void> {
    if (placed.length === 0) return;
    for (const s of placed) this.placed.set(s.id, s);
    // Standbys are told everything when they are taken.
    const live = this.host.links().filter((l) => l.alive && !l.standby);
    await Promise.all(
      live.map((l) => {
        const elsewhere = placed.filter((s) => s.vm !== l.index);
        return elsewhere.length === 0 ? true : this.tolerate(l, () => this.redeployCall(l, elsewhere, []));
      }),
    );
  }

  /**
   * Tell `link` where `specs` run and their incarnations (`everywhere`: and where every
   * instance the directory knows runs, and its incarnation, as a deployment does: a standby
   * heard of nothing since its own, and an instance out of the plan, retired and lingering,
   * may still be asked to replay); it deploys those of `fresh` afresh.
   */
  private redeployCall(
    link: WorkerLink,
    specs: readonly InstanceSpec[],
    fresh: number[],
    everywhere = false,
  ): Promise<void> {
    const d = this.host.directory;
    const ids = everywhere ? undefined : specs.map((s) => s.id);
    const links = this.host.links();
    const request = {
      instances: specs.map(specMessage),
      addresses: d.addressesOf((w) => links[w].vm.address, ids),
      incarnations: d.incarnationsOf(ids),
      fresh,
    };
    const recorded = this.host.durable?.() ?? Promise.resolve();
    return recorded
      .then(() => unary(link, link.client.redeploy, request, this.host.metadata, "redeploying"))
      .then(() => {});
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
