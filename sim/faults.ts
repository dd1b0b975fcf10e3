// Fault injection: a run's faults are data (crashes, random crashes, stragglers, extra
// link delay, partitions, crashes aimed at a reconfiguration), validated by a schema and
// turned into kernel events against a target the simulation implements. Random crashes
// draw only from the seeded "faults" stream, so one seed reproduces the whole fault
// schedule. A crash aimed at a reconfiguration (`reconfigurationCrash`) is timed from the
// moment the run's nth scale out, migration or scale in begins, and hits the VM that then
// hosts one of its instances: the one reconfigured (`split`), its first upstream or first
// receiver (by id, named when it begins), or its first new instance (`new`; a migration's
// moved instance); when that VM is not alive, the next role's.

import { z } from "zod";
import { integerIn, numberIn, type TimerHandle } from "../engine/index.js";
import type { Environment } from "./kernel.js";
import type { RandomStreams } from "./randomStreams.js";

/** Kernel priority of fault events: below ordinary work (0), so at equal times a fault comes first. */
export const FAULT_PRIORITY = -10;

/** Period of the check that gives random crash times to VMs that have become alive. */
export const RANDOM_CRASH_CHECK_MS = 1_000;

/**
 * Latest time an experiment names (a fault, a scheduled scaling, a deadline, untilS): 20
 * days, in ms, so that a real run's timers fit Node's (at most 2^31 - 1 ms, 24.8 days).
 */
export const TIME_MS_MAX = 20 * 24 * 3_600_000;

/** Largest VM id a fault names: ids are dense over a run, replacements included. */
export const VM_ID_MAX = 1_000_000;

// Ranges: times from 0 to 20 days; VM ids up to a million; at most 3600 random crashes per
// VM-hour (one a second); a straggler's speed factor from 0.001 to 1; extra delay up to an
// hour; a group of a partition or a delay up to 10,000 VMs.
const timeMs = numberIn(0, TIME_MS_MAX);
const vmId = integerIn(0, VM_ID_MAX);
const vmGroups = z.tuple([z.array(vmId).max(10_000), z.array(vmId).max(10_000)]);

/** Adds an issue on `untilMs` unless it is after `fromKey`. */
function untilAfter(fromKey: "atMs" | "fromMs") {
  return (spec: { untilMs?: number } & Partial<Record<"atMs" | "fromMs", number>>, ctx: z.RefinementCtx) => {
    const from = spec[fromKey];
    if (spec.untilMs !== undefined && from !== undefined && spec.untilMs <= from) {
      ctx.addIssue({
        code: "custom",
        path: ["untilMs"],
        message: `untilMs (${spec.untilMs}) must be greater than ${fromKey} (${from})`,
      });
    }
  };
}

/** The instances of a reconfiguration a `reconfigurationCrash` can aim at. */
export const RECONFIGURATION_ROLES = ["split", "upstream", "downstream", "new"] as const;

/** One of RECONFIGURATION_ROLES. */
export type ReconfigurationRole = (typeof RECONFIGURATION_ROLES)[number];

/** One fault of a run; unknown keys are errors and every interval must be non-empty. */
export const faultSpecSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("crash"), vm: vmId, atMs: timeMs }),
  z
    .strictObject({
      type: z.literal("randomCrashes"),
      perVmPerHour: numberIn(0, 3_600),
      fromMs: timeMs.optional(),
      untilMs: timeMs.optional(),
    })
    .superRefine(untilAfter("fromMs")),
  z
    .strictObject({
      type: z.literal("straggler"),
      vm: vmId,
      atMs: timeMs,
      untilMs: timeMs,
      speedFactor: numberIn(0.001, 1),
    })
    .superRefine(untilAfter("atMs")),
  z
    .strictObject({
      type: z.literal("delay"),
      atMs: timeMs,
      untilMs: timeMs,
      extraMs: numberIn(0, 3_600_000),
      between: vmGroups.optional(),
    })
    .superRefine(untilAfter("atMs")),
  z
    .strictObject({ type: z.literal("partition"), atMs: timeMs, untilMs: timeMs, between: vmGroups })
    .superRefine(untilAfter("atMs")),
  z.strictObject({
    type: z.literal("reconfigurationCrash"),
    nth: integerIn(1, 1_000_000),
    role: z.enum(RECONFIGURATION_ROLES),
    afterMs: timeMs,
  }),
  z.strictObject({ type: z.literal("coordinatorCrash"), atMs: timeMs }),
  z
    .strictObject({
      type: z.literal("randomCoordinatorCrashes"),
      perHour: numberIn(0, 3_600),
      fromMs: timeMs.optional(),
      untilMs: timeMs.optional(),
    })
    .superRefine(untilAfter("fromMs")),
  z.strictObject({
    type: z.literal("reconfigurationCoordinatorCrash"),
    nth: integerIn(1, 1_000_000),
    afterMs: timeMs,
  }),
]);

/** Fault types that crash the coordinator (a new leader takes over from its journal). */
const COORDINATOR_CRASH_TYPES: ReadonlySet<string> = new Set([
  "coordinatorCrash",
  "randomCoordinatorCrashes",
  "reconfigurationCoordinatorCrash",
]);

/** True when some of `specs` can crash the coordinator (the run keeps its journal then). */
export function coordinatorCrashes(specs: readonly { readonly type: string }[]): boolean {
  return specs.some((s) => COORDINATOR_CRASH_TYPES.has(s.type));
}

/**
 * One fault of a run: crash, randomCrashes, straggler, delay, partition, reconfigurationCrash,
 * or a coordinator crash (at a time, at a seeded rate, or timed from a reconfiguration's start).
 */
export type FaultSpec = z.infer<typeof faultSpecSchema>;

/** Validate a list of fault specs; the error names the path of each problem, e.g. `faults[1].untilMs`. */
export function parseFaultSpecs(input: unknown): FaultSpec[] {
  const result = z.array(faultSpecSchema).safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return `faults${path}: ${issue.message}`;
  });
  throw new Error(`invalid fault specs:\n  ${lines.join("\n  ")}`);
}

/** What faults act on; the simulation implements it. */
export interface FaultTarget {
  /** Crash a live VM now. */
  crashVm(vm: number, nowMs: number): void;
  /** Set a VM's speed factor (1 = its shape's speed); the VM may have died meanwhile. */
  setSpeedFactor(vm: number, factor: number): void;
  /** Add latency on links between the two groups (both ways), or on all links; returns a handle. */
  addLinkDelay(groups: [number[], number[]] | null, extraMs: number): number;
  /** Remove a delay added by `addLinkDelay`. */
  removeLinkDelay(handle: number): void;
  /** Cut the links between the two groups; returns a handle. */
  partition(groups: [number[], number[]]): number;
  /** Restore the links cut by `partition`. */
  heal(handle: number): void;
  /** Ids of the VMs alive now. */
  liveVms(): readonly number[];
  /** The VM that hosts instance `id` now, or null (gone, not deployed yet). */
  vmOfInstance?(id: number): number | null;
  /** Crash the coordinator's leader now (a standby takes over): false when none was running. */
  crashCoordinator?(): boolean;
}

/** A reconfiguration as a `reconfigurationCrash` aims at it: its instances by role, when it begins. */
export interface ReconfigurationTargets {
  readonly split: number;
  /** Its first upstream and first receiver, or null. */
  readonly upstream: number | null;
  readonly downstream: number | null;
  /** Its new instances so far (read when the crash comes). */
  newInstances(): readonly number[];
}

/** Something a fault did, for traces and tests. */
export interface FaultEvent {
  kind:
    | "crash"
    | "crashSkipped"
    | "stragglerStart"
    | "stragglerEnd"
    | "delayStart"
    | "delayEnd"
    | "partitionStart"
    | "partitionEnd"
    | "coordinatorCrash"
    | "coordinatorCrashSkipped";
  atMs: number;
  vm?: number;
}

/** Callbacks through which the simulation observes faults. */
export interface FaultHooks {
  /** A fault happened (or a crash was skipped because its VM was not alive). */
  onFault?(event: FaultEvent): void;
}

type RandomCrashes = Extract<FaultSpec, { type: "randomCrashes" }>;

/** Turns fault specs into kernel events against a target. */
export class FaultInjector {
  /** What the faults did so far, in order. */
  readonly events: FaultEvent[] = [];
  private readonly specs: readonly FaultSpec[];
  /** Straggler factors in force, by VM; the slowest applies. */
  private readonly stragglers = new Map<number, number[]>();
  private started = false;

  constructor(
    private readonly env: Environment,
    private readonly streams: RandomStreams,
    private readonly target: FaultTarget,
    specs: readonly FaultSpec[],
    private readonly hooks: FaultHooks = {},
  ) {
    this.specs = parseFaultSpecs(specs);
  }

  /** Schedule every fault on the kernel; times before now are an error. */
  start(): void {
    if (this.started) throw new Error("the fault injector is already started");
    this.started = true;
    for (const spec of this.specs) {
      switch (spec.type) {
        case "crash":
          this.at(spec.atMs, () => this.crash(spec.vm));
          break;
        case "straggler":
          this.at(spec.atMs, () => this.straggle(spec.vm, spec.speedFactor, "stragglerStart"));
          this.at(spec.untilMs, () => this.straggle(spec.vm, spec.speedFactor, "stragglerEnd"));
          break;
        case "delay": {
          let handle = -1;
          this.at(spec.atMs, () => {
            handle = this.target.addLinkDelay(spec.between ?? null, spec.extraMs);
            this.report({ kind: "delayStart", atMs: this.env.nowMs() });
          });
          this.at(spec.untilMs, () => {
            this.target.removeLinkDelay(handle);
            this.report({ kind: "delayEnd", atMs: this.env.nowMs() });
          });
          break;
        }
        case "partition": {
          let handle = -1;
          this.at(spec.atMs, () => {
            handle = this.target.partition(spec.between);
            this.report({ kind: "partitionStart", atMs: this.env.nowMs() });
          });
          this.at(spec.untilMs, () => {
            this.target.heal(handle);
            this.report({ kind: "partitionEnd", atMs: this.env.nowMs() });
          });
          break;
        }
        case "randomCrashes":
          this.randomCrashes(spec);
          break;
        case "coordinatorCrash":
          this.at(spec.atMs, () => this.crashCoordinator());
          break;
        case "randomCoordinatorCrashes":
          this.randomCoordinatorCrashes(spec);
          break;
      }
    }
  }

  private at(atMs: number, callback: () => void): TimerHandle {
    return this.env.scheduleAt(atMs, callback, FAULT_PRIORITY);
  }

  private report(event: FaultEvent): void {
    this.events.push(event);
    this.hooks.onFault?.(event);
  }

  /** The run's `nth` reconfiguration began now: time the crashes aimed at it. */
  reconfigurationBegun(nth: number, targets: ReconfigurationTargets): void {
    if (!this.started) return;
    this.coordinatorCrashesAt(nth);
    for (const spec of this.specs) {
      if (spec.type !== "reconfigurationCrash" || spec.nth !== nth) continue;
      this.at(this.env.nowMs() + spec.afterMs, () => {
        // The role's VM, or (when it has none alive) the next role's in RECONFIGURATION_ROLES order.
        const at = RECONFIGURATION_ROLES.indexOf(spec.role);
        for (let i = 0; i < RECONFIGURATION_ROLES.length; i++) {
          const role = RECONFIGURATION_ROLES[(at + i) % RECONFIGURATION_ROLES.length];
          const id =
            role === "split"
              ? targets.split
              : role === "new"
                ? (targets.newInstances()[0] ?? null)
                : targets[role];
          const vm = id === null ? null : (this.target.vmOfInstance?.(id) ?? null);
          if (vm !== null && this.target.liveVms().includes(vm)) {
            this.crash(vm);
            return;
          }
        }
        this.report({ kind: "crashSkipped", atMs: this.env.nowMs() });
      });
    }
  }

  /** The run's `nth` reconfiguration began now: time the coordinator crashes aimed at it. */
  private coordinatorCrashesAt(nth: number): void {
    for (const spec of this.specs)
      if (spec.type === "reconfigurationCoordinatorCrash" && spec.nth === nth)
        this.at(this.env.nowMs() + spec.afterMs, () => this.crashCoordinator());
  }

  /** Crash the coordinator's leader if one runs; otherwise report the crash as skipped. */
  private crashCoordinator(): void {
    const crashed = this.target.crashCoordinator?.() ?? false;
    this.report({ kind: crashed ? "coordinatorCrash" : "coordinatorCrashSkipped", atMs: this.env.nowMs() });
  }

  /**
   * Coordinator crashes as a Poisson process of rate `perHour`, from `fromMs` to `untilMs`,
   * drawn from the "coordinator-faults" stream (apart from the VMs' draws, so that adding
   * them leaves a schedule's VM crashes as they were). A crash while no leader runs is skipped.
   */
  private randomCoordinatorCrashes(spec: Extract<FaultSpec, { type: "randomCoordinatorCrashes" }>): void {
    const untilMs = spec.untilMs ?? Number.POSITIVE_INFINITY;
    if (spec.perHour === 0) return;
    const meanMs = 3_600_000 / spec.perHour;
    const stream = this.streams.stream("coordinator-faults");
    const next = (fromMs: number) => {
      const atMs = fromMs + stream.exponential(meanMs);
      if (atMs >= untilMs) return;
      this.at(atMs, () => {
        this.crashCoordinator();
        next(atMs);
      });
    };
    next(Math.max(spec.fromMs ?? 0, this.env.nowMs()));
  }

  /** Crash `vm` if it is alive now; otherwise report the crash as skipped. */
  private crash(vm: number): void {
    const nowMs = this.env.nowMs();
    if (this.target.liveVms().includes(vm)) {
      this.target.crashVm(vm, nowMs);
      this.report({ kind: "crash", atMs: nowMs, vm });
    } else {
      this.report({ kind: "crashSkipped", atMs: nowMs, vm });
    }
  }

  /** Start or end a straggler interval; overlapping ones on a VM leave the slowest factor in force. */
  private straggle(vm: number, factor: number, kind: "stragglerStart" | "stragglerEnd"): void {
    const factors = this.stragglers.get(vm) ?? [];
    if (kind === "stragglerStart") factors.push(factor);
    else factors.splice(factors.indexOf(factor), 1);
    this.stragglers.set(vm, factors);
    this.target.setSpeedFactor(vm, factors.length === 0 ? 1 : Math.min(...factors));
    this.report({ kind, atMs: this.env.nowMs(), vm });
  }

  /**
   * Crashes as a Poisson process per live VM, with mean time to failure
   * 3_600_000 / perVmPerHour ms. A check every RANDOM_CRASH_CHECK_MS of virtual time, from
   * `fromMs` to `untilMs`, gives each live VM (in id order) without a pending draw one
   * exponential draw from the "faults" stream, and forgets the draws of VMs that died; a VM
   * keeps its draw across checks (redrawing would inflate the rate), and the exponential
   * being memoryless, drawing up to one check late changes nothing. A draw past `untilMs`
   * means no crash for that VM. Without `untilMs` the check runs for ever: bound the run.
   */
  private randomCrashes(spec: RandomCrashes): void {
    const fromMs = Math.max(spec.fromMs ?? 0, this.env.nowMs());
    const untilMs = spec.untilMs ?? Number.POSITIVE_INFINITY;
    if (spec.perVmPerHour === 0 || fromMs >= untilMs) return;
    const meanMs = 3_600_000 / spec.perVmPerHour;
    const stream = this.streams.stream("faults");
    /** The pending crash of each VM that has a draw; a null timer when the draw is past untilMs. */
    const pending = new Map<number, TimerHandle | null>();
    const check = () => {
      const nowMs = this.env.nowMs();
      const live = [...this.target.liveVms()].sort((a, b) => a - b);
      const liveSet = new Set(live);
      for (const [vm, timer] of pending) {
        if (liveSet.has(vm)) continue;
        if (timer !== null) this.env.cancel(timer);
        pending.delete(vm);
      }
      for (const vm of live) {
        if (pending.has(vm)) continue;
        const crashAtMs = nowMs + stream.exponential(meanMs);
        const timer =
          crashAtMs < untilMs
            ? this.at(crashAtMs, () => {
                pending.delete(vm);
                this.crash(vm);
              })
            : null;
        pending.set(vm, timer);
      }
      if (nowMs + RANDOM_CRASH_CHECK_MS < untilMs)
        this.env.schedule(RANDOM_CRASH_CHECK_MS, check, FAULT_PRIORITY);
    };
    this.at(fromMs, check);
  }
}
