// The fault schedule of one chaos run, drawn from the run's seed: which kind of trouble
// the run meets (a crash at any time, a crash during a checkpoint, a crash during a
// recovery, two VMs at once, a straggler, a partition that heals, the last two with or
// without a crash) and its VMs and times, as the `FaultSpec`s of sim/faults.ts. The kind
// rotates with the seed, so any 8 consecutive seeds meet every kind; everything else is
// drawn from the seeded "chaos" stream, never from Math.random, so `--runs 1 --seed S`
// replays run S of any campaign exactly.
//
// Aimed at reconfigurations (RECONFIGURATION_KINDS, chosen with `seep chaos --kinds`, so
// that the default rotation and every seed's schedule stay as they were): a crash during
// one of the run's reconfigurations (of the instance reconfigured, an upstream, a receiver
// or a new instance, at a time drawn over its phases: waiting for VMs, snapshot, shadow,
// pause, cut, hand-over), and the same with a second crash of another VM during the
// recovery it causes.
//
// Coordinator crashes are drawn on top, from a stream of their own ("chaos-coordinator"),
// so that each seed's VM faults stay what they were: half the runs get one, during the
// recovery of the run's first VM crash, during a reconfiguration, just after a checkpoint
// round was asked for, or at any time; one in four of those gets a second, of the new
// leader, soon after it took over.

import type { Experiment } from "../experiment.js";
import { type FaultSpec, RECONFIGURATION_ROLES } from "../faults.js";
import { RandomStream } from "../randomStreams.js";
import { defaultVmPoolOptions } from "../vmPool.js";
import { FAULT_KINDS, type FaultKind } from "./faultKinds.js";

export { ALL_FAULT_KINDS, FAULT_KINDS, type FaultKind, RECONFIGURATION_KINDS } from "./faultKinds.js";

/** What a schedule is drawn against: the cluster, the stream's length and the protocol's timings. */
export interface ChaosShape {
  /** VMs of the initial cluster, ids 0..vms-1; replacements get higher ids. */
  readonly vms: number;
  /** Length of the failure-free run of the seed. */
  readonly durationMs: number;
  readonly checkpointIntervalMs: number;
  /** From a crash to the coordinator's knowing of it. */
  readonly detectionMs: number;
  /** The pool's options that say which VM replaces a crashed one, and when it is ready. */
  readonly prewarmed: number;
  readonly minimum: number;
  readonly handoutMs: number;
  readonly coldStartMs: number;
  /** Reconfigurations the experiment schedules (a threshold policy's count as 3). */
  readonly reconfigurations: number;
  /** From the coordinator's crash to a new leader's taking over. */
  readonly coordinatorTakeoverMs: number;
}

/** One run's faults and the kind they were drawn as. */
export interface FaultSchedule {
  readonly kind: FaultKind;
  readonly faults: readonly FaultSpec[];
}

/** The shape of `experiment` for a stream that lasts `durationMs` without faults. */
export function chaosShapeOf(experiment: Experiment, durationMs: number): ChaosShape {
  const pool = { ...defaultVmPoolOptions, ...experiment.pool };
  return {
    vms: experiment.cluster.vms,
    durationMs,
    checkpointIntervalMs: experiment.faultTolerance.checkpointIntervalMs,
    detectionMs: experiment.faultTolerance.detectionMs,
    coordinatorTakeoverMs: experiment.faultTolerance.coordinatorTakeoverMs,
    prewarmed: pool.prewarmed,
    minimum: pool.minimum,
    handoutMs: pool.handoutMs,
    coldStartMs: pool.coldStartMs,
    reconfigurations:
      experiment.scaling.policy === "threshold"
        ? 3
        : experiment.scaling.scaleOuts.length + experiment.scaling.scaleIns.length,
  };
}

/**
 * The fault schedule of the run with seed `seed` (a function of the seed, the shape, the
 * kinds rotated through and whether coordinator crashes are drawn, only).
 */
export function drawFaultSchedule(
  seed: number,
  shape: ChaosShape,
  kinds: readonly FaultKind[] = FAULT_KINDS,
  coordinatorCrashes = true,
): FaultSchedule {
  const kind = kinds[seed % kinds.length];
  const faults = new Drawer(new RandomStream(seed, "chaos"), shape).draw(kind);
  if (coordinatorCrashes)
    faults.push(...new Drawer(new RandomStream(seed, "chaos-coordinator"), shape).coordinatorCrashes(faults));
  return { kind, faults };
}

/** Draws the faults of one kind from one random stream. */
class Drawer {
  /** Faults land in [fromMs, untilMs]: after the stream has started, before it ends. */
  private readonly fromMs: number;
  private readonly untilMs: number;

  constructor(
    private readonly rng: RandomStream,
    private readonly shape: ChaosShape,
  ) {
    const d = Math.max(shape.durationMs, 1);
    this.fromMs = Math.round(Math.min(1000, 0.05 * d));
    this.untilMs = Math.max(this.fromMs + 1, Math.round(0.9 * d));
  }

  draw(kind: FaultKind): FaultSpec[] {
    switch (kind) {
      case "crash":
        return [this.crash(this.vm(), this.time())];
      case "checkpoint-crash":
        return [this.crash(this.vm(), this.checkpointTime())];
      case "recovery-crash":
        return this.recoveryCrash();
      case "two-vms":
        return this.twoVms();
      case "straggler":
        return [this.straggler()];
      case "straggler+crash": {
        const s = this.straggler();
        return [s, this.crash(this.vm(), this.between(s.atMs, s.untilMs))];
      }
      case "partition":
        return [this.partition()];
      case "partition+crash": {
        const p = this.partition();
        return [p, this.crash(this.vm(), this.between(p.atMs, p.untilMs))];
      }
      case "reconfiguration-crash":
        return [this.reconfigurationCrash()];
      case "reconfiguration+recovery-crash": {
        // A second crash, of a VM of the initial cluster, while the first one's recovery runs.
        const first = this.reconfigurationCrash();
        const s = this.shape;
        const second: FaultSpec = {
          ...first,
          role: RECONFIGURATION_ROLES[this.int(RECONFIGURATION_ROLES.length)],
          afterMs: first.afterMs + this.between(0, s.detectionMs + s.handoutMs + 2000),
        };
        return [first, second];
      }
    }
  }

  /**
   * A crash during one of the run's reconfigurations (any of them, when it has none
   * scheduled: the first), of one of its instances, at a time over its phases: from its
   * request to a few seconds past the VM handout (the pause, the cut and the hand-over).
   */
  private reconfigurationCrash(): Extract<FaultSpec, { type: "reconfigurationCrash" }> {
    const s = this.shape;
    const nth = 1 + this.int(Math.max(1, s.reconfigurations));
    const role = RECONFIGURATION_ROLES[this.int(RECONFIGURATION_ROLES.length)];
    // Half the crashes land near the pause (the VMs are there after the handout).
    const afterMs =
      this.rng.next() < 0.5 ? this.between(0, s.handoutMs + 5000) : s.handoutMs + this.between(0, 200);
    return { type: "reconfigurationCrash", nth, role, afterMs };
  }

  /** Half the time, a coordinator crash timed by what `faults` do (see the header); one in four of those, a second. */
  coordinatorCrashes(faults: readonly FaultSpec[]): FaultSpec[] {
    if (this.rng.next() >= 0.5) return [];
    const s = this.shape;
    const firstCrash = faults.find((f) => f.type === "crash");
    const reconfiguration = faults.find((f) => f.type === "reconfigurationCrash");
    const r = this.rng.next();
    let crash: FaultSpec;
    if (r < 0.4 && (reconfiguration !== undefined || s.reconfigurations > 0)) {
      const nth = reconfiguration?.nth ?? 1 + this.int(Math.max(1, s.reconfigurations));
      crash = { type: "reconfigurationCoordinatorCrash", nth, afterMs: this.between(0, s.handoutMs + 5000) };
    } else if (r < 0.7 && firstCrash !== undefined) {
      const recoveryMs = s.detectionMs + Math.max(s.handoutMs, 1000) + 3000;
      crash = { type: "coordinatorCrash", atMs: firstCrash.atMs + this.between(0, recoveryMs) };
    } else if (r < 0.85) crash = { type: "coordinatorCrash", atMs: this.checkpointTime() };
    else crash = { type: "coordinatorCrash", atMs: this.time() };
    if (this.rng.next() >= 0.25 || crash.type !== "coordinatorCrash") return [crash];
    const again = crash.atMs + s.coordinatorTakeoverMs + this.between(0, 2000);
    return [crash, { type: "coordinatorCrash", atMs: again }];
  }

  /** A crash just after a checkpoint was asked for: a multiple of the interval plus a few ms. */
  private checkpointTime(): number {
    const interval = this.shape.checkpointIntervalMs;
    const last = Math.max(1, Math.floor(this.untilMs / interval));
    return (1 + this.int(last)) * interval + this.between(0, 30);
  }

  /**
   * A crash while the recovery of a first crash is under way: either the replacement VM
   * fails after it was handed out (while it restores, replays or catches up), or a second
   * VM of the cluster fails before the first failure's replacement is ready.
   */
  private recoveryCrash(): FaultSpec[] {
    const first = this.crash(this.vm(), this.time());
    const s = this.shape;
    const fromPool = s.prewarmed > 0;
    const readyAfterMs = s.detectionMs + (fromPool ? s.handoutMs : s.coldStartMs);
    if (this.rng.next() < 0.5) {
      // The pool hands out its lowest pooled id; when it is empty, the cold VM started
      // for the request comes after the `minimum` VMs it boots to refill itself.
      const replacement = fromPool ? s.vms : s.vms + s.minimum;
      const afterReadyMs = this.rng.next() < 0.5 ? this.between(1, 50) : this.between(50, 3000);
      return [first, this.crash(replacement, first.atMs + readyAfterMs + afterReadyMs)];
    }
    const second = this.otherVm(first.vm);
    if (second === null) return [first];
    return [first, this.crash(second, first.atMs + this.between(0, readyAfterMs))];
  }

  private twoVms(): FaultSpec[] {
    const a = this.vm();
    const b = this.otherVm(a);
    const atMs = this.time();
    return b === null ? [this.crash(a, atMs)] : [this.crash(a, atMs), this.crash(b, atMs)];
  }

  private straggler(): Extract<FaultSpec, { type: "straggler" }> {
    const atMs = this.time();
    const untilMs = atMs + this.between(2000, 20_000);
    const speedFactor = Math.round((0.05 + 0.45 * this.rng.next()) * 100) / 100;
    return { type: "straggler", vm: this.vm(), atMs, untilMs, speedFactor };
  }

  /** One side is a random non-empty proper subset of the cluster (or one VM, if it has one VM). */
  private partition(): Extract<FaultSpec, { type: "partition" }> {
    const atMs = this.time();
    const untilMs = atMs + this.between(1000, 15_000);
    const ids = Array.from({ length: this.shape.vms }, (_, i) => i);
    let side = ids.filter(() => this.rng.next() < 0.5);
    if (side.length === 0 || side.length === ids.length) side = [this.vm()];
    const other = ids.filter((id) => !side.includes(id));
    return { type: "partition", atMs, untilMs, between: [side, other] };
  }

  private crash(vm: number, atMs: number): Extract<FaultSpec, { type: "crash" }> {
    return { type: "crash", vm, atMs };
  }

  /** A VM of the initial cluster. */
  private vm(): number {
    return this.int(this.shape.vms);
  }

  /** Another VM of the initial cluster than `vm`, or null when it has only one. */
  private otherVm(vm: number): number | null {
    if (this.shape.vms < 2) return null;
    return (vm + 1 + this.int(this.shape.vms - 1)) % this.shape.vms;
  }

  /** A time while the stream runs. */
  private time(): number {
    return this.between(this.fromMs, this.untilMs);
  }

  /** A whole number of ms in [lo, hi]. */
  private between(lo: number, hi: number): number {
    return lo + this.int(Math.max(0, Math.floor(hi - lo)) + 1);
  }

  private int(n: number): number {
    return this.rng.int(n);
  }
}

/** The faults in a few words: `crash vm1@23456; partition 0,2|1,3 @5000-9000`. */
export function describeFaults(faults: readonly FaultSpec[]): string {
  return faults.map(describeFault).join("; ");
}

function describeFault(f: FaultSpec): string {
  switch (f.type) {
    case "crash":
      return `crash vm${f.vm}@${f.atMs}`;
    case "straggler":
      return `straggler vm${f.vm} x${f.speedFactor} @${f.atMs}-${f.untilMs}`;
    case "partition":
      return `partition ${f.between[0].join(",")}|${f.between[1].join(",")} @${f.atMs}-${f.untilMs}`;
    case "delay":
      return `delay +${f.extraMs}ms @${f.atMs}-${f.untilMs}`;
    case "randomCrashes":
      return `random crashes ${f.perVmPerHour}/vm/h`;
    case "reconfigurationCrash":
      return `crash ${f.role} of reconfiguration ${f.nth} +${f.afterMs}ms`;
    case "coordinatorCrash":
      return `crash coordinator@${f.atMs}`;
    case "randomCoordinatorCrashes":
      return `random coordinator crashes ${f.perHour}/h`;
    case "reconfigurationCoordinatorCrash":
      return `crash coordinator in reconfiguration ${f.nth} +${f.afterMs}ms`;
  }
}
