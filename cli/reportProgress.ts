// How `seep report` shows its progress on stderr: one bounded count over all of the
// report's runs ("run 7 of 30"), never a bar that starts again at each run. On a
// terminal, a bar (cli-progress) of the runs done against those expected so far, moved
// between ends by the runs under way (their shares of simulated time, from the pool), the failures, the wall time and an
// estimate of the time left; elsewhere (a pipe, a CI log), one line per finished run;
// `--quiet`, nothing. The total grows as a notebook announces its runs
// (notebooks/lib/options.ts's RunProgress), so the estimate is over every run announced.

import { Presets, SingleBar } from "cli-progress";

const FORMAT = "{bar} run {run} of {runs} | {failed} failed | {wallS} s wall | ETA {eta_formatted}";
/** Units of the bar per run, so that the share of a run under way moves it. */
const PER_RUN = 100;

/**
 * A report's progress over its runs (what notebooks/lib/options.ts's RunProgress asks for,
 * so that it can be handed to a notebook), and `stop` to release the terminal.
 */
export interface ReportProgress {
  expect(runs: number): void;
  finished(what: string, failed?: boolean): void;
  within?(runs: number): void;
  stop(): void;
}

/** The progress of report `name` on stderr: a bar on a terminal, lines elsewhere, nothing when `quiet`. */
export function reportProgress(name: string, quiet: boolean): ReportProgress {
  let total = 0;
  let done = 0;
  let failed = 0;
  if (quiet) return { expect: () => {}, finished: () => {}, stop: () => {} };
  const startedMs = performance.now();
  const wallS = () => ((performance.now() - startedMs) / 1000).toFixed(1);
  if (!process.stderr.isTTY)
    return {
      expect: (runs) => {
        total += runs;
      },
      finished: (what, wasFailed) => {
        done += 1;
        if (wasFailed === true) failed += 1;
        process.stderr.write(
          `report ${name}: run ${done} of ${Math.max(total, done)} done${wasFailed === true ? " (failed)" : ""}: ${what}\n`,
        );
      },
      stop: () => {},
    };
  const bar = new SingleBar(
    { stream: process.stderr, format: FORMAT, hideCursor: false, linewrap: true, etaBuffer: 50, barsize: 20 },
    Presets.shades_classic,
  );
  const payload = () => ({
    run: Math.min(done + 1, Math.max(total, 1)),
    runs: Math.max(total, done),
    failed,
    wallS: wallS(),
  });
  // Drawn from the first runs announced or ended (a bar of nothing would show as full).
  let started = false;
  let stopped = false;
  const start = () => {
    if (started || stopped) return;
    started = true;
    bar.start(Math.max(total, done, 1) * PER_RUN, done * PER_RUN, payload());
  };
  // Redraw the wall time while runs go on in other processes.
  const timer = setInterval(() => {
    if (started && !stopped) bar.update(payload());
  }, 1000);
  timer.unref();
  return {
    expect: (runs) => {
      total += runs;
      start();
      bar.setTotal(Math.max(total, done, 1) * PER_RUN);
      bar.update(payload());
    },
    finished: (_what, wasFailed) => {
      done += 1;
      if (wasFailed === true) failed += 1;
      start();
      if (done > total) bar.setTotal(done * PER_RUN);
      bar.update(done * PER_RUN, payload());
    },
    within: (runs) => {
      if (!started) return;
      const f = Math.min(Math.max(runs, 0), Math.max(total - done, 0));
      bar.update(Math.round((done + f) * PER_RUN), payload());
    },
    stop: () => {
      clearInterval(timer);
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
