// What a worker checks of a caller's request before acting on it, called directly (the
// worker tests send the same requests over the network): a good request passes with what
// the worker needs; a malformed one throws InvalidRequest naming the field.

import { describe, expect, it } from "vitest";
import { DataFrame, DeployRequest } from "../../cloud/gen/seep/v1/seep.js";
import {
  checkControl,
  checkDeploy,
  checkFrame,
  checkRedeploy,
  InvalidRequest,
  UndecodableRequest,
  withUndecodableRequests,
} from "../../cloud/requestChecks.js";
import { BatchBuilder, encodeBatch, KeyGroupRange } from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import { wordcountDeploy } from "./workerCalls.js";

const resolvePlan = (name: string, params: Record<string, unknown>, seed: number) =>
  workloadPlan(name, params, seed);
const good = wordcountDeploy("127.0.0.1:7000", { lines: 10 });
const { plan } = checkDeploy(good, resolvePlan);
const split = plan.instances[1];

describe("checkDeploy", () => {
  it("builds the plan of a good deploy, with the hosted instances, addresses and incarnations", () => {
    const checked = checkDeploy({ ...good, incarnations: { 1: 2 } }, resolvePlan);
    expect(checked.plan.instances).toHaveLength(good.instances.length);
    expect(checked.plan.instances[1].range).toEqual(KeyGroupRange.of(0, 63));
    expect(checked.hosted).toEqual(good.hosted);
    expect(checked.addresses.get(3)).toBe("127.0.0.1:7000");
    expect(checked.incarnations.get(1)).toBe(2);
  });

  it("throws InvalidRequest naming the field of a malformed one", () => {
    expect(() => checkDeploy({ ...good, replaySpeed: Number.NaN }, resolvePlan)).toThrow(InvalidRequest);
    expect(() => checkDeploy({ ...good, replaySpeed: Number.NaN }, resolvePlan)).toThrow(/replay_speed NaN/);
    expect(() => checkDeploy({ ...good, sourcePollMs: 86_400_000, replaySpeed: 0.01 }, resolvePlan)).toThrow(
      /source_poll_ms 86400000 at replay_speed 0.01 polls less than once/,
    );
  });
});

describe("checkRedeploy", () => {
  it("passes a scale out's new instance, and refuses a fresh instance it does not describe", () => {
    const six = { ...good.instances[3], id: 6, firstKeyGroup: 64, lastKeyGroup: 127 };
    const r = checkRedeploy(
      { instances: [six], addresses: { 6: "[::1]:7001" }, incarnations: {}, fresh: [6] },
      plan,
    );
    expect(r.specs[0]).toMatchObject({ id: 6, operator: six.operator });
    expect(r.addresses.get(6)).toBe("[::1]:7001");
    expect(() => checkRedeploy({ instances: [], addresses: {}, incarnations: {}, fresh: [6] }, plan)).toThrow(
      /fresh instance 6/,
    );
  });
});

describe("checkFrame", () => {
  const lines = new BatchBuilder(0);
  lines.push(1, 1, 1, "a b");
  const batch = Buffer.from(encodeBatch(lines.build(1)));

  it("decodes a frame on one of the receiver's input edges", () => {
    expect(checkFrame({ edge: 0, sender: 0, receiver: 1, batch }, split, plan).length).toBe(1);
  });

  it("refuses an edge the receiver does not have, and bytes that are no batch", () => {
    expect(() => checkFrame({ edge: 1, sender: 0, receiver: 1, batch }, split, plan)).toThrow(
      /edge 1 is not/,
    );
    expect(() =>
      checkFrame({ edge: 0, sender: 0, receiver: 1, batch: batch.subarray(0, 40) }, split, plan),
    ).toThrow(/truncated/);
  });
});

describe("checkControl", () => {
  it("passes what names the instance's own edges, and refuses what names others or a rate past 1", () => {
    expect(() => checkControl({ type: "ack", edge: 1, receiver: 3, seq: 1 }, split, plan)).not.toThrow();
    expect(() => checkControl({ type: "ack", edge: 0, receiver: 3, seq: 1 }, split, plan)).toThrow(
      /output edges/,
    );
    expect(() => checkControl({ type: "addSender", edge: 0, sender: 0 }, split, plan)).not.toThrow();
    expect(() => checkControl({ type: "shed", rate: 1.5 }, split, plan)).toThrow(/rate 1.5/);
  });
});

describe("withUndecodableRequests", () => {
  it("hands a handler bytes that do not decode as an UndecodableRequest naming the method", () => {
    const service = withUndecodableRequests({
      deploy: { path: "/seep.v1.Control/Deploy", requestDeserialize: (b: Buffer) => DeployRequest.decode(b) },
      frame: { path: "/seep.v1.DataPlane/Stream", requestDeserialize: (b: Buffer) => DataFrame.decode(b) },
    });
    const bad = service.frame.requestDeserialize(Buffer.from([0x22, 0x7f]));
    expect(bad).toBeInstanceOf(UndecodableRequest);
    expect((bad as unknown as UndecodableRequest).message).toMatch(
      /^\/seep.v1.DataPlane\/Stream: the request is not a valid message/,
    );
    const ok = service.deploy.requestDeserialize(Buffer.from(DeployRequest.encode(good).finish()));
    expect(ok).toMatchObject({ workload: "wordcount" });
  });
});
