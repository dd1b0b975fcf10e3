// Where each instance of a real run lives: the worker hosting it and its incarnation.
// The coordinator keeps it; every redeploy (a recovery) places instances anew and gives
// them a new incarnation, which tags every control message sent to them from then on, so
// that a message still on its way to a replaced incarnation is dropped, not applied to
// its replacement. It runs ahead of the engine's plan: an instance is placed here when
// its replacement is being deployed, before the protocol hears it is deployed.

/** A directory as a run's record keeps it: [instance, worker] and [instance, incarnation] pairs. */
export interface DirectoryJson {
  readonly placed: readonly (readonly [number, number])[];
  readonly incarnations: readonly (readonly [number, number])[];
}

/** Workers and incarnations of a run's instances. */
export class InstanceDirectory {
  private readonly workers = new Map<number, number>();
  private readonly incarnations = new Map<number, number>();

  /** Instance `id` runs on worker `worker` (first incarnation: 1). */
  place(id: number, worker: number): void {
    this.workers.set(id, worker);
    if (!this.incarnations.has(id)) this.incarnations.set(id, 1);
  }

  /** A new incarnation of `id` is about to be deployed; returns its number. */
  renew(id: number): number {
    const n = (this.incarnations.get(id) ?? 0) + 1;
    this.incarnations.set(id, n);
    return n;
  }

  /** Instance `id` is gone for good (merged away by a scale in): it runs nowhere; its incarnation stays. */
  remove(id: number): void {
    this.workers.delete(id);
  }

  /** The worker hosting `id`, if it is known. */
  workerOf(id: number): number | undefined {
    return this.workers.get(id);
  }

  /** The live incarnation of `id` (0 when unknown: any). */
  incarnationOf(id: number): number {
    return this.incarnations.get(id) ?? 0;
  }

  /** Instances placed on `worker`, in id order. */
  hostedBy(worker: number): number[] {
    const ids: number[] = [];
    for (const [id, w] of this.workers) if (w === worker) ids.push(id);
    return ids.sort((a, b) => a - b);
  }

  /** Incarnations of `ids` (of every instance when absent), as a proto map. */
  incarnationsOf(ids?: readonly number[]): Record<number, number> {
    const out: Record<number, number> = {};
    for (const id of ids ?? this.incarnations.keys()) out[id] = this.incarnationOf(id);
    return out;
  }

  /** The directory as plain pairs (a run's durable record keeps it under HA). */
  toJson(): DirectoryJson {
    return { placed: [...this.workers], incarnations: [...this.incarnations] };
  }

  /** Take in `json` (a record's) over what is here. */
  restore(json: DirectoryJson): void {
    for (const [id, w] of json.placed) this.workers.set(id, w);
    for (const [id, n] of json.incarnations) this.incarnations.set(id, n);
  }

  /**
   * Instance `id` runs on `worker` as incarnation `incarnation` (a worker's Survey said so,
   * which a new leader believes over its record: the worker is where the instance is).
   */
  surveyed(id: number, worker: number, incarnation: number): void {
    this.workers.set(id, worker);
    this.incarnations.set(id, Math.max(incarnation, this.incarnations.get(id) ?? 0));
  }

  /** Worker addresses of `ids` (of every instance when absent), given each worker's address. */
  addressesOf(addressOf: (worker: number) => string, ids?: readonly number[]): Record<number, string> {
    const out: Record<number, string> = {};
    for (const id of ids ?? this.workers.keys()) {
      const w = this.workers.get(id);
      if (w !== undefined) out[id] = addressOf(w);
    }
    return out;
  }
}
