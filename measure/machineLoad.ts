// The machine's load while measured figures were taken: the 1-minute load average at the
// start and at the end of each measurement (os.loadavg), the share of the machine's CPU
// that other processes used during it (measure/othersCpu.ts: the machine's busy time less
// this process tree's), and whether the machine was busy: other processes used more than a
// quarter of its CPU (where /proc tells; elsewhere, a load average above its number of
// cores at either end, which also counts the measurement's own workers). Then other
// processes held cores the measurement wanted, and its timings are slower and noisier than
// on a quiet machine. A measured report shows these and warns when any was busy.

import { availableParallelism, loadavg } from "node:os";
import { type CpuReading, othersCpuShare, readCpu } from "./othersCpu.js";

/** Other processes using more than this share of the machine's CPU make a measurement busy. */
export const BUSY_OTHERS_SHARE = 0.25;

/** One measurement and the 1-minute load average at its start and end. */
export interface LoadSpan {
  readonly what: string;
  readonly startLoad1: number;
  readonly endLoad1: number;
  /** The share of the machine's CPU other processes used during it (null: not known here). */
  readonly othersShare: number | null;
}

/** True when other processes used over BUSY_OTHERS_SHARE of the CPU during `span` (unknown: the load average exceeded `cores`). */
export function isBusy(span: LoadSpan, cores: number): boolean {
  if (span.othersShare !== null) return span.othersShare > BUSY_OTHERS_SHARE;
  return span.startLoad1 > cores || span.endLoad1 > cores;
}

/** The load spans of a report's measurements, in order. */
export class LoadLog {
  readonly spans: LoadSpan[] = [];

  constructor(
    readonly cores = availableParallelism(),
    private readonly load1: () => number = () => loadavg()[0],
    private readonly cpu: () => CpuReading | null = () => readCpu(performance.now()),
  ) {}

  /** Run `fn` (synchronous), recording the load at its start and end. */
  time<T>(what: string, fn: () => T): T {
    const startLoad1 = this.load1();
    const startCpu = this.cpu();
    const value = fn();
    this.end(what, startLoad1, startCpu);
    return value;
  }

  /** Run `fn` (asynchronous), recording the load at its start and end. */
  async timeAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const startLoad1 = this.load1();
    const startCpu = this.cpu();
    const value = await fn();
    this.end(what, startLoad1, startCpu);
    return value;
  }

  private end(what: string, startLoad1: number, startCpu: CpuReading | null): void {
    const othersShare = othersCpuShare(startCpu, this.cpu(), this.cores);
    this.spans.push({ what, startLoad1, endLoad1: this.load1(), othersShare });
  }

  /** The spans whose load average exceeded the cores at either end. */
  busy(): LoadSpan[] {
    return this.spans.filter((s) => isBusy(s, this.cores));
  }

  /** The lowest and highest load average seen. */
  range(): { readonly low: number; readonly high: number } {
    const all = this.spans.flatMap((s) => [s.startLoad1, s.endLoad1]);
    return { low: Math.min(...all), high: Math.max(...all) };
  }

  /** One line: the load averages seen over the measurements. */
  summary(): string {
    if (this.spans.length === 0) return "no measurement";
    const { low, high } = this.range();
    return `1-minute load average ${low.toFixed(2)} to ${high.toFixed(2)} over ${this.spans.length} measurements (${this.cores} cores)`;
  }

  /** The warning for a report when the machine was busy during some measurement; null when it was not. */
  warning(): string | null {
    const busy = this.busy();
    if (busy.length === 0) return null;
    const high = Math.max(...busy.flatMap((s) => [s.startLoad1, s.endLoad1]));
    const shares = busy.map((s) => s.othersShare).filter((x): x is number => x !== null);
    const how =
      shares.length > 0
        ? `other processes used up to ${Math.round(Math.max(...shares) * 100)}% of its ${this.cores} cores ` +
          `during ${busy.length} of ${this.spans.length} measurements (1-minute load average up to ${high.toFixed(2)})`
        : `its 1-minute load average exceeded its ${this.cores} cores during ${busy.length} of ` +
          `${this.spans.length} measurements (up to ${high.toFixed(2)})`;
    return (
      `the machine was busy: ${how}; they held cores these measurements wanted, so their timings are ` +
      "slower and noisier than on a quiet machine"
    );
  }

  /** Rows of a table: each measurement, its load at start and end, and whether it was busy. */
  rows(): (string | number)[][] {
    return this.spans.map((s) => [
      s.what,
      Math.round(s.startLoad1 * 100) / 100,
      Math.round(s.endLoad1 * 100) / 100,
      s.othersShare === null ? "" : Math.round(s.othersShare * 1000) / 1000,
      isBusy(s, this.cores) ? "yes" : "no",
    ]);
  }
}

/** The columns of LoadLog.rows. */
export const LOAD_COLUMNS = ["measurement", "load1AtStart", "load1AtEnd", "othersCpuShare", "busy"] as const;
