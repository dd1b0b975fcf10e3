// Scale out of a stateful instance X at runtime, on the coordinator's side: SEEP's
// composition of the state primitives, at a cut where nothing is in flight. X stops
// (its input is held upstream) from the pause to the resume.
//
//   acquire     the VMs of the new instances are reserved from the pool, before anything
//               pauses (a cold start can take minutes; nothing waits on the pool)
//   pause       every upstream of X holds its output and says what it had sent to X
//   checkpoint  X checkpoints once all of that has arrived (processing stops there: its
//               input is held upstream and its watermark cannot move)
//   partition   the checkpoint is split by key-group ranges; part 0 keeps X's identity,
//   and deploy  output timestamps and buffers, the others are new instances (fresh ids:
//               receivers keep the channels of a retired instance). X is deployed afresh
//               in place, the new instances each on a reserved VM
//   restore     each is restored from its part
//   senders     X's downstream instances expect the new senders (so that their low
//               watermark waits for them before anything moves on)
//   reroute     each upstream re-slices the key groups over X and the new instances and
//   and resume  moves the buffered tuples after X's checkpoint to their new owners, then
//               sends again, from the checkpoint's positions on
//
// Nothing X emitted is regenerated (it stopped at the checkpoint), and each new instance
// sends on channels of its own, so the receivers' per-channel timestamps stay exact: the
// output is the output of a run without the scale out. Under rsm each part is its
// instance's backup until it checkpoints (ScaleOutHooks). A migration is this protocol
// with one part, deployed on a new VM (engine/elasticity/migration.ts).

import type { Checkpoint } from "../checkpoint.js";
import { partition } from "../checkpoint.js";
import { splitRange } from "../keyGroups.js";
import type { InstanceSpec } from "../physicalPlan.js";
import { deployEach, deploymentsOf, restoreParts } from "../reconfiguration/deployment.js";
import { Acting, AwaitingEach } from "../reconfiguration/stepMachine.js";
import type { SentPosition } from "../reconfiguration/upstreamPause.js";
import { AcquiringVms, VmReservation } from "../reconfiguration/vmReservation.js";
import { Scaling, type ScalingContext, type ScalingOf } from "./scaling.js";
import { AddingSenders, checkpointingAtCut } from "./scalingSteps.js";

/** A scale out of X into `factor` instances (or a migration) that stops X for its state's transfer. */
export class StoppingScaleOut extends Scaling {
  private readonly reservation: VmReservation;

  /** Split X into `factor` parts; the first `inPlace` (1, or 0 for a migration) stay on X's VM. */
  constructor(
    ctx: ScalingContext,
    of: ScalingOf,
    private readonly factor: number,
    private readonly inPlace: number,
  ) {
    super(ctx, of);
    this.reservation = new VmReservation(ctx.link, factor - inPlace, factor === 1);
  }

  protected override reservationOf(): VmReservation {
    return this.reservation;
  }

  start(): void {
    this.machine.go(new AcquiringVms(this.reservation, () => this.atBase(() => this.pause())));
  }

  private pause(): void {
    this.machine.go(this.pausing([this.spec.id], (sent) => this.checkpoint(sent)));
  }

  private checkpoint(sent: readonly SentPosition[]): void {
    const then = (cps: ReadonlyMap<number, Checkpoint>) => {
      const cp = cps.get(this.spec.id)!;
      this.machine.go(new Acting("deploying", () => this.deploy(cp)));
    };
    this.machine.go(checkpointingAtCut(this.ctx.link, this.checkpointId, [this.spec], sent, then));
  }

  /** Partition X's checkpoint: the parts' specs (X first, then fresh ids) and their checkpoints. */
  private split(cp: Checkpoint): { specs: InstanceSpec[]; parts: Checkpoint[] } {
    const ranges = splitRange(this.spec.range, this.factor);
    const parts = this.ctx.link.partition?.(cp, ranges) ?? partition(cp, ranges);
    const first = this.ctx.ids.take(this.ctx.plan.current, this.factor - 1);
    const specs = ranges.map((range, i) => ({
      ...this.spec,
      id: i === 0 ? this.spec.id : first + i - 1,
      range,
    }));
    this.record.instances = specs.map((s) => s.id);
    return { specs, parts };
  }

  /** Deploy the parts: X afresh in place (a migration: on its new VM), the others on theirs. */
  private deploy(cp: Checkpoint): void {
    const { specs, parts } = this.split(cp);
    this.ctx.hooks.replacing?.(specs.map((s) => s.id));
    this.ctx.plan.place(specs);
    const deployments = deploymentsOf(specs, this.inPlace, this.reservation.vms);
    deployEach(this.ctx.link, this.ctx.plan, deployments, () => {
      const ids = specs.map((s) => s.id);
      const restore = () => restoreParts(this.ctx.link, specs, parts);
      const then = () => this.addSenders(specs, parts, cp);
      this.machine.go(new AwaitingEach("restoring", "restored", ids, restore, then));
    });
  }

  /** Each part is its instance's backup (rsm) and X's receivers expect the new senders. */
  private addSenders(specs: readonly InstanceSpec[], parts: readonly Checkpoint[], cp: Checkpoint): void {
    const plan = this.ctx.plan;
    for (let i = 0; i < parts.length; i++) this.restoredPart(parts[i], plan.spec(specs[i].id));
    const x = plan.spec(this.spec.id);
    const resume = () => this.resumeAtCut(new Map([[this.spec.id, cp]]), specs);
    this.machine.go(new AddingSenders(this.ctx.link, () => plan.current, x, specs.slice(1), resume));
  }
}
