// Where a real run's instances live: placing, renewing an incarnation, and the proto
// maps of addresses and incarnations that deploys and redeploys carry.

import { describe, expect, it } from "vitest";
import { InstanceDirectory } from "../../cloud/instanceDirectory.js";

describe("InstanceDirectory", () => {
  it("places instances on workers as their first incarnation and lists each worker's", () => {
    const d = new InstanceDirectory();
    d.place(2, 1);
    d.place(0, 0);
    d.place(1, 1);
    expect(d.hostedBy(1)).toEqual([1, 2]);
    expect(d.hostedBy(0)).toEqual([0]);
    expect(d.incarnationOf(2)).toBe(1);
    expect(d.workerOf(3)).toBeUndefined();
    expect(d.incarnationOf(3)).toBe(0);
  });

  it("renews an incarnation, and moving an instance keeps it", () => {
    const d = new InstanceDirectory();
    d.place(4, 1);
    expect(d.renew(4)).toBe(2);
    d.place(4, 3);
    expect(d.incarnationOf(4)).toBe(2);
    expect(d.hostedBy(1)).toEqual([]);
    expect(d.hostedBy(3)).toEqual([4]);
  });

  it("gives the addresses and incarnations of some instances, or of all", () => {
    const d = new InstanceDirectory();
    d.place(0, 0);
    d.place(1, 1);
    d.renew(1);
    const address = (w: number) => `127.0.0.1:${7000 + w}`;
    expect(d.addressesOf(address)).toEqual({ 0: "127.0.0.1:7000", 1: "127.0.0.1:7001" });
    expect(d.addressesOf(address, [1])).toEqual({ 1: "127.0.0.1:7001" });
    expect(d.incarnationsOf()).toEqual({ 0: 1, 1: 2 });
    expect(d.incarnationsOf([0])).toEqual({ 0: 1 });
  });
});
