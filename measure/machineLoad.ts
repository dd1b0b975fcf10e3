// The machine's load while measured figures were taken: the 1-minute load average at the
// start and at the end of each measurement (os.loadavg), and whether the machine was busy
// (a load average above its number of cores, at either end): then other processes held
// cores the measurement wanted, and its timings are slower and noisier than on a quiet
// machine. A measured report shows these and warns when any was busy.

import { availableParallelism, loadavg } from "node:os";

/** One measurement and the 1-minute load average at its start and end. */
export interface LoadSpan {
  readonly what: string;
  readonly startLoad1: number;
  readonly endLoad1: number;
}

/** True when the load average exceeded `cores` at the start or end of `span`. */
export function isBusy(span: LoadSpan, cores: number): boolean {
  return span.startLoad1 > cores || span.endLoad1 > cores;
}

/** The load spans of a report's measurements, in order. */
export class LoadLog {
  readonly spans: LoadSpan[] = [];

  constructor(
    readonly cores = availableParallelism(),
    private readonly load1: () => number = () => loadavg()[0],
  ) {}

  /** Run `fn` (synchronous), recording the load at its start and end. */
  time<T>(what: string, fn: () => T): T {
    const startLoad1 = this.load1();
    const value = fn();
    this.spans.push({ what, startLoad1, endLoad1: this.load1() });
    return value;
  }

  /** Run `fn` (asynchronous), recording the load at its start and end. */
  async timeAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const startLoad1 = this.load1();
    const value = await fn();
    this.spans.push({ what, startLoad1, endLoad1: this.load1() });
    return value;
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
    return (
      `the machine was busy: its 1-minute load average exceeded its ${this.cores} cores during ` +
      `${busy.length} of ${this.spans.length} measurements (up to ${high.toFixed(2)}); other processes held ` +
      "cores these measurements wanted, so their timings are slower and noisier than on a quiet machine"
    );
  }

  /** Rows of a table: each measurement, its load at start and end, and whether it was busy. */
  rows(): (string | number)[][] {
    return this.spans.map((s) => [
      s.what,
      Math.round(s.startLoad1 * 100) / 100,
      Math.round(s.endLoad1 * 100) / 100,
      isBusy(s, this.cores) ? "yes" : "no",
    ]);
  }
}

/** The columns of LoadLog.rows. */
export const LOAD_COLUMNS = ["measurement", "load1AtStart", "load1AtEnd", "busy"] as const;
