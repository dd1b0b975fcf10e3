// Where a worker takes its run's token from: the environment (SEEP_TOKEN) or a file
// (`seep worker --token-file`), never its command line, which every local user reads with
// `ps`. A token file must be readable by its owner only (mode 0600, as ssh asks of keys):
// one that others can read has leaked already.

import { readFileSync, statSync } from "node:fs";

/** The environment variable a worker reads its token from. */
export const TOKEN_ENV = "SEEP_TOKEN";

/** Why `--token` is refused, and what to use instead. */
export const TOKEN_ON_COMMAND_LINE =
  "--token is refused: a command line is visible to every local user (ps); pass the token in " +
  `${TOKEN_ENV} or in a file readable only by you with --token-file <file>`;

/** The token in the file at `path` (without a trailing newline); throws a one-line Error on anything else. */
export function readTokenFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`--token-file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if ((mode & 0o077) !== 0)
    throw new Error(
      `--token-file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  const token = text.replace(/\r?\n$/, "");
  if (token.length === 0) throw new Error(`--token-file ${path} is empty`);
  if (/[\r\n]/.test(token)) throw new Error(`--token-file ${path} holds more than one line`);
  return token;
}

/** The worker's token: from `tokenFile` if given, else from `env` (SEEP_TOKEN); throws a one-line Error when neither has one. */
export function workerToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (tokenFile !== undefined) return readTokenFile(tokenFile);
  const token = env[TOKEN_ENV];
  if (token === undefined || token.length === 0)
    throw new Error(`a token is required: set ${TOKEN_ENV}, or pass --token-file <file>`);
  return token;
}
