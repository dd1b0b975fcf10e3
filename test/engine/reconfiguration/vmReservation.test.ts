// Reserving a reconfiguration's VMs before anything pauses, and giving the reservation up.

import { describe, expect, it } from "vitest";
import { AcquiringVms, StepMachine, VmReservation } from "../../../engine/reconfiguration/index.js";
import { fakeLink } from "./fakeLink.js";

describe("VM reservation", () => {
  it("is ready once every VM asked for is in, in the order they came", () => {
    const { link, grant } = fakeLink();
    const r = new VmReservation(link, 2, false);
    let ready = 0;
    r.request(() => ready++);
    grant(7);
    expect(ready).toBe(0);
    grant(4);
    expect(ready).toBe(1);
    expect(r.vms).toEqual([7, 4]);
  });

  it("is ready at once, with no VMs, when the runtime cannot reserve", () => {
    const { link } = fakeLink({ reserve: false });
    const r = new VmReservation(link, 3, false);
    let ready = 0;
    r.request(() => ready++);
    expect(ready).toBe(1);
    expect(r.vms).toEqual([]);
  });

  it("given up, hands the VMs it has and those that come later to whoever takes them", () => {
    const { link, grant } = fakeLink();
    const m = new StepMachine();
    const r = new VmReservation(link, 3, false);
    let ready = 0;
    m.go(new AcquiringVms(r, () => ready++));
    grant(1);
    const unused: number[] = [];
    r.giveUp((vm) => unused.push(vm));
    expect(unused).toEqual([1]);
    grant(2);
    grant(3);
    expect(unused).toEqual([1, 2, 3]);
    expect(ready).toBe(0);
  });
});
