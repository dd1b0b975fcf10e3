// The output side of an instance: one output edge per edge leaving its operator, and the
// port emitters the operator emits through. A flush sends what was emitted since the last
// one on every edge (or holds it in the buffers while paused); a restore or a rebuild
// replaces the edges with a checkpoint's, and the emitters with them.

import type { BufferedChannel, OutputPosition } from "../checkpoint.js";
import { PortEmitter } from "../instanceContext.js";
import type { OutputCut } from "../outputCut.js";
import { OutputEdge } from "../outputEdge.js";
import type { Suppressed } from "../outputSuppression.js";
import { type InstanceSpec, type PhysicalPlan, routingOf } from "../physicalPlan.js";
import type { OperatorSpec } from "../queryPlan.js";
import { underPlanRouting } from "../restoredRouting.js";
import { type RoutingState, sameReceivers } from "../router.js";
import type { InstanceHost } from "../runtime.js";

/** Where a paused instance's output stood: per channel, the last tuple transmitted. */
export type SentPosition = { edge: number; receiver: number; seq: number };

/** The output edges of one instance. */
export class Outputs {
  private edges = new Map<number, OutputEdge>();
  /** One emitter per output port, shared with the operator's context (replaced in place). */
  readonly ports: PortEmitter[];
  private readonly operator: OperatorSpec;
  private readonly id: number;
  /** True once every output stream was ended (a retiring instance). */
  private ended = false;

  constructor(
    plan: PhysicalPlan,
    spec: InstanceSpec,
    private readonly host: InstanceHost,
  ) {
    const op = plan.logical.operators[spec.operator];
    this.operator = op;
    this.id = spec.id;
    for (const edge of plan.logical.edges) {
      if (edge.from !== op.id) continue;
      const position = { edge: edge.id, routing: routingOf(plan, edge, spec), seq: 0, sentTo: [] };
      const fields = op.outputs[edge.fromPort].fields;
      const keep = host.bufferOutput ?? true;
      this.edges.set(edge.id, new OutputEdge(edge.id, edge.fromPort, spec.id, fields, position, [], keep));
    }
    this.ports = this.emitters();
  }

  private emitters(): PortEmitter[] {
    const oneIn = this.operator.kind === "source" ? (this.host.sourceSampleOneIn ?? 1) : 1;
    return this.operator.outputs.map(
      (_, port) =>
        new PortEmitter(
          [...this.edges.values()].filter((e) => e.port === port),
          oneIn,
        ),
    );
  }

  /** The output edge `edge`; throws when the operator has none. */
  get(edge: number): OutputEdge {
    const e = this.edges.get(edge);
    if (e === undefined) throw new Error(`instance ${this.id} has no output edge ${edge}`);
    return e;
  }

  /** The output edge `edge`, or undefined. */
  find(edge: number): OutputEdge | undefined {
    return this.edges.get(edge);
  }

  /** Every output edge, in the plan's order. */
  values(): IterableIterator<OutputEdge> {
    return this.edges.values();
  }

  /** True when the operator emitted something since the last flush. */
  pending(): boolean {
    for (const e of this.edges.values()) if (e.pendingTuples > 0) return true;
    return false;
  }

  /**
   * Send (or, with `hold`, buffer) what was emitted since the last flush, batches with tuples
   * stamped with `cut` when given, but what `suppressed` names.
   */
  flush(watermarkMs: number, hold: boolean, cut: OutputCut | null, suppressed: Suppressed | null): void {
    const transport = this.host.transport;
    let n = 0;
    let copied = 0;
    for (const e of this.edges.values()) {
      n += e.flush(
        transport,
        watermarkMs,
        hold,
        cut,
        suppressed === null ? null : (r) => suppressed(e.edge, r),
      );
      copied += e.takeCopied();
    }
    if (n > 0) this.host.meter.record(this.id, "emitted", n);
    if (copied > 0) this.host.meter.record(this.id, "replayedTuples", copied);
  }

  /** Drop what was emitted since the last flush. */
  discard(): void {
    for (const e of this.edges.values()) e.discard();
  }

  /**
   * Take a checkpoint's output positions and buffers (new output edges, and the operator's
   * emitters onto them). The routing is the checkpoint's unless a scale out has changed the
   * receivers since it was taken: then it is the plan's this instance was deployed with (its
   * regenerated output goes to the keys' owners now; receivers drop what they have by
   * timestamp, the new ones from the scale out's cut on).
   */
  replace(positions: readonly OutputPosition[], buffers: readonly BufferedChannel[]): void {
    const rebuilt = new Map<number, OutputEdge>();
    for (const pos of positions) {
      const old = this.get(pos.edge);
      const current = old.position().routing;
      const keep = this.host.bufferOutput ?? true;
      // A checkpoint from before a reconfiguration of the receivers routes by the plan's routing.
      const restored = sameReceivers(current, pos.routing)
        ? { position: pos, buffered: buffers }
        : underPlanRouting(pos, buffers, current, old.fieldCount);
      rebuilt.set(
        pos.edge,
        new OutputEdge(
          pos.edge,
          old.port,
          this.id,
          old.fieldCount,
          restored.position,
          restored.buffered,
          keep,
        ),
      );
    }
    this.edges = rebuilt;
    this.ports.splice(0, this.ports.length, ...this.emitters());
  }

  /** Re-send to `receiver` its tuples of `edge` after `afterSeq`. Returns the tuples sent. */
  replay(edge: number, receiver: number, afterSeq: number, watermarkMs: number): number {
    // A retired (lingering) instance's streams have ended: a replay ends them again.
    const w = this.ended ? Number.POSITIVE_INFINITY : watermarkMs;
    return this.get(edge).replay(this.host.transport, receiver, afterSeq, w);
  }

  /** Re-send to `receiver` every tuple of `edge` still buffered for it, from a resync point. */
  replayKept(edge: number, receiver: number, watermarkMs: number): number {
    // As `replay`: a retired (lingering) instance's streams have ended (a rebuilding
    // receiver would otherwise wait on this channel's watermark for ever).
    const w = this.ended ? Number.POSITIVE_INFINITY : watermarkMs;
    return this.get(edge).replayKept(this.host.transport, receiver, w);
  }

  /** Live scale out: copy what goes to `of` on `edge` to the instances taking over its keys. */
  shadow(edge: number, of: number, to: readonly number[], routing: RoutingState, afterSeq: number) {
    return this.get(edge).shadow(this.host.transport, of, to, routing, afterSeq);
  }

  /** Per output channel, the last tuple transmitted (what a pause reports). */
  transmitted(): SentPosition[] {
    return [...this.edges.values()].flatMap((e) =>
      e.transmitted().map(([receiver, seq]) => ({ edge: e.edge, receiver, seq })),
    );
  }

  /** Send what was held, then the watermark, on every edge. */
  release(watermarkMs: number): void {
    for (const e of this.edges.values()) e.release(this.host.transport, watermarkMs);
  }

  /** Send every receiver the end of the stream. */
  end(): void {
    this.ended = true;
    for (const e of this.edges.values()) e.end(this.host.transport);
  }

  /** Drop this share of what a source produces from now on (load shedding). */
  shed(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`shed rate ${rate} is not in [0, 1]`);
    for (const p of this.ports) p.shedRate = rate;
  }

  /** Tuples held in the output buffers. */
  get bufferedTuples(): number {
    let n = 0;
    for (const e of this.edges.values()) n += e.bufferedTuples;
    return n;
  }

  /** Tuples dropped by load shedding. */
  get shedTuples(): number {
    let n = 0;
    for (const p of this.ports) n += p.shed;
    return n;
  }
}
