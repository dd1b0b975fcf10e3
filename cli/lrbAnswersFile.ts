// answers.csv of a Linear Road run: every answer the sinks received, in the benchmark's
// output format, with Emit the time the runtime measured (virtual in the simulator, real
// on workers), in seconds rounded up. This is the file `seep lrb validate` checks. It is
// written as `answers.csv.partial-<pid>` until closed (see partialFiles.ts).

import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { formatAnswer, type LrAnswer } from "../workloads/linearRoad/index.js";
import { removeOnExit } from "./partialFiles.js";
import { type FilePosition, resumedFile } from "./resumedFile.js";
import { onDisk, temporaryPath } from "./runFiles.js";

/** The name of the answers file in a run's directory. */
export const LRB_ANSWERS_FILE = "answers.csv";

/** answers.csv being written; `close` it after the run, or `abandon` it. */
export class LrbAnswersFile {
  private readonly tmp: string;
  private readonly fd: number;
  private pending = "";
  private readonly forget: () => void;
  /** Answers written (by this process). */
  count = 0;
  /** Bytes in the file so far. */
  private bytes = 0;

  /** `resume`: a new leader's (coordinator failover): go on from another's partial file, cut where its output state stood. */
  constructor(
    private readonly path: string,
    resume?: FilePosition | null,
  ) {
    this.tmp = temporaryPath(path);
    this.fd = onDisk(() => (resume == null ? openSync(this.tmp, "w") : resumedFile(resume, this.tmp)));
    this.bytes = resume?.bytes ?? 0;
    this.forget = removeOnExit(this.tmp);
  }

  /** Everything added so far written: the partial file and its length. */
  position(): FilePosition {
    this.flush();
    return { file: this.tmp, bytes: this.bytes };
  }

  /** Add the answer a sink received at run time `timeMs`. */
  add(timeMs: number, value: unknown): void {
    const emit = Math.ceil(timeMs / 1000);
    this.pending += `${formatAnswer({ ...(value as LrAnswer), emit } as LrAnswer)}\n`;
    this.count++;
    if (this.pending.length > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending, "utf8");
    this.pending = "";
    onDisk(() => {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
    });
    this.bytes += bytes.length;
  }

  /** Write what is left and move the file into place. */
  close(): void {
    this.flush();
    onDisk(() => closeSync(this.fd));
    onDisk(() => renameSync(this.tmp, this.path));
    this.forget();
  }

  /** Close the partial file and leave it (a deposed leader's: the new leader goes on from it). */
  keep(): void {
    closeSync(this.fd);
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
