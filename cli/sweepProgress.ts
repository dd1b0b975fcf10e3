// How a sweep or a pooled chaos campaign shows its progress on stderr: on a terminal, a
// bar of the runs done against those to do, with the failures, the wall time and an
// estimate of the time left (cli-progress); elsewhere (a pipe, a CI log), one line per
// finished run, so that nothing waits on a terminal and a log shows each run; `--quiet`,
// nothing. The runs go on in other processes, so the bar redraws while they run.

import { Presets, SingleBar } from "cli-progress";

const FORMAT = "{bar} {value}/{total} runs | {failed} failed | {wallS} s wall | ETA {eta_formatted}";
/** Characters of the bar itself, short enough that the figures after it fit in 80 columns. */
const BAR_SIZE = 20;

/** Progress of runs on stderr: a bar, lines, or nothing. */
export interface RunsProgress {
  /** A run finished: `done` of the total so far, `failed` of them failed; `line` describes it. */
  update(done: number, failed: number, line: string): void;
  stop(): void;
}

/** The progress display for `total` runs: a bar on a terminal, lines elsewhere, nothing when `quiet`. */
export function runsProgress(total: number, quiet: boolean): RunsProgress {
  if (quiet) return { update: () => {}, stop: () => {} };
  const startedMs = performance.now();
  const wallS = () => ((performance.now() - startedMs) / 1000).toFixed(1);
  if (!process.stderr.isTTY)
    return {
      update: (done, _failed, line) => process.stderr.write(`[${done}/${total}] ${line}\n`),
      stop: () => {},
    };
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: FORMAT,
      hideCursor: false,
      linewrap: true,
      etaBuffer: 20,
      barsize: BAR_SIZE,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { failed: 0, wallS: "0.0" });
  // Redraw the wall time while runs go on in other processes.
  const timer = setInterval(() => bar.update({ wallS: wallS() }), 1000);
  timer.unref();
  return {
    update: (done, failed) => bar.update(done, { failed, wallS: wallS() }),
    stop: () => {
      clearInterval(timer);
      bar.stop();
    },
  };
}
