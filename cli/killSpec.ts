// `seep run --kill worker=<index>@<time>`: a worker to SIGKILL during a real run, at a run
// time such as `5s` or `1500ms` (time since event time 0, as the run's summary counts
// it), at most 20 days (TIME_MS_MAX, within Node's timers). Repeatable; a malformed one is
// a one-line error naming what was typed.

import type { WorkerKill } from "../cloud/cloudRun.js";
import { UserError } from "./errors.js";
import { TIME_MS_MAX } from "./options.js";

const KILL = /^worker=(\d+)@(\d+(?:\.\d+)?)(ms|s)$/;

/** `text` of a `--kill` as a WorkerKill; throws a UserError when it is not `worker=<index>@<time>`. */
export function parseKill(text: string): WorkerKill {
  const m = KILL.exec(text.trim());
  if (m === null) {
    throw new UserError(
      `--kill expects worker=<index>@<time> with the time in s or ms, such as worker=1@5s, got '${text}'`,
    );
  }
  const worker = Number(m[1]);
  const atMs = Number(m[2]) * (m[3] === "s" ? 1000 : 1);
  if (!Number.isSafeInteger(worker) || !Number.isFinite(atMs))
    throw new UserError(`--kill ${text}: the number is too large`);
  if (atMs > TIME_MS_MAX)
    throw new UserError(`--kill ${text}: the time must be at most ${TIME_MS_MAX / 1000}s`);
  return { worker, atMs };
}

/** Add the `--kill` in `text` to those parsed so far (a commander argument parser). */
export function collectKill(text: string, previous: readonly WorkerKill[] | undefined): WorkerKill[] {
  return [...(previous ?? []), parseKill(text)];
}

/** Check kills against the run: the worker must be one of its `workers`, the pool able to kill. */
export function checkKills(kills: readonly WorkerKill[], workers: number, pool: string): void {
  if (kills.length === 0) return;
  if (pool !== "local") throw new UserError(`--kill needs the local pool (--pool local), not ${pool}`);
  for (const k of kills) {
    if (k.worker >= workers) {
      throw new UserError(
        `--kill worker=${k.worker}: the run has ${workers} worker${workers === 1 ? "" : "s"} (0 to ${workers - 1})`,
      );
    }
  }
}
