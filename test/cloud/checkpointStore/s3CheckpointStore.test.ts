// The S3 store against a mocked S3 client (no AWS is reachable from the tests): what it asks S3
// for (bucket, prefixed keys, pages), that NoSuchKey is a missing object, and that every other
// error is one line naming the bucket, the key and S3's code.

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CheckpointStoreError, S3CheckpointStore } from "../../../cloud/checkpointStore/index.js";
import { memoryS3, testS3Client } from "./memoryS3.js";
import { rejection } from "./storeTesting.js";

const s3 = mockClient(S3Client);

beforeEach(() => {
  s3.reset();
});

function store(extra: { prefix?: string; pageSize?: number } = {}): S3CheckpointStore {
  return new S3CheckpointStore({ bucket: "seep-checkpoints", client: testS3Client(), ...extra });
}

function s3Error(name: string, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 403 }, message });
}

describe("S3CheckpointStore", () => {
  it("puts the caller's bytes, uncopied, at the prefixed key of the bucket", async () => {
    const objects = memoryS3(s3, "seep-checkpoints");
    const bytes = new Uint8Array([1, 2, 3]);
    await store({ prefix: "team/seep" }).put("runs/r1/c1", bytes);

    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put.args[0].input).toMatchObject({
      Bucket: "seep-checkpoints",
      Key: "team/seep/runs/r1/c1",
      ContentLength: 3,
    });
    expect(put.args[0].input.Body).toBe(bytes);
    expect([...objects.keys()]).toEqual(["team/seep/runs/r1/c1"]);
  });

  it("keeps its keys under seep/ by default, and at the bucket's top with an empty prefix", async () => {
    expect(store().describe()).toBe("s3://seep-checkpoints/seep/");
    expect(store({ prefix: "a/b/" }).describe()).toBe("s3://seep-checkpoints/a/b/");
    const objects = memoryS3(s3, "seep-checkpoints");
    await store({ prefix: "" }).put("runs/r1/c1", new Uint8Array([1]));
    expect([...objects.keys()]).toEqual(["runs/r1/c1"]);
  });

  it("lists across pages of 1,000 keys, passing each continuation token on", async () => {
    const objects = memoryS3(s3, "seep-checkpoints");
    const keys = Array.from(
      { length: 2050 },
      (_, i) => `runs/r1/checkpoints/count.0/${String(i).padStart(5, "0")}`,
    );
    for (const key of keys) objects.set(`seep/${key}`, new Uint8Array([1]));
    objects.set("seep/runs/r2/c1", new Uint8Array([1]));
    objects.set("elsewhere/runs/r1/c1", new Uint8Array([1]));

    expect(await store().list("runs/r1/")).toEqual(keys);

    const calls = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.Prefix, c.MaxKeys])).toEqual([
      ["seep/runs/r1/", 1000],
      ["seep/runs/r1/", 1000],
      ["seep/runs/r1/", 1000],
    ]);
    expect(calls[0].ContinuationToken).toBeUndefined();
    expect(calls[1].ContinuationToken).toBeDefined();
    expect(calls[2].ContinuationToken).not.toBe(calls[1].ContinuationToken);
  });

  it("leaves out of a list the objects under its prefix that no key could name", async () => {
    const objects = memoryS3(s3, "seep-checkpoints");
    for (const key of [
      "seep/runs/r1/c1",
      "seep/runs/r1/notes about c1.txt",
      "seep/runs/r1/.c2.tmp",
      "seep//x",
    ])
      objects.set(key, new Uint8Array([1]));
    expect(await store().list("")).toEqual(["runs/r1/c1"]);
  });

  it("NoSuchKey is a missing object: get gives null", async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ $metadata: {}, message: "The specified key does not exist." }),
    );
    expect(await store().get("runs/r1/c1")).toBeNull();
  });

  it("AccessDenied is one line naming the bucket, the key and the code, with what to grant", async () => {
    s3.on(PutObjectCommand).rejects(s3Error("AccessDenied", "Access Denied"));
    const error = await rejection(store().put("runs/r1/checkpoints/count.0/c1", new Uint8Array([1])));
    expect(error).toBeInstanceOf(CheckpointStoreError);
    expect(error.message).toBe(
      "S3 could not put s3://seep-checkpoints/seep/runs/r1/checkpoints/count.0/c1: AccessDenied (Access Denied); " +
        "the identity needs s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on the bucket and prefix",
    );
  });

  it("every operation's error names its bucket, key and code in one line", async () => {
    s3.on(GetObjectCommand).rejects(
      s3Error("InternalError", "We encountered an internal error.\nPlease try again."),
    );
    s3.on(DeleteObjectCommand).rejects(s3Error("AccessDenied", "Access Denied"));
    s3.on(ListObjectsV2Command).rejects(s3Error("NoSuchBucket", "The specified bucket does not exist"));
    const messages = [
      (await rejection(store().get("runs/r1/c1"))).message,
      (await rejection(store().delete("runs/r1/c1"))).message,
      (await rejection(store().list("runs/r1/"))).message,
    ];
    expect(messages[0]).toBe(
      "S3 could not get s3://seep-checkpoints/seep/runs/r1/c1: InternalError (We encountered an internal error. Please try again.)",
    );
    expect(messages[1]).toMatch(
      /^S3 could not delete s3:\/\/seep-checkpoints\/seep\/runs\/r1\/c1: AccessDenied /,
    );
    expect(messages[2]).toBe(
      "S3 could not list s3://seep-checkpoints/seep/runs/r1/: NoSuchBucket (The specified bucket does not exist); " +
        "create the bucket, or name another in cloud.ec2.checkpointBucket",
    );
    for (const message of messages) expect(message).not.toMatch(/\n|\bat /);
  });

  it("a network failure is one line with its Node code", async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }),
    );
    const error = await rejection(store().get("runs/r1/c1"));
    expect(error.message).toBe(
      "S3 could not get s3://seep-checkpoints/seep/runs/r1/c1: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:443)",
    );
  });

  it("a body that breaks off while read is one line too", async () => {
    const body = {
      transformToByteArray: async () => {
        throw Object.assign(new Error("aborted"), { code: "ECONNRESET" });
      },
    };
    s3.on(GetObjectCommand).resolves({ Body: body as never });
    const error = await rejection(store().get("runs/r1/c1"));
    expect(error.message).toBe(
      "S3 could not read s3://seep-checkpoints/seep/runs/r1/c1: ECONNRESET (aborted)",
    );
  });

  it("refuses a bad bucket, prefix or page size, and a store with neither region nor client, before any call", () => {
    const made = (options: ConstructorParameters<typeof S3CheckpointStore>[0]) => {
      try {
        new S3CheckpointStore(options);
      } catch (error) {
        return (error as Error).message;
      }
      return "made";
    };
    const client = testS3Client();
    expect(made({ bucket: "Seep_Checkpoints", client })).toBe(
      `bad S3 bucket name "Seep_Checkpoints": an S3 bucket name holds only lowercase letters, digits, '.' and '-'`,
    );
    expect(made({ bucket: "seep-checkpoints", prefix: "/abs", client })).toBe(
      `bad S3 checkpoint prefix "/abs": a checkpoint prefix follows the rules of keys: it starts with '/' (keys are relative)`,
    );
    expect(made({ bucket: "seep-checkpoints", pageSize: 1001, client })).toBe(
      "S3 checkpoint store: pageSize must be 1 to 1000, got 1001",
    );
    expect(made({ bucket: "seep-checkpoints" })).toBe(
      "S3 checkpoint store s3://seep-checkpoints/seep/: needs a region or a client",
    );
    expect(made({ bucket: "seep-checkpoints", region: "eu-west-1" })).toBe("made");
    expect(s3.calls()).toEqual([]);
  });
});
