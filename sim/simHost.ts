// An engine instance as the simulator hosts it: the instance, the VM it runs on, its
// cost table, and its inbox of tasks (batches, control messages, source polls,
// checkpoint copy steps) waiting for a core.

import type { Batch, ControlMessage, Instance } from "../engine/index.js";
import type { OperatorCosts } from "./costModel.js";
import type { Vm } from "./vm.js";

/** Codes of task kinds, as the trace records them. */
export const TaskKind = { batch: 0, control: 1, poll: 2, checkpointStep: 3 } as const;

/** A unit of work for one instance. */
export type Task =
  | {
      readonly kind: 0;
      readonly edge: number;
      readonly sender: number;
      readonly batch: Batch;
      readonly bytes: number;
    }
  | { readonly kind: 1; readonly message: ControlMessage }
  | { readonly kind: 2 }
  | { readonly kind: 3 };

/** A hosted instance and its queue of tasks. */
export class SimHost {
  private readonly inbox: Task[] = [];
  private head = 0;
  /** Tuples waiting in the inbox (the instance's input queue length). */
  queuedTuples = 0;
  /** True while a task of this instance runs on a core. */
  running = false;
  /** True while the instance waits in its VM's run queue. */
  queued = false;
  /** True while a poll or a checkpoint step is already in the inbox. */
  pollQueued = false;
  stepQueued = false;
  /** False once its VM crashed or it was stopped. */
  alive = true;
  /** Virtual ms its tasks took, and tuples of batches it processed (load reports read the growth). */
  busyMs = 0;
  processedTuples = 0;

  constructor(
    /** Position in the runtime's host list. */
    readonly index: number,
    readonly instance: Instance,
    public vm: Vm,
    readonly costs: OperatorCosts,
  ) {}

  /** Queue a task. */
  push(task: Task): void {
    this.inbox.push(task);
    if (task.kind === TaskKind.batch) this.queuedTuples += task.batch.length;
  }

  /** True when a task is waiting. */
  get hasWork(): boolean {
    return this.head < this.inbox.length;
  }

  /** Take the next task. */
  take(): Task {
    const t = this.inbox[this.head++];
    if (this.head > 256 && this.head * 2 > this.inbox.length) {
      this.inbox.splice(0, this.head);
      this.head = 0;
    }
    if (t.kind === TaskKind.batch) this.queuedTuples -= t.batch.length;
    return t;
  }

  /** Drop every waiting task (the VM crashed). */
  clear(): void {
    this.inbox.length = 0;
    this.head = 0;
    this.queuedTuples = 0;
  }
}
