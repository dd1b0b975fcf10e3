// What a worker checks of a caller's request before acting on it: a deploy, a redeploy, a
// data frame, a control message. Every call that gets past the token may still carry
// anything; a worker that let a malformed one through would throw later, in a stream's
// event handler or in a scheduled task, outside any call, and die. So each check here
// throws InvalidRequest, naming the field and what is wrong, and the worker answers the
// call (or ends the stream) with INVALID_ARGUMENT and goes on serving. What is checked is
// what can be checked without running the instances: shapes, ranges, ids and edges of the
// plan; what only running can tell (a message the instance's lifecycle refuses, an
// operator failing on a value) is caught where tasks run (workerRuntime.ts).

import {
  type Batch,
  type ControlMessage,
  decodeBatch,
  FT_STRATEGIES,
  type InstanceSpec,
  KeyGroupRange,
  type LogicalPlan,
  type PhysicalPlan,
} from "../engine/index.js";
import type {
  DataFrame,
  DeployRequest,
  InstanceSpec as InstanceSpecMessage,
  RedeployRequest,
} from "./gen/seep/v1/seep.js";

/** A request that is malformed whoever sends it: answered with INVALID_ARGUMENT. */
export class InvalidRequest extends Error {
  override readonly name = "InvalidRequest";
}

/** Builds the logical plan a deploy request names. */
export type ResolvePlan = (workload: string, params: Record<string, unknown>, seed: number) => LogicalPlan;

/** Instances a deploy may name at most. */
export const INSTANCES_MAX = 100_000;
/** Tuples a source poll may produce at most. */
export const BATCH_SIZE_MAX = 10_000_000;
/** The longest source poll interval, in event-time ms (a day). */
export const SOURCE_POLL_MS_MAX = 86_400_000;
/** The fastest replay: event-time ms per wall-clock ms. */
export const REPLAY_SPEED_MAX = 1_000_000;
/** The longest timer Node keeps (longer ones fire at once). */
const TIMER_MS_MAX = 2 ** 31 - 1;

function bad(what: string): never {
  throw new InvalidRequest(what);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A deploy request, checked: the plan it builds and what the worker needs to run it. */
export interface CheckedDeploy {
  readonly plan: PhysicalPlan;
  readonly hosted: readonly number[];
  readonly addresses: ReadonlyMap<number, string>;
  readonly incarnations: ReadonlyMap<number, number>;
}

/** Check a deploy request and build its physical plan; throws InvalidRequest naming what is wrong. */
export function checkDeploy(req: DeployRequest, resolvePlan: ResolvePlan): CheckedDeploy {
  if (req.workload === "") bad("deploy: workload is empty");
  const params = paramsOf(req.paramsJson);
  let logical: LogicalPlan;
  try {
    logical = resolvePlan(req.workload, params, req.seed);
  } catch (e) {
    return bad(`deploy: workload "${clip(req.workload)}" with these params: ${message(e)}`);
  }
  if (req.instances.length === 0) bad("deploy: instances is empty");
  if (req.instances.length > INSTANCES_MAX)
    bad(`deploy: ${req.instances.length} instances, more than ${INSTANCES_MAX}`);
  const instances = req.instances.map((i) => specOf(i, logical, "deploy"));
  const ids = new Set<number>();
  for (const i of instances) {
    if (ids.has(i.id)) bad(`deploy: instance ${i.id} appears twice`);
    ids.add(i.id);
  }
  const hosted = [...new Set(req.hosted)];
  if (hosted.length !== req.hosted.length) bad("deploy: hosted names an instance twice");
  for (const id of hosted) if (!ids.has(id)) bad(`deploy: hosted instance ${id} is not among the instances`);
  checkRunOptions(req);
  return {
    plan: { logical, instances },
    hosted,
    addresses: addressesOf(req.addresses, "deploy"),
    incarnations: numberKeyed(req.incarnations),
  };
}

function checkRunOptions(req: DeployRequest): void {
  if (!Number.isInteger(req.batchSize) || req.batchSize < 1 || req.batchSize > BATCH_SIZE_MAX)
    bad(`deploy: batch_size ${req.batchSize} is not in 1..${BATCH_SIZE_MAX}`);
  if (!(req.sourcePollMs > 0 && req.sourcePollMs <= SOURCE_POLL_MS_MAX))
    bad(`deploy: source_poll_ms ${req.sourcePollMs} is not in (0, ${SOURCE_POLL_MS_MAX}]`);
  if (!(req.replaySpeed >= 0 && req.replaySpeed <= REPLAY_SPEED_MAX))
    bad(`deploy: replay_speed ${req.replaySpeed} is not in [0, ${REPLAY_SPEED_MAX}] (0: real time)`);
  const speed = req.replaySpeed > 0 ? req.replaySpeed : 1;
  if (req.sourcePollMs / speed > TIMER_MS_MAX)
    bad(
      `deploy: source_poll_ms ${req.sourcePollMs} at replay_speed ${speed} polls less than once in ${TIMER_MS_MAX} ms`,
    );
  if (!Number.isFinite(req.startEpochMs)) bad(`deploy: start_epoch_ms ${req.startEpochMs} is not finite`);
  if (req.faultTolerance !== "" && !(FT_STRATEGIES as readonly string[]).includes(req.faultTolerance))
    bad(`deploy: fault_tolerance "${clip(req.faultTolerance)}" is not one of ${FT_STRATEGIES.join(", ")}`);
}

/** The workload's parameters: empty, or a JSON object. */
function paramsOf(json: string): Record<string, unknown> {
  if (json === "") return {};
  let params: unknown;
  try {
    params = JSON.parse(json);
  } catch (e) {
    return bad(`deploy: params_json is not JSON (${message(e)})`);
  }
  if (typeof params !== "object" || params === null || Array.isArray(params))
    bad("deploy: params_json is not a JSON object");
  return params as Record<string, unknown>;
}

/** An instance spec from its proto form, checked against the logical plan. */
function specOf(i: InstanceSpecMessage, logical: LogicalPlan, call: string): InstanceSpec {
  const op = logical.operators[i.operator];
  if (op === undefined)
    bad(
      `${call}: instance ${i.id} has operator ${i.operator}, not one of the plan's ${logical.operators.length}`,
    );
  let range: KeyGroupRange;
  try {
    range = KeyGroupRange.of(i.firstKeyGroup, i.lastKeyGroup);
  } catch (e) {
    return bad(`${call}: instance ${i.id}: ${message(e)}`);
  }
  if (!range.isEmpty && range.last >= op.maxKeyGroups)
    bad(
      `${call}: instance ${i.id} owns key groups ${range}, past operator "${op.name}"'s ${op.maxKeyGroups}`,
    );
  const spec = { id: i.id, operator: i.operator, index: i.index, range, vm: i.vm };
  return i.forward === undefined ? spec : { ...spec, forward: i.forward };
}

/** Worker addresses by instance id, each host:port. */
function addressesOf(m: { [key: number]: string }, call: string): Map<number, string> {
  const addresses = numberKeyed(m);
  for (const [id, a] of addresses) {
    const match = /^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(a);
    const port = match === null ? 0 : Number(match[2]);
    if (port < 1 || port > 65_535) bad(`${call}: address of instance ${id} "${clip(a)}" is not host:port`);
  }
  return addresses;
}

/** A redeploy request, checked against the plan the worker runs. */
export interface CheckedRedeploy {
  readonly specs: readonly InstanceSpec[];
  readonly addresses: ReadonlyMap<number, string>;
  readonly incarnations: ReadonlyMap<number, number>;
  readonly fresh: readonly number[];
}

/** Check a redeploy request against `plan`; throws InvalidRequest naming what is wrong. */
export function checkRedeploy(req: RedeployRequest, plan: PhysicalPlan): CheckedRedeploy {
  if (req.instances.length > INSTANCES_MAX)
    bad(`redeploy: ${req.instances.length} instances, more than ${INSTANCES_MAX}`);
  const specs = req.instances.map((i) => specOf(i, plan.logical, "redeploy"));
  const ids = new Set(specs.map((s) => s.id));
  if (ids.size !== specs.length) bad("redeploy: an instance appears twice");
  for (const id of req.fresh)
    if (!ids.has(id)) bad(`redeploy: fresh instance ${id} is not among the instances`);
  return {
    specs,
    addresses: addressesOf(req.addresses, "redeploy"),
    incarnations: numberKeyed(req.incarnations),
    fresh: [...new Set(req.fresh)],
  };
}

/**
 * The batch of a data frame for `receiver` (an instance of `plan`), checked: it decodes,
 * comes on an input edge of the receiver's operator and has that edge's numeric fields.
 */
export function checkFrame(f: DataFrame, receiver: InstanceSpec, plan: PhysicalPlan): Batch {
  const edge = plan.logical.edges[f.edge];
  if (edge === undefined || edge.to !== receiver.operator)
    bad(`frame for instance ${f.receiver}: edge ${f.edge} is not one of its input edges`);
  let batch: Batch;
  try {
    batch = decodeBatch(f.batch);
  } catch (e) {
    return bad(`frame for instance ${f.receiver} on edge ${f.edge}: ${message(e)}`);
  }
  const fields = plan.logical.operators[edge.from].outputs[edge.fromPort]?.fields ?? 0;
  if (batch.length > 0 && batch.fields.length !== fields)
    bad(`frame on edge ${f.edge}: ${batch.fields.length} numeric fields, the edge carries ${fields}`);
  return batch;
}

/** Check a control message for `target` (an instance of `plan`): the edges, instances and rates it names. */
export function checkControl(message: ControlMessage, target: InstanceSpec, plan: PhysicalPlan): void {
  const { edges } = plan.logical;
  const what = `control "${message.type}" to instance ${target.id}`;
  const output = (edge: number) => {
    if (edges[edge]?.from !== target.operator) bad(`${what}: edge ${edge} is not one of its output edges`);
  };
  const input = (edge: number) => {
    if (edges[edge]?.to !== target.operator) bad(`${what}: edge ${edge} is not one of its input edges`);
  };
  switch (message.type) {
    case "ack":
    case "replay":
    case "replayKept":
    case "shadow":
    case "reroute":
      output(message.edge);
      break;
    case "reportCut":
    case "reopenChannel":
    case "replaceSender":
    case "addSender":
    case "marker":
      input(message.edge);
      break;
    case "shed":
      if (!(message.rate >= 0 && message.rate <= 1)) bad(`${what}: rate ${message.rate} is not in [0, 1]`);
      break;
    case "restore":
    case "rebuild": {
      if (message.type === "rebuild" && message.base !== undefined) {
        const b = message.base;
        if (
          b.operator !== target.operator ||
          (b.instance !== -1 && b.instance !== target.id) ||
          !b.range.equals(target.range)
        )
          bad(
            `${what}: its base is of instance ${b.instance} (operator ${b.operator}, key groups ${b.range}), not this instance's`,
          );
      }
      const cp = message.type === "restore" ? message.checkpoint : message.mark;
      if (cp.operator !== target.operator)
        bad(`${what}: its checkpoint is of operator ${cp.operator}, the instance's is ${target.operator}`);
      if (message.type === "restore" && cp.instance !== -1 && cp.instance !== target.id)
        bad(`${what}: its checkpoint is of instance ${cp.instance}`);
      if (message.type === "restore" && !cp.range.equals(target.range))
        bad(`${what}: its checkpoint covers key groups ${cp.range}, the instance owns ${target.range}`);
      break;
    }
    default:
      break;
  }
}

/** A request whose bytes are not a message of its type: handlers answer it with INVALID_ARGUMENT. */
export class UndecodableRequest {
  constructor(
    /** The method's path, e.g. /seep.v1.Control/Deploy. */
    readonly path: string,
    /** What the decoder said. */
    readonly reason: string,
  ) {}

  /** The one-line answer to the call. */
  get message(): string {
    return `${this.path}: the request is not a valid message (${this.reason})`;
  }
}

/**
 * The service definition `service` with decoders that never throw: a request that does not
 * decode reaches its handler as an UndecodableRequest, to be refused with INVALID_ARGUMENT
 * naming what is wrong (grpc-js would answer INTERNAL, as for a bug of the server).
 */
export function withUndecodableRequests<
  S extends Record<string, { path: string; requestDeserialize: (b: Buffer) => unknown }>,
>(service: S): S {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service)) {
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (e) {
          return new UndecodableRequest(method.path, message(e));
        }
      },
    };
  }
  return out as S;
}

/** A proto map keyed by instance id (its keys arrive as strings) as a Map. */
export function numberKeyed<V>(m: { [key: number]: V }): Map<number, V> {
  return new Map(Object.entries(m).map(([k, v]) => [Number(k), v]));
}

/** `s` cut to a length fit for an error message. */
function clip(s: string): string {
  return s.length <= 60 ? s : `${s.slice(0, 57)}...`;
}
