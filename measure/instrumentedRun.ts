// An instrumented in-process run: a plan run with one instance per operator, the CPU time
// of every task of every instance measured (receive, poll, control) and the work units it
// reported to the meter counted, per operator. The calibrations of the cost model's
// per-operator figures (Linear Road, the packet counter) are taken from it.

import {
  InProcessRuntime,
  type Instance,
  type LogicalPlan,
  physicalPlan,
  type WorkKind,
} from "../engine/index.js";
import { cpuUs } from "./clock.js";

/** Wrap an instance's task entry points so that the CPU time spent in them adds to `usById`. */
function timeTasks(inst: Instance, usById: Map<number, number>): void {
  const add = (t0: number) => usById.set(inst.id, (usById.get(inst.id) ?? 0) + cpuUs() - t0);
  const receive = inst.receive.bind(inst);
  const poll = inst.poll.bind(inst);
  const handle = inst.handle.bind(inst);
  inst.receive = (edge, sender, batch) => {
    const t0 = cpuUs();
    receive(edge, sender, batch);
    add(t0);
  };
  inst.poll = (max, until) => {
    const t0 = cpuUs();
    const more = poll(max, until);
    add(t0);
    return more;
  };
  inst.handle = (message) => {
    const t0 = cpuUs();
    handle(message);
    add(t0);
  };
}

/** What one operator did in an instrumented run: CPU time in its tasks and the work units priced. */
export interface OperatorWork {
  us: number;
  tuples: number;
  batches: number;
  emitted: number;
}

/**
 * One in-process run of `plan` (one instance per operator), with the CPU time of every task
 * of every instance measured (receive, poll, control) and the work units it reported;
 * per operator name.
 */
export function instrumentedRun(plan: LogicalPlan, batchSize: number): Map<string, OperatorWork> {
  const units = new Map<number, Record<WorkKind, number>>();
  const meter = {
    record(instance: number, kind: WorkKind, n: number): void {
      let u = units.get(instance);
      if (u === undefined) {
        u = { tuples: 0, batches: 0, emitted: 0, checkpointEntries: 0, restoreEntries: 0, replayedTuples: 0 };
        units.set(instance, u);
      }
      u[kind] += n;
    },
  };
  const rt = new InProcessRuntime(physicalPlan(plan), { batchSize, meter });
  const usById = new Map<number, number>();
  for (const inst of rt.instances.values()) timeTasks(inst, usById);
  rt.start();
  rt.run();
  const byOperator = new Map<string, OperatorWork>();
  for (const inst of rt.instances.values()) {
    const u = units.get(inst.id);
    byOperator.set(inst.operator.name, {
      us: usById.get(inst.id) ?? 0,
      tuples: u?.tuples ?? 0,
      batches: u?.batches ?? 0,
      emitted: u?.emitted ?? 0,
    });
  }
  return byOperator;
}
