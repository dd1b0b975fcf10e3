// What the coordinator-side protocols (recovery, scale out, scale in, migration, parallel
// recovery) need of a runtime: a clock, a way to reach instances, and a way to deploy
// fresh instances. Runtimes implement it once (the simulator's VM pool, the real runtime's
// workers); every protocol reaches the run only through it.

import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage } from "../control.js";
import type { KeyGroupRange } from "../keyGroups.js";
import type { InstanceSpec } from "../physicalPlan.js";
import type { Clock } from "../runtime.js";

/** What the coordinator-side protocols need from a runtime. */
export interface ReconfigurationLink {
  readonly clock: Clock;
  /**
   * Send `message` to instance `instance`. Behind a journal (engine/takeover/) the message
   * comes with its number among those sent to that instance id (`seq`, from 1 over the run):
   * a runtime whose control messages can be sent again (a new leader's, after a takeover)
   * passes it on so that a repeat is applied once; others may ignore it.
   */
  sendControl(instance: number, message: ControlMessage, seq?: number): void;
  /**
   * Deploy fresh instances under the ids of `specs`: on one new VM from the pool when
   * `newVm`, otherwise each on its current VM in place of its live incarnation. Calls
   * back with the specs as placed, once the instances can take control messages.
   * `superseded` (when given) is asked once the new VM is there, before anything is placed
   * on it: true when the protocol gave the deployment up meanwhile (a recovery folded into
   * a later one); then nothing is deployed, the VM is released and `onDeployed` is not called.
   */
  redeploy(
    specs: readonly InstanceSpec[],
    newVm: boolean,
    onDeployed: (placed: readonly InstanceSpec[]) => void,
    superseded?: () => boolean,
  ): void;
  /**
   * Pick a VM for a new instance of a scale out (or the moved one of a migration), taking
   * it from the pool if need be, before anything pauses; then `redeploy(specs placed on it,
   * false, ...)` deploys there. Optional: without it, a scale out takes VMs as it deploys.
   */
  reserve?(onReady: (vm: number) => void, forMigration: boolean): void;
  /**
   * Optional: a VM `reserve` handed out is not needed after all (its reconfiguration was
   * given up): the runtime releases it unless something runs there.
   */
  unreserve?(vm: number): void;
  /**
   * Optional: instances a reconfiguration deployed are not needed after all (it was given
   * up): the runtime stops them, and releases their VMs unless something else runs there.
   */
  discard?(ids: readonly number[]): void;
  /**
   * Optional: `partition` done the runtime's way (a real runtime splits the encoded bytes of
   * a checkpoint it holds undecoded); null to let the engine partition it.
   */
  partition?(cp: Checkpoint, ranges: readonly KeyGroupRange[]): Checkpoint[] | null;
  /**
   * True when `redeploy` can deploy an instance that left the plan (a lingering one, to
   * serve its receivers' replays again after its VM failed). Without it such an instance
   * is not recovered.
   */
  readonly redeploysRetired?: boolean;
}
