// An S3 bucket in memory behind aws-sdk-client-mock, so that the S3 checkpoint store meets the
// same contract test as the directory store without reaching AWS: PutObject, GetObject (with
// NoSuchKey), DeleteObject and ListObjectsV2 with its pages (MaxKeys capped at 1,000, an opaque
// continuation token), as S3 answers them. Objects are copied in and out, as S3's are.

import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { AwsClientStub } from "aws-sdk-client-mock";

/** A client that never reaches AWS (the mock intercepts send) and never looks for credentials. */
export function testS3Client(): S3Client {
  return new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
}

/** Makes `mock` answer as bucket `bucket` holding `objects` (object key -> bytes); returns the map. */
export function memoryS3(
  mock: AwsClientStub<S3Client>,
  bucket: string,
  objects = new Map<string, Uint8Array>(),
): Map<string, Uint8Array> {
  const checkBucket = (name: string | undefined) => {
    if (name !== bucket)
      throw new NoSuchBucket({ $metadata: {}, message: "The specified bucket does not exist" });
  };
  mock.on(PutObjectCommand).callsFake((input) => {
    checkBucket(input.Bucket);
    objects.set(input.Key, (input.Body as Uint8Array).slice());
    return {};
  });
  mock.on(GetObjectCommand).callsFake((input): GetObjectCommandOutput => {
    checkBucket(input.Bucket);
    const bytes = objects.get(input.Key);
    if (bytes === undefined)
      throw new NoSuchKey({ $metadata: {}, message: "The specified key does not exist." });
    const body = { transformToByteArray: async () => bytes.slice() };
    return { $metadata: {}, ContentLength: bytes.byteLength, Body: body as GetObjectCommandOutput["Body"] };
  });
  mock.on(DeleteObjectCommand).callsFake((input) => {
    checkBucket(input.Bucket);
    objects.delete(input.Key);
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake((input) => {
    checkBucket(input.Bucket);
    const prefix = input.Prefix ?? "";
    const after = input.ContinuationToken ? Buffer.from(input.ContinuationToken, "base64url").toString() : "";
    const pageSize = Math.min(input.MaxKeys ?? 1000, 1000);
    const matching = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = matching.slice(0, pageSize);
    const truncated = matching.length > pageSize;
    return {
      Contents: page.map((Key) => ({ Key, Size: objects.get(Key)?.byteLength })),
      KeyCount: page.length,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? Buffer.from(page.at(-1) ?? "").toString("base64url") : undefined,
    };
  });
  return objects;
}
