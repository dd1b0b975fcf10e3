// AppTracker's classifier: keyed by flow, it keeps a flow table (flow -> application
// class), as a DPI engine does, so a flow is classified on its first packet and every
// later packet reuses the verdict. Each packet leaves keyed by its application class,
// carrying its length, for the tracker. The flow table is keyed state: checkpointed,
// restored and partitioned by key groups like any other.

import type { Batch, Operator, OperatorContext } from "../../engine/index.js";
import type { AppClassifier } from "./appClassifier.js";

/** Numeric fields of a classified packet tuple (its key is the application class). */
export const CLASSIFIED_FIELDS = ["lengthBytes"] as const;

/** Classifies decoded packets keyed by flow into (application class, [lengthBytes]). */
export class FlowClassifier implements Operator<number> {
  private readonly row = new Float64Array(CLASSIFIED_FIELDS.length);

  constructor(private readonly classifier: AppClassifier) {}

  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const state = ctx.state;
    const f = batch.fields;
    const serverIps = f[0];
    const serverPorts = f[1];
    const protocols = f[2];
    const lengths = f[3];
    const row = this.row;
    for (let i = 0; i < batch.length; i++) {
      const flow = batch.keys[i];
      let app = state.get(flow);
      if (app === undefined) {
        app = this.classifier.classify(protocols[i], serverPorts[i], serverIps[i]);
        state.set(flow, app);
      }
      row[0] = lengths[i];
      ctx.emitRow(app, batch.eventTimesMs[i], row);
    }
  }
}
