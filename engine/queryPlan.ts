// Query plans. A QueryBuilder produces an immutable logical plan: operators with their
// ports, and edges between ports, each edge with a routing contract. Deployment turns it
// into a physical plan (physicalPlan.ts) and then into running instances. A sink may
// declare the table its outputs are listed in (sinkTable.ts).

import type { CloneValue } from "./keyedState.js";
import { DEFAULT_MAX_KEY_GROUPS } from "./keyGroups.js";
import type {
  InstanceInfo,
  Operator,
  OperatorKind,
  OperatorOptions,
  PortSchema,
  Sink,
  Source,
} from "./operator.js";
import { ROUTING_CONTRACTS, type RoutingContract } from "./router.js";
import { type SinkTable, sinkTableProblem } from "./sinkTable.js";
import type { StateCodec } from "./stateCodec.js";

/** An operator of a logical plan. */
export interface OperatorSpec {
  /** Position in the plan's operator list. */
  readonly id: number;
  readonly name: string;
  readonly kind: OperatorKind;
  readonly parallelism: number;
  readonly maxKeyGroups: number;
  readonly inputs: number;
  readonly outputs: readonly PortSchema[];
  readonly syncInputs: boolean;
  readonly stateful: boolean;
  readonly cloneState: CloneValue<unknown> | undefined;
  /** How encoded checkpoints carry the state values (undefined: as JSON data). */
  readonly stateCodec: StateCodec<unknown> | undefined;
  /** Numbers per key when the state is kept as records (recordState.ts); undefined: as values. */
  readonly recordWidth?: number;
  /** Makes the logic of one instance. */
  readonly create: (info: InstanceInfo) => Operator | Source;
  /** A sink's table: the columns of its outputs (undefined: the fallback, and for other operators). */
  readonly table?: SinkTable<unknown>;
}

/** Options of a sink (V: its keyed state's values; T: the values it receives). */
export interface SinkOptions<V = unknown, T = unknown> extends OperatorOptions<V> {
  /** The columns its outputs are listed in, and the row of each tuple (default: `key,field,value`). */
  readonly table?: SinkTable<T>;
}

/** An edge of a logical plan: from an output port to an input port. */
export interface EdgeSpec {
  /** Position in the plan's edge list. */
  readonly id: number;
  readonly from: number;
  readonly fromPort: number;
  readonly to: number;
  readonly toPort: number;
  readonly contract: RoutingContract;
}

/** An immutable logical query plan. */
export interface LogicalPlan {
  readonly name: string;
  readonly operators: readonly OperatorSpec[];
  readonly edges: readonly EdgeSpec[];
}

/** A handle on an operator being added to a plan. */
export interface OperatorRef {
  readonly id: number;
  readonly name: string;
}

/** Builds a logical plan; `build` validates it and freezes it. */
export class QueryBuilder {
  private readonly operators: OperatorSpec[] = [];
  private readonly edges: EdgeSpec[] = [];

  constructor(readonly name: string) {}

  private add<V>(
    name: string,
    kind: OperatorKind,
    create: (info: InstanceInfo) => Operator | Source,
    o: OperatorOptions<V>,
    table?: SinkTable<unknown>,
  ): OperatorRef {
    if (this.operators.some((op) => op.name === name)) throw new Error(`operator "${name}" is defined twice`);
    const parallelism = o.parallelism ?? 1;
    const maxKeyGroups = o.maxKeyGroups ?? DEFAULT_MAX_KEY_GROUPS;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxKeyGroups) {
      throw new RangeError(`operator "${name}": parallelism ${parallelism} must be in [1, ${maxKeyGroups}]`);
    }
    const spec: OperatorSpec = {
      id: this.operators.length,
      name,
      kind,
      parallelism,
      maxKeyGroups,
      inputs: kind === "source" ? 0 : (o.inputs ?? 1),
      outputs: kind === "sink" ? [] : (o.outputs ?? [{ fields: 0 }]),
      syncInputs: o.syncInputs ?? false,
      stateful: o.stateful ?? false,
      cloneState: o.cloneState as CloneValue<unknown> | undefined,
      stateCodec: o.stateCodec as StateCodec<unknown> | undefined,
      ...(o.recordWidth === undefined ? {} : { recordWidth: o.recordWidth }),
      create,
      ...(table === undefined ? {} : { table }),
    };
    this.operators.push(spec);
    return { id: spec.id, name };
  }

  /** Add a source. */
  source<V>(
    name: string,
    create: (info: InstanceInfo) => Source<V>,
    options: OperatorOptions = {},
  ): OperatorRef {
    return this.add(name, "source", create as (info: InstanceInfo) => Source, options);
  }

  /** Add a processing operator (stateful when `options.stateful`). */
  operator<V>(
    name: string,
    create: (info: InstanceInfo) => Operator<V>,
    options: OperatorOptions<V> = {},
  ): OperatorRef {
    return this.add(name, "operator", create as (info: InstanceInfo) => Operator, options);
  }

  /** Add a sink; `options.table` names the columns of its outputs (sinkTable.ts). */
  sink<V, T = unknown>(
    name: string,
    create: (info: InstanceInfo) => Sink<V>,
    options: SinkOptions<V, T> = {},
  ): OperatorRef {
    const { table, ...rest } = options;
    if (table !== undefined) {
      const problem = sinkTableProblem(name, table);
      if (problem !== null) throw new Error(problem);
    }
    const frozen =
      table === undefined
        ? undefined
        : Object.freeze({ columns: Object.freeze([...table.columns]), row: table.row.bind(table) });
    return this.add(
      name,
      "sink",
      create as (info: InstanceInfo) => Operator,
      rest,
      frozen as SinkTable<unknown>,
    );
  }

  /** Connect an output port of `from` to an input port of `to` under a routing contract. */
  connect(
    from: OperatorRef,
    to: OperatorRef,
    contract: RoutingContract,
    ports: { fromPort?: number; toPort?: number } = {},
  ): this {
    if (!ROUTING_CONTRACTS.includes(contract)) throw new Error(`unknown routing contract "${contract}"`);
    const a = this.operators[from.id];
    const b = this.operators[to.id];
    const fromPort = ports.fromPort ?? 0;
    const toPort = ports.toPort ?? 0;
    if (fromPort < 0 || fromPort >= a.outputs.length) {
      throw new RangeError(`"${a.name}" has no output port ${fromPort}`);
    }
    if (toPort < 0 || toPort >= b.inputs) throw new RangeError(`"${b.name}" has no input port ${toPort}`);
    this.edges.push({ id: this.edges.length, from: a.id, fromPort, to: b.id, toPort, contract });
    return this;
  }

  /** The finished plan; throws if a port is left unconnected or the graph has a cycle. */
  build(): LogicalPlan {
    for (const op of this.operators) {
      for (let p = 0; p < op.inputs; p++) {
        if (!this.edges.some((e) => e.to === op.id && e.toPort === p)) {
          throw new Error(`input port ${p} of "${op.name}" is not connected`);
        }
      }
      if (op.kind !== "sink" && !this.edges.some((e) => e.from === op.id)) {
        throw new Error(`"${op.name}" has no outgoing edge`);
      }
    }
    topologicalOrder(this.operators.length, this.edges);
    return Object.freeze({
      name: this.name,
      operators: Object.freeze(this.operators.map((o) => Object.freeze({ ...o }))),
      edges: Object.freeze(this.edges.map((e) => Object.freeze({ ...e }))),
    });
  }
}

/** Operator ids in an order where every edge goes forward; throws on a cycle. */
export function topologicalOrder(operatorCount: number, edges: readonly EdgeSpec[]): number[] {
  const indegree = new Array(operatorCount).fill(0);
  for (const e of edges) indegree[e.to]++;
  const order: number[] = [];
  const ready = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of edges) if (e.from === id && --indegree[e.to] === 0) ready.push(e.to);
  }
  if (order.length !== operatorCount) throw new Error("the query plan has a cycle");
  return order;
}

/** The operator of a plan by name. */
export function operatorNamed(plan: LogicalPlan, name: string): OperatorSpec {
  const op = plan.operators.find((o) => o.name === name);
  if (op === undefined) throw new Error(`plan "${plan.name}" has no operator "${name}"`);
  return op;
}
