// Which store a run gets: the directory (made at once) unless its EC2 options name a bucket,
// then S3 through the client given, under the prefix given or seep/.

import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkpointStoreOf,
  DirectoryCheckpointStore,
  S3CheckpointStore,
} from "../../../cloud/checkpointStore/index.js";
import { parseEc2PoolOptions } from "../../../cloud/ec2Pool.js";
import { memoryS3, testS3Client } from "./memoryS3.js";

const s3 = mockClient(S3Client);
const EC2 = { region: "eu-west-1", imageId: "ami-0123456789abcdef0", token: "tok", runId: "wordcount-7" };
let runDir: string;

beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), "seep-ckpt-of-"));
});

afterAll(async () => {
  await rm(runDir, { recursive: true, force: true });
});

describe("checkpointStoreOf", () => {
  it("gives a directory store, made at once, when no bucket is named", async () => {
    const directory = join(runDir, "checkpoints");
    const store = await checkpointStoreOf({ directory });
    expect(store).toBeInstanceOf(DirectoryCheckpointStore);
    expect(store.describe()).toBe(`dir:${directory}`);
    expect((await stat(directory)).isDirectory()).toBe(true);

    const onEc2 = await checkpointStoreOf({ directory, ec2: parseEc2PoolOptions(EC2) });
    expect(onEc2).toBeInstanceOf(DirectoryCheckpointStore);
  });

  it("gives an S3 store when the EC2 options name a bucket, through the client given", async () => {
    const objects = memoryS3(s3, "seep-checkpoints");
    const ec2 = parseEc2PoolOptions({ ...EC2, checkpointBucket: "seep-checkpoints" });
    const store = await checkpointStoreOf({
      directory: join(runDir, "unused"),
      ec2,
      s3Client: testS3Client(),
    });
    expect(store).toBeInstanceOf(S3CheckpointStore);
    expect(store.describe()).toBe("s3://seep-checkpoints/seep/");
    await store.put("runs/wordcount-7/checkpoints/count.0/c1", new Uint8Array([7]));
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect([...objects.keys()]).toEqual(["seep/runs/wordcount-7/checkpoints/count.0/c1"]);
    await expect(stat(join(runDir, "unused"))).rejects.toThrow(/ENOENT/);

    const prefixed = await checkpointStoreOf({
      directory: runDir,
      ec2: { ...ec2, checkpointPrefix: "team/seep" },
      s3Client: testS3Client(),
    });
    expect(prefixed.describe()).toBe("s3://seep-checkpoints/team/seep/");
  });

  it("a directory mkdir cannot make under one that exists (/proc) is one line, not a hang", async () => {
    await expect(checkpointStoreOf({ directory: "/proc/self/seep-checkpoints" })).rejects.toThrow(
      /^cannot create the checkpoint directory \/proc\/self\/seep-checkpoints: E[A-Z]+ \(/,
    );
  });
});
