// The input side of an instance: its channels' positions (inputChannels.ts), the canonical
// merge of several asynchronous channels (inputMerge.ts), the alignment of an operator that
// reads its inputs in step (inputAlignment.ts), and the input port each edge feeds.

import { InputChannels } from "../inputChannels.js";
import { InputMerge, type MergeSink } from "../inputMerge.js";
import { type InstanceSpec, type PhysicalPlan, sendersOf } from "../physicalPlan.js";
import { InputAlignment } from "./inputAlignment.js";

/** The input channels of one instance, and how their tuples reach the operator. */
export class Inputs {
  /** Per channel, what was received and processed, and the sender's watermark. */
  readonly channels = new InputChannels();
  /** An in-step operator's batches waiting for the other ports. */
  readonly alignment: InputAlignment;
  private mergeState: InputMerge | null = null;
  /** Input edge -> input port. */
  private readonly ports: Map<number, number>;
  private readonly inStep: boolean;
  private readonly id: number;

  constructor(plan: PhysicalPlan, spec: InstanceSpec) {
    const op = plan.logical.operators[spec.operator];
    const edges = plan.logical.edges.filter((e) => e.to === op.id);
    for (const edge of edges)
      for (const s of sendersOf(plan, edge, spec)) this.channels.expect(edge.id, s.id);
    this.ports = new Map(edges.map((e) => [e.id, e.toPort]));
    this.alignment = new InputAlignment(op.inputs);
    this.inStep = op.syncInputs === true;
    this.id = spec.id;
  }

  /** Several asynchronous channels are merged in canonical order; one is taken as it comes (null). */
  get merge(): InputMerge | null {
    if (this.mergeState === null && this.channels.count > 1 && !this.inStep)
      this.mergeState = new InputMerge();
    return this.mergeState;
  }

  /** The input port edge `edge` feeds; throws when the operator has no such input. */
  portOf(edge: number): number {
    const port = this.ports.get(edge);
    if (port === undefined) throw new Error(`instance ${this.id} has no input edge ${edge}`);
    return port;
  }

  /** Hand `sink` the merged tuples that sort before `watermarkMs`. */
  release(watermarkMs: number, sink: MergeSink): void {
    const merge = this.mergeState;
    if (merge !== null && merge.heldTuples > 0) merge.release(watermarkMs, sink);
  }

  /** Forget what the merge holds (a checkpoint was restored). */
  clear(): void {
    this.mergeState?.clear();
  }

  /** The earliest event time among a channel's tuples received but held back (Infinity: none). */
  heldTimeMs(edge: number, sender: number): number {
    const merged = this.mergeState?.minHeldTimeMs(edge, sender) ?? Number.POSITIVE_INFINITY;
    return Math.min(merged, this.alignment.minHeldTimeMs(edge, sender));
  }

  /** Tuples received but held back by the canonical merge (their turn has not come). */
  get heldTuples(): number {
    return this.mergeState?.heldTuples ?? 0;
  }

  /** Tuples that arrived older than a watermark their channel had sent. */
  get lateTuples(): number {
    return this.mergeState?.lateTuples ?? 0;
  }
}
