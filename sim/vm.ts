// A simulated VM: cores, a speed factor (1 = one core of the development machine, the
// unit of the cost model), memory, a run queue of instances with work, and the account
// of its busy core time, from which CPU utilisation per interval is read.

/** Life of a simulated VM. */
export type VmState = "booting" | "pooled" | "ready" | "crashed" | "released";

/** What a VM is made of. */
export interface VmShape {
  readonly cores: number;
  /** CPU speed relative to one core of the development machine. */
  readonly speed: number;
  readonly memoryMb: number;
}

/** One simulated VM. */
export class Vm {
  state: VmState = "booting";
  /** Speed now: the shape's speed, times a straggler factor while one applies. */
  speed: number;
  /** Cores running a task now. */
  busyCores = 0;
  /** Instances (by host index) waiting for a core, in arrival order. */
  readonly runQueue: number[] = [];
  private runHead = 0;
  /** Start times of the tasks running now (one per busy core), by token. */
  private readonly running = new Map<number, number>();
  private nextToken = 0;
  private busyMsSinceSample = 0;
  private lastSampleMs: number;
  /** When the VM was asked for, and when it was released or crashed (for VM-seconds). */
  readonly requestedAtMs: number;
  endedAtMs = Number.NaN;

  constructor(
    readonly id: number,
    readonly shape: VmShape,
    nowMs: number,
  ) {
    this.speed = shape.speed;
    this.lastSampleMs = nowMs;
    this.requestedAtMs = nowMs;
  }

  /** True while the VM can run instances. */
  get alive(): boolean {
    return this.state === "ready";
  }

  /** Queue an instance for a core. */
  enqueue(host: number): void {
    this.runQueue.push(host);
  }

  /** True while some instance waits for a core. */
  get hasQueued(): boolean {
    return this.runHead < this.runQueue.length;
  }

  /** The next instance waiting for a core, or -1. */
  dequeue(): number {
    if (this.runHead >= this.runQueue.length) return -1;
    const h = this.runQueue[this.runHead++];
    if (this.runHead > 1024 && this.runHead * 2 > this.runQueue.length) {
      this.runQueue.splice(0, this.runHead);
      this.runHead = 0;
    }
    return h;
  }

  /** A task starts on a free core at `nowMs`; returns a token for `endTask`. */
  beginTask(nowMs: number): number {
    if (this.busyCores >= this.shape.cores) throw new Error(`vm ${this.id}: no free core`);
    this.busyCores++;
    const token = this.nextToken++;
    this.running.set(token, nowMs);
    return token;
  }

  /** The task of `token` ends at `nowMs`. */
  endTask(token: number, nowMs: number): void {
    const start = this.running.get(token);
    if (start === undefined) throw new Error(`vm ${this.id}: no running task ${token}`);
    this.running.delete(token);
    this.busyCores--;
    this.busyMsSinceSample += nowMs - Math.max(start, this.lastSampleMs);
  }

  /** CPU utilisation in [0, 1] since the last sample, and start a new interval. */
  sampleUtilisation(nowMs: number): number {
    let busy = this.busyMsSinceSample;
    for (const start of this.running.values()) busy += nowMs - Math.max(start, this.lastSampleMs);
    const span = nowMs - this.lastSampleMs;
    this.busyMsSinceSample = 0;
    this.lastSampleMs = nowMs;
    return span <= 0 ? 0 : Math.min(1, busy / (span * this.shape.cores));
  }

  /** Seconds this VM has cost so far (from request to release or crash). */
  vmSeconds(nowMs: number): number {
    const end = Number.isNaN(this.endedAtMs) ? nowMs : this.endedAtMs;
    return (end - this.requestedAtMs) / 1000;
  }
}
