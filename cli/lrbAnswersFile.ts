// answers.csv of a Linear Road run: every answer the sinks received, in the benchmark's
// output format, with Emit the time the runtime measured (virtual in the simulator, real
// on workers), in seconds rounded up. This is the file `seep lrb validate` checks. It is
// written as `answers.csv.partial-<pid>` until closed (see partialFiles.ts).

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { formatAnswer, type LrAnswer } from "../workloads/linearRoad/index.js";
import { removeOnExit } from "./partialFiles.js";
import { onDisk, temporaryPath } from "./runFiles.js";

/** The name of the answers file in a run's directory. */
export const LRB_ANSWERS_FILE = "answers.csv";

/** answers.csv being written; `close` it after the run, or `abandon` it. */
export class LrbAnswersFile {
  private readonly tmp: string;
  private readonly fd: number;
  private pending = "";
  private readonly forget: () => void;
  /** Answers written. */
  count = 0;

  constructor(private readonly path: string) {
    this.tmp = temporaryPath(path);
    this.fd = onDisk(() => openSync(this.tmp, "w"));
    this.forget = removeOnExit(this.tmp);
  }

  /** Add the answer a sink received at run time `timeMs`. */
  add(timeMs: number, value: unknown): void {
    const emit = Math.ceil(timeMs / 1000);
    this.pending += `${formatAnswer({ ...(value as LrAnswer), emit } as LrAnswer)}\n`;
    this.count++;
    if (this.pending.length > 1 << 20) this.flush();
  }

  private flush(): void {
    const text = this.pending;
    this.pending = "";
    onDisk(() => writeSync(this.fd, text));
  }

  /** Write what is left and move the file into place. */
  close(): void {
    this.flush();
    onDisk(() => closeSync(this.fd));
    onDisk(() => renameSync(this.tmp, this.path));
    this.forget();
  }

  /** Drop the file (the run failed). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.tmp, { force: true });
      this.forget();
    }
  }
}
