// How much of the machine's CPU went to other processes while a measurement ran: the
// machine's busy CPU time (/proc/stat) less this process's and its descendants' (their
// /proc/<pid>/stat, and the children already reaped, counted in this process's cutime and
// cstime), over the wall time and the cores. The load average cannot tell this: it counts a
// report's own worker processes with everyone else's, so a report that runs workers on a
// quiet machine would look busy to it. Linux only (null elsewhere, or when /proc cannot be
// read).

import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** A reading: the machine's busy CPU and this process tree's, in clock ticks, and the wall time. */
export interface CpuReading {
  readonly machineBusyTicks: number;
  readonly ownTicks: number;
  readonly wallMs: number;
}

/** The fields of /proc/<pid>/stat after the command's closing parenthesis. */
function statFields(pid: number | "self"): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** The machine's busy ticks (every CPU's time but idle and iowait), from /proc/stat's first line. */
function machineBusyTicks(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const n = ticks.map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  return n.slice(0, 8).reduce((a, b) => a + b, 0) - idle;
}

/** Ticks of this process (with its reaped children) and of its living descendants. */
function ownTreeTicks(): number {
  const self = statFields("self");
  if (self === null) throw new Error("no /proc/self/stat");
  // Fields after ")": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  let ticks = Number(self[11]) + Number(self[12]) + Number(self[13]) + Number(self[14]);
  const parentOf = new Map<number, number>();
  const timeOf = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const f = statFields(pid);
    if (f === null) continue;
    parentOf.set(pid, Number(f[1]));
    timeOf.set(pid, Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
  }
  const isOurs = (pid: number): boolean => {
    for (let p = parentOf.get(pid), hops = 0; p !== undefined && hops < 64; p = parentOf.get(p), hops++)
      if (p === process.pid) return true;
    return false;
  };
  for (const [pid, t] of timeOf) if (isOurs(pid)) ticks += t;
  return ticks;
}

/** A reading now, or null where /proc cannot be read. */
export function readCpu(nowMs: number): CpuReading | null {
  try {
    return { machineBusyTicks: machineBusyTicks(), ownTicks: ownTreeTicks(), wallMs: nowMs };
  } catch {
    return null;
  }
}

/** Clock ticks a second (USER_HZ): 100 on Linux. */
const TICKS_PER_S = 100;

/**
 * The share of the machine's CPU (0: none, 1: every core) that other processes used between
 * two readings; null when either is missing or no time passed.
 */
export function othersCpuShare(
  start: CpuReading | null,
  end: CpuReading | null,
  cores = availableParallelism(),
): number | null {
  if (start === null || end === null || end.wallMs <= start.wallMs) return null;
  const others = end.machineBusyTicks - start.machineBusyTicks - (end.ownTicks - start.ownTicks);
  const share = others / TICKS_PER_S / ((end.wallMs - start.wallMs) / 1000) / cores;
  return Math.min(Math.max(share, 0), 1);
}
