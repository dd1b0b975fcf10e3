// Timing helpers for benchmarks (the wall clock is allowed here, never in engine/ or sim/).

import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  InProcessRuntime,
  type Instance,
  type LogicalPlan,
  physicalPlan,
  type WorkKind,
} from "../engine/index.js";

/** Milliseconds since an arbitrary origin, from the monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** The median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run `fn` `runs` times and return the median of what it returns. */
export function medianOf(runs: number, fn: () => number): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(fn());
  return median(xs);
}

/** A deterministic stream of keys in [0, keys): a linear congruential sequence. */
export function keyStream(n: number, keys: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x % keys;
  }
  return out;
}

let gc: (() => void) | undefined;

/** A full garbage collection between runs, so that no run pays for the garbage of the one before. */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

/** CPU microseconds this process has used (user and system). */
function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

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
