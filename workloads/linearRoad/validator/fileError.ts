// The one kind of error the validator raises about its own input files (an answers file,
// a historical tolls file, or an input file whose answers could not be told apart): a
// single line naming the file and the line, so that the CLI can print it as it is.

/** A bad line or content in a file the validator reads; the message is `<file>:<line>: <reason>`. */
export class LrFileError extends Error {
  /** @param line 1-based line number, or 0 when the problem is not on one line */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = "LrFileError";
  }
}

/** An LrFileError for a file that cannot be opened (`<file>: no such file`, `<file>: permission denied`, ...). */
export function unreadable(file: string, err: unknown): LrFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT"
      ? "no such file"
      : code === "EACCES"
        ? "permission denied"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot read: ${(err as Error).message}`;
  return new LrFileError(file, 0, reason);
}
