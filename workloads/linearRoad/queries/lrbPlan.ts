// Linear Road as one engine query plan: records -> cars (by VID) -> segments (by
// expressway and direction) -> accounts (by VID) -> answers. Every stateful operator's
// state is keyed, so each can be partitioned by key groups and scaled out. The answers
// sink's table (../answerTable.ts) lists the answers' fields in outputs.csv.

import type { Batch, LogicalPlan, Operator } from "../../../engine/index.js";
import { QueryBuilder } from "../../../engine/index.js";
import { answerTable } from "../answerTable.js";
import { LR_FIELDS } from "../schema.js";
import { Accounts, cloneAccount } from "./accounts.js";
import { Cars, CarsPort, cloneCarState, type TollLookup } from "./cars.js";
import { ACCOUNT_EVENT_FIELDS, SEGMENT_EVENT_FIELDS } from "./events.js";
import { type OpenRecords, RecordSource, type RecordStream, SampledRecordSource } from "./recordSource.js";
import { cloneXwayDirState, Segments, SegmentsPort } from "./segments.js";

/** How the Linear Road plan is built. */
export interface LrbPlanOptions {
  /** Opens the record stream (again, when a source is restored). */
  readonly records: () => RecordStream;
  /**
   * Opens the stream of a 1-in-n sample of cars, when the stream can make it itself (the
   * generator): a simulation at reduced fidelity then simulates only the kept cars.
   */
  readonly sampledRecords?: OpenRecords;
  /** The historical tolls, for daily expenditure queries. */
  readonly tolls: TollLookup;
  readonly carsParallelism?: number;
  readonly segmentsParallelism?: number;
  readonly accountsParallelism?: number;
  /** Receives every answer, when given (tests, the in-process runtime). */
  readonly collect?: (answer: unknown, eventTimeMs: number) => void;
}

/** A sink that hands every answer to `collect`. */
class AnswerSink implements Operator {
  constructor(private readonly collect?: (answer: unknown, eventTimeMs: number) => void) {}
  onBatch(batch: Batch): void {
    const c = this.collect;
    if (c === undefined) return;
    for (let i = 0; i < batch.length; i++) c(batch.values?.[i], batch.eventTimesMs[i]);
  }
}

/** The Linear Road plan. */
export function lrbPlan(o: LrbPlanOptions): LogicalPlan {
  const q = new QueryBuilder("lrb");
  const sampled = o.sampledRecords;
  const makeSource = () =>
    sampled === undefined ? new RecordSource(() => o.records()) : new SampledRecordSource(sampled);
  const records = q.source("records", makeSource, {
    outputs: [{ fields: LR_FIELDS.length }],
  });
  const cars = q.operator("cars", () => new Cars(o.tolls), {
    stateful: true,
    parallelism: o.carsParallelism ?? 1,
    cloneState: cloneCarState,
    outputs: [{ fields: SEGMENT_EVENT_FIELDS }, { fields: ACCOUNT_EVENT_FIELDS }, { fields: 0 }],
  });
  const segments = q.operator("segments", () => new Segments(), {
    stateful: true,
    parallelism: o.segmentsParallelism ?? 1,
    cloneState: cloneXwayDirState,
    inputs: 1,
    outputs: [{ fields: 0 }, { fields: ACCOUNT_EVENT_FIELDS }],
  });
  const accounts = q.operator("accounts", () => new Accounts(), {
    stateful: true,
    parallelism: o.accountsParallelism ?? 1,
    cloneState: cloneAccount,
  });
  const sink = q.sink("answers", () => new AnswerSink(o.collect), { table: answerTable() });
  q.connect(records, cars, "key")
    .connect(cars, segments, "key", { fromPort: CarsPort.segments })
    .connect(cars, accounts, "key", { fromPort: CarsPort.accounts })
    .connect(cars, sink, "roundRobin", { fromPort: CarsPort.answers })
    .connect(segments, sink, "roundRobin", { fromPort: SegmentsPort.answers })
    .connect(segments, accounts, "key", { fromPort: SegmentsPort.accounts })
    .connect(accounts, sink, "roundRobin");
  return q.build();
}
