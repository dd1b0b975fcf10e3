// The checkpoint store in S3, for runs on EC2: one object per key, at `<prefix><key>` in a
// bucket. A PutObject is atomic (a reader sees the old object or the whole new one) and S3
// reads after writes and lists consistently, so the store needs no protocol of its own. One
// PutObject takes up to 5 GB, far beyond a checkpoint (a million keys are about 12 MB), and the
// bytes go to the SDK as they are, uncopied. The client is the caller's (tests pass a mocked
// one) or one for the region with the SDK's default credential chain, as the EC2 pool's, which
// retries throttling and server errors itself (the SDK's standard strategy, five attempts) and
// follows a bucket in another region to it. An error that reaches the store is final: one line
// naming the bucket, the key and S3's code.

import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  type CheckpointStore,
  CheckpointStoreError,
  checkCheckpointKey,
  checkCheckpointPrefix,
  isCheckpointKey,
  plainBytes,
} from "./checkpointStore.js";
import { isNoSuchKey, s3FailureMessage } from "./s3Errors.js";
import { checkS3BucketName, DEFAULT_CHECKPOINT_PREFIX, storePrefix } from "./s3Location.js";

/** ListObjectsV2 returns at most this many keys a page. */
const PAGE_SIZE_MAX = 1000;

/** Where an S3 checkpoint store keeps its objects, and how it reaches S3. */
export interface S3CheckpointStoreOptions {
  /** The bucket (S3's naming rules are checked). */
  readonly bucket: string;
  /** The prefix of every key in the bucket ('/' added if missing; "" for the bucket's top); default `seep/`. */
  readonly prefix?: string;
  /** The region of the default client; needed unless `client` is given. */
  readonly region?: string;
  /** The S3 client; tests pass a mocked one. */
  readonly client?: S3Client;
  /** Keys asked for per ListObjectsV2 page, 1 to 1000 (default 1000). */
  readonly pageSize?: number;
}

/** A checkpoint store in an S3 bucket. */
export class S3CheckpointStore implements CheckpointStore {
  /** The bucket. */
  readonly bucket: string;
  /** The prefix before every key: "" or ending in '/'. */
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #pageSize: number;

  /** Checks the bucket, prefix and page size (one line each); makes no AWS call. */
  constructor(options: S3CheckpointStoreOptions) {
    checkS3BucketName(options.bucket);
    this.bucket = options.bucket;
    this.prefix = storePrefix(options.prefix ?? DEFAULT_CHECKPOINT_PREFIX);
    const pageSize = options.pageSize ?? PAGE_SIZE_MAX;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_MAX)
      throw new CheckpointStoreError(
        `S3 checkpoint store: pageSize must be 1 to ${PAGE_SIZE_MAX}, got ${pageSize}`,
      );
    this.#pageSize = pageSize;
    if (options.client !== undefined) this.#client = options.client;
    else if (options.region !== undefined && options.region !== "")
      this.#client = new S3Client({ region: options.region, maxAttempts: 5, followRegionRedirects: true });
    else throw new CheckpointStoreError(`S3 checkpoint store ${this.describe()}: needs a region or a client`);
  }

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const Key = this.#key(key);
    await this.#send(`put s3://${this.bucket}/${Key}`, (client) =>
      client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: "application/octet-stream",
        }),
      ),
    );
  }

  async get(key: string): Promise<Uint8Array | null> {
    const Key = this.#key(key);
    const what = `get s3://${this.bucket}/${Key}`;
    let out: GetObjectCommandOutput;
    try {
      out = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw new CheckpointStoreError(s3FailureMessage(what, error), { cause: error });
    }
    if (out.Body === undefined) throw new CheckpointStoreError(`S3 could not ${what}: the reply has no body`);
    try {
      return plainBytes(await out.Body.transformToByteArray());
    } catch (error) {
      throw new CheckpointStoreError(s3FailureMessage(`read ${what.slice(4)}`, error), { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.#key(key);
    await this.#send(`delete s3://${this.bucket}/${Key}`, (client) =>
      client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }

  async list(prefix: string): Promise<string[]> {
    checkCheckpointPrefix(prefix);
    const Prefix = this.prefix + prefix;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const ContinuationToken = token;
      const page = await this.#send(`list s3://${this.bucket}/${Prefix}`, (client) =>
        client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix,
            MaxKeys: this.#pageSize,
            ContinuationToken,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.prefix.length);
        // Objects others put under the prefix that no key could name are not checkpoints.
        if (object.Key?.startsWith(Prefix) && key !== undefined && isCheckpointKey(key)) keys.push(key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  /** The object key of `key`, which is checked first. */
  #key(key: string): string {
    checkCheckpointKey(key);
    return this.prefix + key;
  }

  /** Makes `call` to S3; an error becomes one line saying it could not `what`. */
  async #send<T>(what: string, call: (client: S3Client) => Promise<T>): Promise<T> {
    try {
      return await call(this.#client);
    } catch (error) {
      throw new CheckpointStoreError(s3FailureMessage(what, error), { cause: error });
    }
  }
}
