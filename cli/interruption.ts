// Ctrl-C during work that can stop cleanly (a sweep, a chaos campaign on the run pool):
// SIGINT, SIGTERM or SIGHUP aborts an AbortController, and the work stops its processes,
// keeps what is done and says how to go on; a second signal exits at once with the
// conventional code (128 + the signal's number, cloud/signalCleanup.ts's EXIT_CODES).

import { EXIT_CODES } from "../cloud/signalCleanup.js";

/** An interruption in progress: its signal, once one came, and how to stop listening. */
export interface Interruption {
  readonly controller: AbortController;
  /** The signal that aborted the work (null: none yet). */
  signal(): keyof typeof EXIT_CODES | null;
  /** The exit code for the signal received (130 for SIGINT). */
  exitCode(): number;
  /** Remove the handlers. */
  dispose(): void;
}

/** Abort on the first SIGINT, SIGTERM or SIGHUP (saying so on stderr, after `what`); exit on the second. */
export function interruptOnSignals(what: string): Interruption {
  const controller = new AbortController();
  let received: keyof typeof EXIT_CODES | null = null;
  const handlers = (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]).map((name) => {
    const handler = () => {
      if (received !== null) {
        process.stderr.write(`\nseep: ${name} again: exiting at once\n`);
        process.exit(EXIT_CODES[name]);
      }
      received = name;
      process.stderr.write(`\nseep: ${name}: stopping ${what}, keeping the runs done...\n`);
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    controller,
    signal: () => received,
    exitCode: () => (received === null ? 1 : EXIT_CODES[received]),
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
