// The VM pool of SEEP: cloud VMs are slow to start, so a pool of VMs that are already
// running is kept, and scaling out or recovering takes one in seconds instead of minutes;
// the pool refills itself in the background. Every VM of a simulated run, the initial
// cluster included, is created here, so the pool also allocates VM ids (dense integers,
// unique in the run) and keeps the account of VM-seconds.

import type { TimerHandle } from "../engine/index.js";
import type { Environment } from "./kernel.js";
import { Vm, type VmShape, type VmState } from "./vm.js";

/** How the pool behaves; durations are virtual milliseconds. */
export interface VmPoolOptions {
  /** VMs in the pool when the run starts. */
  prewarmed: number;
  /** The pool refills in the background whenever it holds (or is booting) fewer VMs than this. */
  minimum: number;
  /** Handing out a pooled VM: attaching it and deploying an operator on it. */
  handoutMs: number;
  /** Launching a VM on demand until it can run an operator. */
  coldStartMs: number;
  /** Bound on the VMs alive at once: pooled, booting and ready. */
  maxVms: number;
  /** The shape of every VM. */
  shape: VmShape;
}

/**
 * The pool had no room for a VM the run asked for mid-run (a recovery or a scale out past
 * `pool.maxVms`): an outcome of the experiment as configured, which stops the run, not a bug.
 */
export class PoolExhausted extends Error {
  override readonly name = "PoolExhausted";
}

/** An EC2 m1.small, SEEP's "small instance": one core and 1.7 GB of memory. */
export const smallInstance: VmShape = Object.freeze({ cores: 1, speed: 1, memoryMb: 1740 });

/** Pool options near what EC2 shows. */
export const defaultVmPoolOptions: Readonly<VmPoolOptions> = Object.freeze({
  prewarmed: 2,
  minimum: 1,
  handoutMs: 5_000,
  // An EC2 on-demand instance typically takes 60-120 s from the launch request until it
  // accepts SSH connections; 100 s sits in that range.
  coldStartMs: 100_000,
  maxVms: 100,
  shape: smallInstance,
});

/** Callbacks through which the simulation observes the pool. */
export interface VmPoolHooks {
  /** A VM was created in, or moved to, the state it now has. */
  onVmState?(vm: Vm, nowMs: number): void;
}

/** A request waiting for its VM to boot or be handed out. */
interface PendingRequest {
  readonly onReady: (vm: Vm) => void;
  readonly timer: TimerHandle;
}

/** Prewarmed VMs handed out on request, cold starts when it is empty, background refill. */
export class VmPool {
  /** The options in force (defaults filled in). */
  readonly options: Readonly<VmPoolOptions>;
  /** Every VM ever created, indexed by id. */
  private readonly vms: Vm[] = [];
  /** Pooled VMs free to hand out, by increasing id. */
  private readonly free: Vm[] = [];
  /** VMs booting to land in the pool, with their landing timers. */
  private readonly landing = new Map<number, TimerHandle>();
  /** VMs booting or being handed out for a request, by VM id. */
  private readonly requests = new Map<number, PendingRequest>();
  private aliveCount = 0;
  private readyCount = 0;
  private prewarmDone = false;

  constructor(
    private readonly env: Environment,
    options: Partial<VmPoolOptions> = {},
    private readonly hooks: VmPoolHooks = {},
  ) {
    const o = { ...defaultVmPoolOptions, ...options };
    for (const key of ["prewarmed", "minimum", "maxVms"] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 0)
        throw new RangeError(`${key} must be a whole number, got ${o[key]}`);
    }
    for (const key of ["handoutMs", "coldStartMs"] as const) {
      if (!(o[key] >= 0 && Number.isFinite(o[key])))
        throw new RangeError(`${key} must be >= 0, got ${o[key]}`);
    }
    if (o.prewarmed > o.maxVms || o.minimum > o.maxVms) {
      throw new RangeError(
        `prewarmed (${o.prewarmed}) and minimum (${o.minimum}) cannot exceed maxVms (${o.maxVms})`,
      );
    }
    this.options = Object.freeze(o);
  }

  /** Start the prewarmed VMs, pooled now (they exist before the run, so they cost from now). */
  prewarm(): void {
    if (this.prewarmDone) throw new Error("the pool is already prewarmed");
    this.prewarmDone = true;
    for (let i = 0; i < this.options.prewarmed; i++) this.free.push(this.create("pooled"));
    this.refill();
  }

  /**
   * Create `n` VMs that are ready now, outside the pool: the cluster at the start of a run
   * (of the pool's shape, or of `shape`).
   */
  provisionReady(n: number, shape: VmShape = this.options.shape): Vm[] {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot provision ${n} VMs`);
    this.assertRoom(n, `provision ${n} ready VMs`);
    const out: Vm[] = [];
    for (let i = 0; i < n; i++) out.push(this.create("ready", shape));
    return out;
  }

  /**
   * Ask for a VM; `onReady` gets it in state "ready". A VM is chosen when the request is
   * made, so requests are served in the order they are made: the pooled VM with the lowest
   * id, ready after `handoutMs`, or else a cold VM, ready after `coldStartMs`. Throws when a
   * cold start would exceed `maxVms`.
   */
  acquire(onReady: (vm: Vm) => void): void {
    const pooled = this.free.shift();
    if (pooled !== undefined) {
      // The VM stays "pooled" while it is handed out, but is no longer free.
      const timer = this.env.schedule(this.options.handoutMs, () => this.deliver(pooled));
      this.requests.set(pooled.id, { onReady, timer });
    } else {
      this.assertRoom(1, "start a cold VM");
      const vm = this.create("booting");
      const timer = this.env.schedule(this.options.coldStartMs, () => this.deliver(vm));
      this.requests.set(vm.id, { onReady, timer });
    }
    this.refill();
  }

  /**
   * Terminate a ready VM, or an idle pooled one. It does not go back to the pool: on EC2 a
   * terminated instance is gone, and the pool is refilled by launching new ones.
   */
  release(vm: Vm): void {
    if (vm.state === "ready") {
      this.end(vm, "released");
    } else if (this.free.includes(vm)) {
      this.free.splice(this.free.indexOf(vm), 1);
      this.end(vm, "released");
    } else {
      throw new Error(`vm ${vm.id} is ${vm.state}: only a ready VM or an idle pooled one can be released`);
    }
    this.refill();
  }

  /**
   * A VM fails, in whatever state it is. A request whose VM fails while booting or being
   * handed out is served again at once, so its `onReady` still runs once.
   */
  crash(vm: Vm): void {
    if (vm.state === "crashed" || vm.state === "released")
      throw new Error(`vm ${vm.id} is already ${vm.state}`);
    const request = this.requests.get(vm.id);
    const landing = this.landing.get(vm.id);
    if (this.free.includes(vm)) this.free.splice(this.free.indexOf(vm), 1);
    if (landing !== undefined) {
      this.env.cancel(landing);
      this.landing.delete(vm.id);
    }
    if (request !== undefined) {
      this.env.cancel(request.timer);
      this.requests.delete(vm.id);
    }
    this.end(vm, "crashed");
    if (request !== undefined) this.acquire(request.onReady);
    else this.refill();
  }

  /** The VM with id `id`. */
  vm(id: number): Vm {
    const vm = this.vms[id];
    if (vm === undefined) throw new RangeError(`no vm ${id}`);
    return vm;
  }

  /** Every VM ever created, indexed by id. */
  all(): readonly Vm[] {
    return this.vms;
  }

  /** VMs in state "ready". */
  get inUse(): number {
    return this.readyCount;
  }

  /** Pooled VMs free to hand out now. */
  get pooled(): number {
    return this.free.length;
  }

  /** VMs alive: pooled, booting or ready. */
  get alive(): number {
    return this.aliveCount;
  }

  /** VM-seconds of every VM ever created, up to `nowMs`: what the run has cost. */
  vmSeconds(nowMs: number): number {
    let total = 0;
    for (const vm of this.vms) total += vm.vmSeconds(nowMs);
    return total;
  }

  /** Start cold VMs for the pool while it holds or boots fewer than `minimum`, within `maxVms`. */
  private refill(): void {
    const missing = this.options.minimum - this.free.length - this.landing.size;
    const count = Math.min(missing, this.options.maxVms - this.aliveCount);
    for (let i = 0; i < count; i++) {
      const vm = this.create("booting");
      this.landing.set(
        vm.id,
        this.env.schedule(this.options.coldStartMs, () => this.land(vm)),
      );
    }
  }

  /** A VM booted for the pool joins it, keeping the free list ordered by id. */
  private land(vm: Vm): void {
    this.landing.delete(vm.id);
    this.setState(vm, "pooled");
    let i = this.free.length;
    while (i > 0 && this.free[i - 1].id > vm.id) i--;
    this.free.splice(i, 0, vm);
  }

  /** A requested VM has booted or been handed out: it is ready and given to its requester. */
  private deliver(vm: Vm): void {
    const request = this.requests.get(vm.id)!;
    this.requests.delete(vm.id);
    this.setState(vm, "ready");
    request.onReady(vm);
  }

  private assertRoom(n: number, what: string): void {
    if (this.aliveCount + n > this.options.maxVms) {
      throw new PoolExhausted(
        `at ${this.env.nowMs()} ms: cannot ${what}: ${this.aliveCount} VMs are alive and ` +
          `pool.maxVms is ${this.options.maxVms} (raise pool.maxVms)`,
      );
    }
  }

  private create(state: "booting" | "pooled" | "ready", shape: VmShape = this.options.shape): Vm {
    const vm = new Vm(this.vms.length, shape, this.env.nowMs());
    this.vms.push(vm);
    this.aliveCount++;
    this.setState(vm, state);
    return vm;
  }

  private setState(vm: Vm, state: VmState): void {
    if (state === "ready") this.readyCount++;
    vm.state = state;
    this.hooks.onVmState?.(vm, this.env.nowMs());
  }

  private end(vm: Vm, state: "crashed" | "released"): void {
    if (vm.state === "ready") this.readyCount--;
    this.aliveCount--;
    vm.endedAtMs = this.env.nowMs();
    this.setState(vm, state);
  }
}
