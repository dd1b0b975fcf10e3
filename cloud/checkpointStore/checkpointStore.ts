// The durable checkpoint store: where a coordinator with high availability keeps checkpoint
// bytes, so that a standby taking over finds them (ZooKeeper holds only references to them).
// A small key-value interface with two implementations, a directory on disk and an S3 bucket.
// Keys are made by the caller (`runs/<runId>/checkpoints/<instance>/<checkpointId>`) and
// checked here, the same for both stores: '/'-separated segments of letters, digits, '.', '_'
// and '-', each starting with a letter or a digit, so that a key is a safe relative path on
// any disk and a plain S3 key, and a name starting with '.' is free for the directory store's
// temporary files.

/** What the store of a run's checkpoint bytes does; every implementation passes the same contract test. */
export interface CheckpointStore {
  /** Stores `bytes` under `key`, replacing what was there, atomically: a reader sees all of them or the old object (or none), never a part. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes stored under `key`, or null when there are none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes `key`; removing a key that holds nothing is no error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix` (a string prefix, as in S3: `runs/r1/` or `runs/r1/check`), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Where the store keeps its objects, for messages: `dir:/path` or `s3://bucket/prefix/`. */
  describe(): string;
}

/** A checkpoint store failed, or was asked something it refuses: the message is one line naming the store, the key and why. */
export class CheckpointStoreError extends Error {
  override readonly name: string = "CheckpointStoreError";
}

/** A key or prefix that is not one a checkpoint store takes; the message names it and says why. */
export class CheckpointKeyError extends CheckpointStoreError {
  override readonly name = "CheckpointKeyError";
}

/** A key has at most this many characters (S3 takes 1,024 bytes, the store's prefix included). */
export const KEY_LENGTH_MAX = 512;
/** A segment of a key has at most this many characters (a file name on disk: 255 bytes, room left for the temporary file's). */
export const SEGMENT_LENGTH_MAX = 200;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws a CheckpointKeyError unless `key` is a key a checkpoint store takes (see the file's header). */
export function checkCheckpointKey(key: string): void {
  const problem = checkpointKeyProblem(key, false);
  if (problem !== undefined) throw new CheckpointKeyError(`bad checkpoint key ${quoted(key)}: ${problem}`);
}

/** Throws a CheckpointKeyError unless `prefix` is "" or the start of a key a checkpoint store takes (it may end in '/'). */
export function checkCheckpointPrefix(prefix: string): void {
  if (prefix === "") return;
  const problem = checkpointKeyProblem(prefix, true);
  if (problem !== undefined)
    throw new CheckpointKeyError(`bad checkpoint key prefix ${quoted(prefix)}: ${problem}`);
}

/** Whether `key` is a key a checkpoint store takes (what lists keep of the names they find). */
export function isCheckpointKey(key: string): boolean {
  return checkpointKeyProblem(key, false) === undefined;
}

/** What is wrong with `key` (a prefix may end in '/'), or undefined. */
export function checkpointKeyProblem(key: string, isPrefix: boolean): string | undefined {
  if (typeof key !== "string") return "expected a string";
  if (key === "") return "it is empty";
  if (key.length > KEY_LENGTH_MAX) return `it has more than ${KEY_LENGTH_MAX} characters`;
  if (key.startsWith("/")) return "it starts with '/' (keys are relative)";
  if (key.includes("..")) return "it holds '..'";
  const segments = key.split("/");
  if (isPrefix && segments.at(-1) === "") segments.pop();
  for (const segment of segments) {
    if (segment === "") return "it holds an empty segment ('//' or a trailing '/')";
    if (segment.length > SEGMENT_LENGTH_MAX)
      return `a segment has more than ${SEGMENT_LENGTH_MAX} characters`;
    if (!SEGMENT.test(segment))
      return "each '/'-separated segment must be letters, digits, '.', '_' or '-', starting with a letter or digit";
  }
  return undefined;
}

/** `text` quoted as JSON (control characters escaped, so that the message stays one line), cut to 100 characters. */
export function quoted(text: string): string {
  const json = JSON.stringify(String(text));
  return json.length > 100 ? `${json.slice(0, 96)}..."` : json;
}

/** `bytes` as a plain Uint8Array over the same memory (a Buffer is one too, but compares unequal to one). */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
