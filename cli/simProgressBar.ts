// The progress bar of `seep sim` on stderr: simulated time against `untilS` (or simulated
// seconds alone when the run is unbounded), wall-clock seconds, events per second and an
// estimate of the time left. The simulation calls back every 65536 events from inside
// its synchronous loop; cli-progress then redraws at most every few hundred ms.

import { Presets, SingleBar } from "cli-progress";
import type { SimProgress } from "../sim/index.js";

const BOUNDED_FORMAT =
  "{bar} {percentage}% | {simS}/{untilS} s simulated | {wallS} s wall | {eventsPerS} events/s | ETA {eta_formatted}";
const UNBOUNDED_FORMAT = "{simS} s simulated | {wallS} s wall | {eventsPerS} events/s";

/** A progress bar for one run, drawn on `stream` from `start` until `stop`. */
export class SimProgressBar {
  private readonly bar: SingleBar;
  private readonly startedMs = performance.now();
  private readonly bounded: boolean;

  /** A bar for a run that stops at `untilS` seconds of simulated time, or at the stream's end. */
  constructor(stream: NodeJS.WriteStream, untilS: number | undefined) {
    this.bounded = untilS !== undefined;
    this.bar = new SingleBar(
      {
        stream,
        format: this.bounded ? BOUNDED_FORMAT : UNBOUNDED_FORMAT,
        // The run blocks the event loop, so Ctrl-C kills seep at once: leave the cursor
        // and line wrapping alone (the bar is cut to the terminal's width instead), so
        // that an interrupted run does not leave the terminal changed.
        hideCursor: false,
        linewrap: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    this.bar.start(this.bounded ? (untilS as number) * 1000 : 0, 0, this.payload(0, 0, untilS));
  }

  /** Show where the run stands (the callback of `Simulation.run`). */
  readonly update = (p: SimProgress): void => {
    const untilS = Number.isFinite(p.untilMs) ? p.untilMs / 1000 : undefined;
    const value = this.bounded ? Math.min(p.simulatedMs, p.untilMs) : p.simulatedMs;
    this.bar.update(value, this.payload(p.simulatedMs, p.events, untilS));
  };

  /** Draw the last state and release the terminal. */
  stop(): void {
    this.bar.stop();
  }

  private payload(simulatedMs: number, events: number, untilS: number | undefined) {
    const wallS = (performance.now() - this.startedMs) / 1000;
    return {
      simS: (simulatedMs / 1000).toFixed(1),
      untilS: untilS === undefined ? "" : String(untilS),
      wallS: wallS.toFixed(1),
      eventsPerS: wallS > 0 ? Math.round(events / wallS).toLocaleString("en-US") : "-",
    };
  }
}
