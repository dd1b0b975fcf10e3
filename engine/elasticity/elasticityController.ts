// The elasticity controller: what a runtime runs on every load report to apply the
// threshold policy, the same code under the simulator and on real workers. It hands the
// report to the bottleneck detector, adjusts load shedding from the decisions, and carries
// out each unblocked scale out or scale in through the coordinator's scale-out protocol;
// it also chooses VMs in use for new instances (load-aware placement) when the protocol
// reserves them. The runtime calls it on its own schedule (every `reportIntervalMs`, on
// its clock) with the loads it measured, and says which VMs are in use and how to reach
// the sources; the controller reads no clock and sets no timer.

import { instancesOf, type PhysicalPlan } from "../physicalPlan.js";
import { whyNotScalable } from "../reconfiguration/scalable.js";
import { BottleneckDetector, type PlanView, type ScalingDecision } from "./bottleneckDetector.js";
import type { LoadReport } from "./loadReport.js";
import { LoadShedder } from "./loadShedding.js";
import { LoadAwarePlacement, type PlacementPolicy, type VmCores } from "./placement.js";
import type { ScaleOut } from "./scaleOut.js";
import type { ScalingPolicy } from "./scalingPolicy.js";

/** The threshold policy of a run, with its placement and shedding. */
export interface ElasticityOptions {
  readonly policy: ScalingPolicy;
  readonly placement: PlacementPolicy;
  /** The highest share of their tuples the sources may drop while a scale out is blocked (0: never). */
  readonly sheddingMaxRate: number;
}

/** What the controller needs of the runtime. */
export interface ElasticityHost {
  /** VMs in use now, counted against a rule's VM budget. */
  vmsInUse(): number;
  /** The VMs in use that may take new instances, with their cores, in a fixed order. */
  vms(): readonly VmCores[];
  /** Make every live source instance drop this share of its tuples from now on. */
  shed(rate: number, atMs: number): void;
  /** A decision was made (blocked or not), before it is carried out. */
  decided?(decision: ScalingDecision): void;
  /** The scale out or scale in of a decision was started. */
  started?(decision: ScalingDecision): void;
}

/** What the controller acts on: the plan as it stands and the scale-out protocol (a Coordinator). */
export interface ScalingTarget {
  readonly plan: PhysicalPlan;
  readonly scaling: Pick<ScaleOut, "busy" | "scaleOut" | "scaleIn"> | null;
  /** True while a failure is being recovered from (nothing scales meanwhile). */
  readonly recovering?: boolean;
  /** True while a sink re-makes output that already left, after a recovery (nothing scales meanwhile). */
  readonly replaying?: boolean;
}

/** Applies the threshold policy's decisions on every load report. */
export class ElasticityController {
  /** The detector's decisions so far (a blocked one was not carried out). */
  readonly decisions: ScalingDecision[] = [];
  private readonly detector: BottleneckDetector;
  private readonly placement: LoadAwarePlacement;
  private readonly shedder: LoadShedder;

  constructor(
    private readonly target: ScalingTarget,
    options: ElasticityOptions,
    private readonly host: ElasticityHost,
  ) {
    this.detector = new BottleneckDetector(options.policy);
    this.placement = new LoadAwarePlacement(options.placement, () => host.vms());
    this.shedder = new LoadShedder(options.sheddingMaxRate, options.policy.rules);
  }

  /** The share of their tuples the sources drop now. */
  get shedRate(): number {
    return this.shedder.rate;
  }

  /** Take in one interval's loads: decide, shed, and start the unblocked scalings; returns the decisions. */
  observe(report: LoadReport): readonly ScalingDecision[] {
    const scaling = this.target.scaling;
    if (scaling === null) throw new Error("the threshold policy needs a runtime that can scale out");
    const view: PlanView = {
      operatorName: (op) => this.target.plan.logical.operators[op].name,
      // Nothing is decided while a scale out or a recovery is under way.
      scalable: (op) =>
        !scaling.busy &&
        this.target.recovering !== true &&
        this.target.replaying !== true &&
        whyNotScalable(this.target.plan, op) === null,
      instancesOf: (op) => instancesOf(this.target.plan, op).map((i) => i.id),
      vmsInUse: () => this.host.vmsInUse(),
    };
    this.placement.observe(report, scaling.busy);
    const decisions = this.detector.observe(report, view);
    const rate = this.shedder.next(decisions, report);
    if (rate !== null) this.host.shed(rate, report.atMs);
    for (const d of decisions) {
      this.decisions.push(d);
      this.host.decided?.(d);
      let started = false;
      if (d.action === "scaleOut")
        started = d.blockedBy === null && scaling.scaleOut(d.instances[0], d.factor) === null;
      else started = scaling.scaleIn(d.instances[0], d.instances[1]) === null;
      if (started) this.host.started?.(d);
    }
    return decisions;
  }

  /** A VM in use for a new instance of the scale out under way (load-aware), or null: take one from the pool. */
  placeNewInstance(): number | null {
    return this.placement.choose();
  }
}
