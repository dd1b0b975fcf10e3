// Reserving VMs for a reconfiguration before anything pauses: a cold start can take
// minutes, and nothing is to wait on the pool while the pipeline is held. A reservation
// that is given up (the runtime cannot have a VM) hands the VMs it got, and any it gets
// later, to whoever takes them instead; nothing has paused, so nothing else changes.

import type { ReconfigurationLink } from "./link.js";
import { QuietStep } from "./stepMachine.js";

/** The VMs reserved for one reconfiguration. */
export class VmReservation {
  /** The VMs reserved so far, in the order they came (empty when the link cannot reserve). */
  readonly vms: number[] = [];
  /** Set once the reservation is given up: where the VMs go instead. */
  private unused: ((vm: number) => void) | null = null;

  constructor(
    private readonly link: ReconfigurationLink,
    private readonly count: number,
    private readonly forMigration: boolean,
  ) {}

  /** Ask for the VMs; `onReady` once all are in (at once when the link cannot reserve). */
  request(onReady: () => void): void {
    if (this.link.reserve === undefined) {
      onReady();
      return;
    }
    for (let i = 0; i < this.count; i++) {
      this.link.reserve((vm) => {
        if (this.unused !== null) {
          this.unused(vm); // given up meanwhile: the VM is not needed
          return;
        }
        this.vms.push(vm);
        if (this.vms.length === this.count) onReady();
      }, this.forMigration);
    }
  }

  /** Give the reservation up: the VMs reserved so far, and any reserved later, go to `unused`. */
  giveUp(unused: (vm: number) => void): void {
    this.unused = unused;
    for (const vm of this.vms.splice(0)) unused(vm);
  }
}

/** The step that waits for a reservation's VMs (the only step a reconfiguration may be given up in). */
export class AcquiringVms extends QuietStep {
  readonly name = "acquiring";

  constructor(
    readonly reservation: VmReservation,
    private readonly then: () => void,
  ) {
    super();
  }

  enter(): void {
    this.reservation.request(this.then);
  }
}
