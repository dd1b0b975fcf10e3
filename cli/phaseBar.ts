// A progress bar on stderr for one phase of long work other than a simulation (writing a
// generated Linear Road input, its tolls, a rated window's run): what the phase is, how
// far it is in its own unit, wall-clock seconds and an estimate of the time left. Like
// the simulator's bar (simProgressBar.ts), it leaves the cursor and line wrapping alone,
// since the work may block the event loop and Ctrl-C then kills seep at once.

import { Presets, SingleBar } from "cli-progress";

const FORMAT = "{label} {bar} {percentage}% | {value}/{total} {unit} | {wallS} s wall | ETA {eta_formatted}";
/** Characters of the bar itself, short enough that the figures after it fit in 80 columns. */
const BAR_SIZE = 20;

/** How a phase's bar ends. */
export interface PhaseBarOptions {
  /** Remove the bar when it stops (for output that goes on below it), instead of leaving it drawn. */
  readonly clear?: boolean;
}

/** A progress bar of one phase, from 0 to `total` in `unit`, drawn on `stream` until `stop`. */
export class PhaseBar {
  private readonly bar: SingleBar;
  private readonly startedMs = performance.now();

  constructor(
    stream: NodeJS.WriteStream,
    label: string,
    private readonly total: number,
    unit: string,
    options: PhaseBarOptions = {},
  ) {
    this.bar = new SingleBar(
      {
        stream,
        format: FORMAT,
        hideCursor: false,
        linewrap: true,
        etaBuffer: 20,
        barsize: BAR_SIZE,
        clearOnComplete: options.clear ?? false,
      },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { label, unit, wallS: "0.0" });
  }

  /** Show that the phase is at `value` (of its total). */
  readonly update = (value: number): void => {
    const wallS = ((performance.now() - this.startedMs) / 1000).toFixed(1);
    this.bar.update(Math.max(0, Math.min(Math.round(value), this.total)), { wallS });
  };

  /** Draw the last state (or remove the bar) and release the terminal. */
  stop(): void {
    this.bar.stop();
  }
}

/** Bars of work in phases, one after another: a new bar each time the phase's label changes. */
export class PhaseBars {
  private bar: PhaseBar | null = null;
  private label: string | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly options: PhaseBarOptions = {},
  ) {}

  /** Show that phase `label` is at `value` of `total` `unit`, ending the previous phase's bar. */
  readonly update = (label: string, value: number, total: number, unit: string): void => {
    if (this.bar === null || label !== this.label) {
      this.stop();
      this.bar = new PhaseBar(this.stream, label, total, unit, this.options);
      this.label = label;
    }
    this.bar.update(value);
  };

  /** End the current phase's bar, if any. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
    this.label = null;
  }
}
