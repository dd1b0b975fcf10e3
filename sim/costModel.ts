// The cost model: how much simulated CPU time the engine's work takes. Instances report
// work units through the runtime boundary (engine WorkMeter: tuples, batches, emitted
// tuples, checkpoint and restore entries, replayed tuples); the simulator turns them into
// CPU time here, divided by the speed of the VM that does the work. Bytes crossing VMs
// cost serialization at the sender and deserialization at the receiver.
//
// Defaults are CPU microseconds on one core of the machines this project is developed on
// (speed factor 1), measured by `npm run bench -- --only calibrate`, which prints each
// measured figure next to the default here. Figures from a run on 2026-11-22 (medians):
//   tupleUs            0.106  keyed count, per tuple received and processed
//   emitUs             0.214  per tuple emitted (routing, timestamp, builder, buffer, send)
//   batchUs            0.89   per input batch (dedup, dispatch, watermark, flush)
//   checkpointEntryUs  0.139  per state entry copied into a checkpoint
//   restoreEntryUs     0.095  per state entry installed by a restore
//   serializeNsPerByte 0.099  batch codec, per byte, each way
// (replayTupleUs is taken equal to emitUs: a replay re-sends buffered batches.)
// Real operators cost more than a counter: experiments override `tupleUs` per operator
// (Linear Road's operators, for instance, are calibrated with that workload).

import type { WorkKind } from "../engine/index.js";

/** CPU microseconds of one operator's units of work, at speed 1. */
export interface OperatorCost {
  /** Per input tuple processed by the operator (for a source: per tuple produced). */
  readonly tupleUs: number;
  /** Per input batch handled. */
  readonly batchUs: number;
  /** Per tuple emitted. */
  readonly emitUs: number;
  /** Per state entry copied into a checkpoint. */
  readonly checkpointEntryUs: number;
  /** Per state entry installed by a restore. */
  readonly restoreEntryUs: number;
  /** Per tuple re-sent from an output buffer. */
  readonly replayTupleUs: number;
}

/** The whole cost model of a run. */
export interface CostModel {
  readonly defaults: OperatorCost;
  /** Overrides per operator name. */
  readonly operators: Readonly<Record<string, Partial<OperatorCost>>>;
  /** Serialization of a batch at the sender, per byte, when it crosses VMs. */
  readonly serializeNsPerByte: number;
  /** Deserialization at the receiver, per byte. */
  readonly deserializeNsPerByte: number;
  /** Bytes a state entry takes when a checkpoint is serialized (backups, transfers). */
  readonly stateEntryBytes: number;
  /** Bytes of a tuple's payload value on the wire, when its port carries values. */
  readonly valueBytes: number;
  /** Handling one control message. */
  readonly controlUs: number;
}

/** Defaults measured on these machines (see the file header). */
export const DEFAULT_COST_MODEL: CostModel = {
  defaults: {
    tupleUs: 0.1,
    batchUs: 0.9,
    emitUs: 0.2,
    checkpointEntryUs: 0.14,
    restoreEntryUs: 0.1,
    replayTupleUs: 0.2,
  },
  operators: {},
  serializeNsPerByte: 0.1,
  deserializeNsPerByte: 0.1,
  stateEntryBytes: 32,
  valueBytes: 16,
  controlUs: 5,
};

/** A cost model with some fields overridden. */
export function costModel(
  overrides: Partial<Omit<CostModel, "defaults">> & { defaults?: Partial<OperatorCost> } = {},
): CostModel {
  return {
    ...DEFAULT_COST_MODEL,
    ...overrides,
    defaults: { ...DEFAULT_COST_MODEL.defaults, ...overrides.defaults },
    operators: { ...overrides.operators },
  };
}

/** Per-operator costs resolved once, indexed by work kind, for the hot path. */
export class OperatorCosts {
  private readonly perUnitUs: Record<WorkKind, number>;

  constructor(model: CostModel, operatorName: string) {
    const c = { ...model.defaults, ...model.operators[operatorName] };
    this.perUnitUs = {
      tuples: c.tupleUs,
      batches: c.batchUs,
      emitted: c.emitUs,
      checkpointEntries: c.checkpointEntryUs,
      restoreEntries: c.restoreEntryUs,
      replayedTuples: c.replayTupleUs,
    };
  }

  /** CPU microseconds of `units` of `kind`, at speed 1. */
  us(kind: WorkKind, units: number): number {
    return this.perUnitUs[kind] * units;
  }
}
