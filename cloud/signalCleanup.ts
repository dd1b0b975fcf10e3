// Ctrl-C must not leave VMs running (on EC2, they cost money until terminated): on SIGINT,
// SIGTERM or SIGHUP (a closed terminal, a lost ssh session), shut the pool down, then exit
// with the conventional code (128 + signal). Exiting runs the process's exit handlers, which
// remove the run's partial files. A SIGKILL cannot be caught: the workers then find their
// coordinator gone by themselves (coordinatorLease.ts).

import type { VmPool } from "./vmPool.js";

/** The signals handled, and the code each exits with (128 + its number). */
export const EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** What the handlers do besides shutting the pool down; injectable for tests. */
export interface SignalCleanupEffects {
  /** Ends the process. */
  readonly exit: (code: number) => void;
  /** Tells the user what is happening (one line). */
  readonly warn: (line: string) => void;
  /**
   * Told first, before the pool shuts down: a run whose workers are being taken away then
   * writes no result (its end is the handler's exit, not a finished run).
   */
  readonly onSignal?: (signal: string) => void;
}

const realEffects: SignalCleanupEffects = {
  exit: (code) => process.exit(code),
  warn: (line) => process.stderr.write(`${line}\n`),
};

/**
 * On SIGHUP/SIGINT/SIGTERM, calls `pool.shutdown()` then exits with 129/130/143; a second signal while
 * the shutdown runs exits at once. Returns a function that removes the handlers.
 */
export function installSignalCleanup(pool: VmPool, given: Partial<SignalCleanupEffects> = {}): () => void {
  const effects: SignalCleanupEffects = { ...realEffects, ...given };
  let shuttingDown = false;
  const handlers = Object.keys(EXIT_CODES).map((signal) => {
    const code = EXIT_CODES[signal as keyof typeof EXIT_CODES];
    const handler = () => {
      if (shuttingDown) {
        effects.warn(`seep: ${signal} again: exiting without waiting for the VMs to terminate`);
        effects.exit(code);
        return;
      }
      shuttingDown = true;
      effects.onSignal?.(signal);
      effects.warn(`seep: ${signal}: terminating the VMs of this run...`);
      pool.shutdown().then(
        () => effects.exit(code),
        (error: unknown) => {
          effects.warn(
            `seep: shutting the VM pool down failed: ${error instanceof Error ? error.message : error}`,
          );
          effects.exit(code);
        },
      );
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
