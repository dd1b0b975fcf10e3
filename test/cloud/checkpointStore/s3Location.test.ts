// S3's bucket naming rules and the checkpoint prefix, alone and as the EC2 options
// `cloud.ec2.checkpointBucket` and `cloud.ec2.checkpointPrefix` parse them: good values are
// taken, and each bad one is a one-line error naming the field.

import { describe, expect, it } from "vitest";
import { s3BucketNameProblem } from "../../../cloud/checkpointStore/index.js";
import { parseEc2PoolOptions } from "../../../cloud/ec2Pool.js";

const EC2 = { region: "eu-west-1", imageId: "ami-0123456789abcdef0", token: "tok", runId: "wordcount-7" };

function parseError(extra: Record<string, unknown>): string {
  try {
    parseEc2PoolOptions({ ...EC2, ...extra });
  } catch (error) {
    return (error as Error).message;
  }
  return "parsed";
}

describe("s3BucketNameProblem", () => {
  it("takes names that follow S3's rules", () => {
    for (const name of ["abc", "seep-checkpoints", "my.bucket.2024", "0bucket9", "a".repeat(63)])
      expect(s3BucketNameProblem(name)).toBeUndefined();
  });

  it("says which rule a name breaks, without repeating the name", () => {
    expect(s3BucketNameProblem("ab")).toBe("an S3 bucket name has 3 to 63 characters");
    expect(s3BucketNameProblem("a".repeat(64))).toBe("an S3 bucket name has 3 to 63 characters");
    expect(s3BucketNameProblem("My-Bucket")).toMatch(/only lowercase letters, digits/);
    expect(s3BucketNameProblem("my_bucket")).toMatch(/only lowercase letters, digits/);
    expect(s3BucketNameProblem("-bucket")).toBe("an S3 bucket name starts and ends with a letter or digit");
    expect(s3BucketNameProblem("bucket.")).toBe("an S3 bucket name starts and ends with a letter or digit");
    expect(s3BucketNameProblem("my..bucket")).toBe("an S3 bucket name has no two '.' in a row");
    expect(s3BucketNameProblem("192.168.5.4")).toBe("an S3 bucket name is not an IP address");
    expect(s3BucketNameProblem("xn--bucket")).toMatch(/does not start with 'xn--'/);
    expect(s3BucketNameProblem("sthree-bucket")).toMatch(/does not start with 'sthree-'/);
    expect(s3BucketNameProblem("amzn-s3-demo-bucket")).toMatch(/does not start with 'amzn-s3-demo-'/);
    for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])
      expect(s3BucketNameProblem(`bucket${suffix}`)).toMatch(`does not end with '${suffix}'`);
  });
});

describe("cloud.ec2.checkpointBucket and checkpointPrefix", () => {
  it("are optional, and taken as given when good", () => {
    const none = parseEc2PoolOptions(EC2);
    expect(none.checkpointBucket).toBeUndefined();
    expect(none.checkpointPrefix).toBeUndefined();
    const both = parseEc2PoolOptions({
      ...EC2,
      checkpointBucket: "seep-checkpoints",
      checkpointPrefix: "team/seep",
    });
    expect([both.checkpointBucket, both.checkpointPrefix]).toEqual(["seep-checkpoints", "team/seep"]);
    expect(
      parseEc2PoolOptions({ ...EC2, checkpointBucket: "b.c.d", checkpointPrefix: "" }).checkpointPrefix,
    ).toBe("");
  });

  it("a bad bucket name is one line naming the field and the rule", () => {
    expect(parseError({ checkpointBucket: "Seep" })).toBe(
      "invalid EC2 pool options: checkpointBucket: an S3 bucket name holds only lowercase letters, digits, '.' and '-'",
    );
    expect(parseError({ checkpointBucket: 42 })).toMatch(
      /^invalid EC2 pool options: checkpointBucket: .*string/,
    );
  });

  it("a bad prefix is one line naming the field and why", () => {
    expect(parseError({ checkpointBucket: "seep-checkpoints", checkpointPrefix: "a/../b" })).toBe(
      "invalid EC2 pool options: checkpointPrefix: a checkpoint prefix follows the rules of keys: it holds '..'",
    );
    expect(parseError({ checkpointBucket: "seep-checkpoints", checkpointPrefix: "/seep" })).toMatch(
      /^invalid EC2 pool options: checkpointPrefix: .*it starts with '\/'/,
    );
    expect(parseError({ checkpointBucket: "seep-checkpoints", checkpointPrefix: "x".repeat(257) })).toBe(
      "invalid EC2 pool options: checkpointPrefix: a checkpoint prefix has at most 256 characters",
    );
  });

  it("a prefix without a bucket is refused, as checkpoints would stay on disk", () => {
    expect(parseError({ checkpointPrefix: "seep" })).toBe(
      "invalid EC2 pool options: checkpointPrefix: a prefix of keys in S3 needs checkpointBucket too",
    );
  });
});
