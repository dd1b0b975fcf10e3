// A runtime link for the reconfiguration tests: it records what the protocols send and
// deploy, on a manual clock, and hands out VMs only when the test says so.

import type { ControlMessage } from "../../../engine/control.js";
import { ManualClock } from "../../../engine/manualClock.js";
import { physicalPlan } from "../../../engine/physicalPlan.js";
import { QueryBuilder } from "../../../engine/queryPlan.js";
import type { ReconfigurationLink } from "../../../engine/reconfiguration/index.js";

/** A link that records messages and reservations; `grant(vm)` answers the oldest reservation. */
export function fakeLink(options: { reserve?: boolean } = {}) {
  const sent: [number, ControlMessage][] = [];
  const waiting: ((vm: number) => void)[] = [];
  const link: ReconfigurationLink = {
    clock: new ManualClock(),
    sendControl: (instance, message) => {
      sent.push([instance, message]);
    },
    redeploy: (specs, _newVm, onDeployed) => onDeployed(specs),
    ...(options.reserve === false
      ? {}
      : { reserve: (onReady: (vm: number) => void) => waiting.push(onReady) }),
  };
  return { link, sent, grant: (vm: number) => waiting.shift()!(vm), reservations: () => waiting.length };
}

/** src(2) -> count(2, by key) -> sink(1) on 3 VMs: instances 0-1 src, 2-3 count, 4 sink. */
export function countPlan() {
  const q = new QueryBuilder("reconfiguration");
  const noop = () => ({});
  const src = q.source("src", () => ({ next: () => false, position: () => 0, seek: () => {} }), {
    parallelism: 2,
  });
  const count = q.operator("count", noop, { parallelism: 2 });
  const sink = q.sink("sink", noop);
  q.connect(src, count, "key").connect(count, sink, "forward");
  return physicalPlan(q.build(), { vms: 3 });
}
