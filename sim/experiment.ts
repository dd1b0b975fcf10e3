// Experiments: what a simulated run is made of, as a validated value. An experiment
// names the workload and its parameters, the cluster and its VM pool, the network, the
// cost model, the fidelity knobs, the fault-tolerance strategy, the scaling policy and
// the faults. Files and presets are parsed with this schema: an unknown key, a wrong
// type or a value out of its range is an error naming its path and, for numbers, the
// range (`cluster.vms: must be an integer from 1 to 10000, got 1000000`).
//
// The ranges are what a researcher may want, not what the simulator could survive:
// times and durations up to 20 days (TIME_MS_MAX), up to 10,000 VMs (VMS_MAX), latencies
// up to a minute, speeds from 1/1000 to 1000 times a core of the calibration machine.
// A legal value may still ask for hours of work (a huge stream, a tiny poll period): the
// CLI estimates that before it runs (cli/runEstimate.ts). Checks that need the workload's
// plan (edge VMs, operator names) are in `checkExperimentPlan`.

import { z } from "zod";
import {
  DEFAULT_FAULT_TOLERANCE,
  DEFAULT_MAX_KEY_GROUPS,
  DEFAULT_SCALING_POLICY,
  describeIssue,
  FT_STRATEGIES,
  type FtStrategy,
  integerIn,
  type LogicalPlan,
  numberIn,
} from "../engine/index.js";
import { faultSpecSchema, TIME_MS_MAX } from "./faults.js";
import { defaultVmPoolOptions } from "./vmPool.js";

export { TIME_MS_MAX };

/** Most VMs a run may have: the initial cluster, the pool's bound, a scaling rule's bound. */
export const VMS_MAX = 10_000;

/**
 * From the coordinator's crash to a new leader's taking over, by default, in ms: what the
 * real runtime takes with its defaults. Measured with `seep bench --only takeover-real`
 * (word count on 4 local workers, rsm, SEEP_ZK_SESSION_MS at its default 10 s): from the
 * leader's SIGKILL to the new leader's first control call, median 10,096 ms over 10 kills
 * (highest 10,459): 9,839 ms to the election (the session's expiry) and 263 ms to read the
 * record, journal and output snapshot. With SEEP_ZK_SESSION_MS=2000, 2,302 ms. Set it to
 * the session timeout of the ZooKeeper setup being modelled, plus about 300 ms.
 */
export const DEFAULT_COORDINATOR_TAKEOVER_MS = 10_100;
/** Longest latency of a link, a control message, a reply or a connection: a minute. */
const LATENCY_MS_MAX = 60_000;
/** Longest wait for the pool's VMs (a cold start, a hand-out) or a failure's detection: a day. */
const WAIT_MS_MAX = 86_400_000;
/** Entries of the lists of an experiment: scheduled scale outs and scale ins, rules. */
const SCHEDULE_ENTRIES_MAX = 1_000;
/** Faults of one experiment. */
const FAULTS_MAX = 10_000;
/** Cores of one VM or one host. */
const CORES_MAX = 1_024;
/** Memory of one VM: 1 TiB. */
const MEMORY_MB_MAX = 1_048_576;
/** A VM's speed, relative to one core of the machine the cost model was measured on. */
const SPEED_MIN = 0.001;
const SPEED_MAX = 1_000;
/** Largest byte count of the cost model (state entries, values): 1 GiB. */
const BYTES_MAX = 2 ** 30;

const timeMs = numberIn(0, TIME_MS_MAX);
const latencyMs = numberIn(0, LATENCY_MS_MAX);
const waitMs = numberIn(0, WAIT_MS_MAX);
/** A CPU charge of the cost model: up to a second (per-byte charges: up to a millisecond). */
const chargeUs = numberIn(0, 1_000_000);
const vmCount = integerIn(0, VMS_MAX);
const speed = numberIn(SPEED_MIN, SPEED_MAX);
const memoryMb = numberIn(1, MEMORY_MB_MAX);
/** An operator's name in a plan. */
const operatorName = z.string().min(1).max(200);
/** An instance's index within its operator, in key-group order. */
const instanceIndex = integerIn(0, DEFAULT_MAX_KEY_GROUPS - 1);

const operatorCostSchema = z
  .object({
    tupleUs: chargeUs,
    batchUs: chargeUs,
    emitUs: chargeUs,
    checkpointEntryUs: chargeUs,
    restoreEntryUs: chargeUs,
    replayTupleUs: chargeUs,
  })
  .partial()
  .strict();

/** A job module's file name without its directory and ending: the job's name until the module is loaded. */
export function moduleStem(path: string): string {
  const file = path.split(/[/\\]/).at(-1) ?? path;
  return file.replace(/\.[^.]*$/, "") || "job";
}

/** The schema of an experiment (file or preset). */
export const experimentSchema = z
  .object({
    /** Name of the run; output goes under runs/<name>/ by default, so no path separators. */
    name: z
      .string()
      .min(1)
      .max(200)
      .refine((n) => !/[/\\]/.test(n) && ![...n].some((c) => c < " ") && n !== "." && n !== "..", {
        error: "must not contain '/', '\\' or control characters (it names the run's directory)",
      })
      .default("experiment"),
    /** Seed of every random choice of the run: an integer from 0 to 2^53 - 1. */
    seed: integerIn(0, Number.MAX_SAFE_INTEGER).default(1),
    /**
     * The job: a built-in one by `name` (wordcount, lrb, packets), or a job module by
     * `module`, a path relative to the experiment file (the CLI loads it and fills in
     * `name` with its job's name); `params` are the job's parameters.
     */
    workload: z
      .object({
        name: z.string().min(1).max(200).optional(),
        module: z.string().min(1).max(4096).optional(),
        params: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .refine((w) => w.name !== undefined || w.module !== undefined, {
        error:
          "names no job: give name (a built-in job: wordcount, lrb, packets) or module (a job module's path)",
      })
      .transform(({ name, module, params }) => ({
        name: name ?? moduleStem(module ?? ""),
        ...(module === undefined ? {} : { module }),
        params,
      })),
    cluster: z
      .object({
        /** VMs of the cluster at the start, 1 to 10,000 (and at most `pool.maxVms`). */
        vms: integerIn(1, VMS_MAX).default(4),
        /** Cores per VM, 1 to 1024. */
        cores: integerIn(1, CORES_MAX).default(1),
        /** Speed per core, 0.001 to 1000 (1: one core of the machine the costs were measured on). */
        speed: speed.default(1),
        /** Memory per VM, 1 MB to 1 TiB. */
        memoryMb: memoryMb.default(1740),
        /**
         * Sources and sinks on VMs of their own of this shape, one per source or sink
         * operator (SEEP ran them on large instances, its operators on small ones); absent:
         * every instance on the `vms` VMs.
         */
        edge: z
          .object({ cores: integerIn(1, CORES_MAX), speed, memoryMb: memoryMb.default(1740) })
          .strict()
          .optional(),
        /**
         * The VMs share this many cores of one machine (local worker processes on one
         * computer): a task runs only while a core of the machine is free too, first come
         * first served across VMs. Absent: every VM's cores are its own (a cloud).
         */
        hostCores: integerIn(1, CORES_MAX).optional(),
      })
      .strict()
      .prefault({}),
    pool: z
      .object({
        /** VMs in the pool at the start, 0 to 10,000 (default 2; at most maxVms). */
        prewarmed: vmCount,
        /** The pool refills below this many, 0 to 10,000 (default 1; at most maxVms). */
        minimum: vmCount,
        /** Handing out a pooled VM, 0 to a day (default 5 s). */
        handoutMs: waitMs,
        /** A VM started on demand, 0 to a day (default 100 s). */
        coldStartMs: waitMs,
        /** Bound on the VMs alive at once, 1 to 10,000 (default 100). */
        maxVms: integerIn(1, VMS_MAX),
        /**
         * A deploy call: a VM that runs already (handed out, or a standby) takes instances, or
         * learns where others run (default 0: at once; at most a minute). A redeploy of the
         * fault-tolerance or scale-out protocol is two, one after the other (to the VM, then
         * to every other VM), and redeploys follow one another, as a real coordinator's calls
         * do; a scale out's VM taken from the pool is one.
         */
        deployMs: latencyMs,
      })
      .partial()
      .strict()
      .prefault({}),
    network: z
      .object({
        /** One-way latency between two VMs, 0 to a minute. */
        latencyMs,
        /** Bandwidth of a link, 0.001 to 1,000,000 Mbps. */
        bandwidthMbps: numberIn(0.001, 1_000_000),
        /** Latency between two instances on one VM, 0 to a minute. */
        localLatencyMs: latencyMs,
        /** One-way latency of a control message to an instance (from the coordinator or another instance); default 0.5. */
        controlLatencyMs: latencyMs,
        /** One-way latency of an instance's reply to the coordinator; default 0 (at once). */
        replyLatencyMs: latencyMs,
        /** Extra latency of the first message between two VMs (opening the connection); default 0. */
        connectMs: latencyMs,
      })
      .partial()
      .strict()
      .prefault({}),
    /** CPU charges up to a second each, per-byte charges up to a millisecond, sizes up to 1 GiB. */
    cost: z
      .object({
        defaults: operatorCostSchema,
        operators: z.record(operatorName, operatorCostSchema),
        serializeNsPerByte: chargeUs,
        deserializeNsPerByte: chargeUs,
        stateEntryBytes: numberIn(0, BYTES_MAX),
        valueBytes: numberIn(0, BYTES_MAX),
        controlUs: numberIn(0, 10_000_000),
      })
      .partial()
      .strict()
      .prefault({}),
    fidelity: z
      .object({
        /** Most tuples a source emits per poll, 1 to 2^20. */
        batchSize: integerIn(1, 2 ** 20).default(1024),
        /** Virtual time between polls of a source: the batch granularity, 0.001 ms to an hour. */
        sourcePollMs: numberIn(0.001, 3_600_000).default(100),
        /**
         * aligned: sources poll at multiples of sourcePollMs; random: each from a seeded
         * offset in its period, as a real runtime's timers fall (round event times, such as
         * window ends, then wait half a period on average for their poll, as for real).
         */
        sourcePollPhase: z.enum(["aligned", "random"]).default("aligned"),
        /** Checkpoint entries copied per step, 1 to 2^30. */
        copyChunkEntries: integerIn(1, 2 ** 30).default(4096),
        /** Virtual time at which event time 0 arrives, 0 to 20 days. */
        eventTimeOffsetMs: timeMs.default(0),
        /** 1: full fidelity; n > 1 (up to 1,000,000): sources keep 1 key in n and each tuple stands for n. */
        sampleOneIn: integerIn(1, 1_000_000).default(1),
        /** Real runs only: event-time ms replayed per wall-clock ms (1: real time), 0.001 to 1000. */
        replaySpeed: numberIn(0.001, 1_000).default(1),
      })
      .strict()
      .prefault({}),
    faultTolerance: z
      .object({
        /** none, rsm, upstream-backup, source-replay or global-snapshot (engine/faultTolerance/options.ts). */
        strategy: z.enum(FT_STRATEGIES as [FtStrategy, ...FtStrategy[]]).default("none"),
        /** Time between two checkpoints of every instance (rsm), 1 ms to 20 days. */
        checkpointIntervalMs: numberIn(1, TIME_MS_MAX).default(DEFAULT_FAULT_TOLERANCE.checkpointIntervalMs),
        /** upstream (SEEP: an upstream instance on another VM) or store (a store that survives failures). */
        backupPlacement: z.enum(["upstream", "store"]).default("upstream"),
        /** rsm: recover a failed instance onto this many new VMs at once, partitioning its checkpoint (SEEP's parallel recovery). */
        parallelRecovery: integerIn(1, 64).default(1),
        /** From a VM's failure to the coordinator's knowing of it (3 missed 500 ms heartbeats), 0 to a day. */
        detectionMs: waitMs.default(1500),
        /**
         * From the coordinator's crash to a new leader's taking over (its ZooKeeper session
         * expiring, a standby's election, reading the record), 0 to a day.
         */
        coordinatorTakeoverMs: waitMs.default(DEFAULT_COORDINATOR_TAKEOVER_MS),
      })
      .strict()
      .prefault({}),
    scaling: z
      .object({
        /** none, or threshold: the bottleneck detector applies `rules` (engine/elasticity/). */
        policy: z.enum(["none", "threshold"]).default("none"),
        /** Time between two load reports, 1 ms to a day. */
        reportIntervalMs: numberIn(1, WAIT_MS_MAX).default(DEFAULT_SCALING_POLICY.reportIntervalMs),
        /** Least time between two scalings of one operator, 0 to 20 days. */
        cooldownMs: timeMs.default(DEFAULT_SCALING_POLICY.cooldownMs),
        /** Scale out when a metric stays above a threshold; by default SEEP's: CPU above 70% for two 5 s reports, x2, at most 50 VMs. */
        rules: z
          .array(
            z
              .object({
                operator: operatorName.nullable().default(null),
                metric: z.enum(["cpu", "capacity", "queuedTuples"]).default("cpu"),
                /** scaleOut: split an instance above the threshold; scaleIn: merge two neighbours when every instance is below it. */
                action: z.enum(["scaleOut", "scaleIn"]).default("scaleOut"),
                /** cpu and capacity are shares (1: all); queuedTuples a count, up to 10^12. */
                threshold: numberIn(0, 1e12),
                forMs: timeMs,
                /** Instances a split makes, 2 to 64. */
                factor: integerIn(2, 64).default(2),
                /** The rule's bound on VMs in use, 1 to 10,000. */
                maxVms: integerIn(1, VMS_MAX).default(50),
              })
              .strict(),
          )
          .max(SCHEDULE_ENTRIES_MAX)
          .default(
            DEFAULT_SCALING_POLICY.rules
              .filter((r) => r.action === "scaleOut")
              .map((r) => ({ ...r, action: "scaleOut" as const })),
          ),
        /**
         * Load shedding (ETRI): when a scale out is blocked (no more VMs), the sources drop up
         * to `maxRate` of their tuples (0: never shed; an overloaded run misses its deadline).
         */
        shedding: z
          .object({ maxRate: numberIn(0, 1).default(0) })
          .strict()
          .prefault({}),
        /**
         * Where a scale out's new instances go: loadAware (the least loaded VM in use whose
         * instances used under half its cores in the last report, else a VM from the pool)
         * or pool (always a VM from the pool). A migration always takes a VM from the pool.
         */
        placement: z.enum(["loadAware", "pool"]).default("loadAware"),
        /**
         * How a scale out moves state: pause (the upstreams hold their output while X is
         * checkpointed, its parts transferred and restored) or live (the parts are restored
         * from a checkpoint X takes while it runs and catch up from the upstreams' buffers;
         * only the hand-over pauses; strategy none only).
         */
        stateTransfer: z.enum(["pause", "live"]).default("pause"),
        /** The output's latency deadline, above 0 and at most 20 days: summary.json says whether every output met it. */
        deadlineMs: numberIn(0, TIME_MS_MAX, { aboveMin: true }).optional(),
        /** Scale ins at given times: instance `index + 1` of `operator` (in key-group order) merges into `index`. */
        scaleIns: z
          .array(
            z
              .object({
                operator: operatorName,
                index: instanceIndex.default(0),
                atMs: timeMs,
              })
              .strict(),
          )
          .max(SCHEDULE_ENTRIES_MAX)
          .default([]),
        /** Scale outs at given times: instance `index` of `operator` is split into `factor`. */
        scaleOuts: z
          .array(
            z
              .object({
                operator: operatorName,
                index: instanceIndex.default(0),
                atMs: timeMs,
                /** Instances it becomes, 1 to 64; 1 moves it to a VM from the pool (a migration). */
                factor: integerIn(1, 64).default(2),
              })
              .strict(),
          )
          .max(SCHEDULE_ENTRIES_MAX)
          .default([]),
      })
      .strict()
      .prefault({}),
    faults: z.array(faultSpecSchema).max(FAULTS_MAX).default([]),
    /** Settings of real runs (`seep run`): `ec2` holds the EC2 pool's options, checked there. */
    cloud: z
      .object({ ec2: z.record(z.string(), z.unknown()).optional() })
      .strict()
      .optional(),
    /** Stop at this virtual time even if the stream has not ended: above 0 and at most 20 days, in s. */
    untilS: numberIn(0, TIME_MS_MAX / 1000, { aboveMin: true }).optional(),
    /** Bound on kernel steps, 1 to 10^12: a runaway run stops with an error. */
    maxSteps: integerIn(1, 1e12).default(1_000_000_000),
    /** Time between two rows of metrics.csv, 1 ms to a day. */
    metricsIntervalMs: numberIn(1, WAIT_MS_MAX).default(1000),
  })
  .strict()
  .superRefine(checkVmBounds);

/** A validated experiment, every default filled in. */
export type Experiment = z.infer<typeof experimentSchema>;

/** A user's mistake in an experiment: one line, naming the path in the file. */
export class ExperimentError extends Error {
  override readonly name = "ExperimentError";
}

/** Validate raw experiment data; `where` names its origin in error messages. */
export function parseExperiment(raw: unknown, where: string): Experiment {
  const r = experimentSchema.safeParse(withoutSchemaKey(raw), { reportInput: true });
  if (r.success) return r.data;
  throw new ExperimentError(`${where}: ${describeIssue(r.error.issues[0], "(top level)")}`);
}

/** `raw` without a top-level `$schema` string: a file naming its JSON Schema for editors (experimentJsonSchema.ts). */
function withoutSchemaKey(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || !Object.hasOwn(raw, "$schema"))
    return raw;
  const { $schema, ...rest } = raw as Record<string, unknown>;
  return typeof $schema === "string" ? rest : raw;
}

/** What the pool's options come to, the simulator's defaults filled in. */
function poolBounds(pool: { prewarmed?: number; minimum?: number; maxVms?: number }) {
  const d = defaultVmPoolOptions;
  const given = (v: number | undefined, fallback: number) =>
    v === undefined ? `${fallback}, the default` : String(v);
  return {
    prewarmed: pool.prewarmed ?? d.prewarmed,
    minimum: pool.minimum ?? d.minimum,
    maxVms: pool.maxVms ?? d.maxVms,
    maxVmsText: given(pool.maxVms, d.maxVms),
  };
}

/** The VM counts that must fit within `pool.maxVms`: the cluster, the prewarmed VMs, the minimum. */
function checkVmBounds(
  e: { cluster: { vms: number }; pool: { prewarmed?: number; minimum?: number; maxVms?: number } },
  ctx: z.RefinementCtx,
): void {
  const pool = poolBounds(e.pool);
  const over = (path: (string | number)[], what: string, n: number) =>
    ctx.addIssue({
      code: "custom",
      path,
      input: n,
      message: `${what} (${n}) must be at most pool.maxVms (${pool.maxVmsText}); raise pool.maxVms (up to ${VMS_MAX}) for more`,
    });
  if (e.cluster.vms > pool.maxVms) over(["cluster", "vms"], "the cluster's VMs", e.cluster.vms);
  if (pool.prewarmed > pool.maxVms) over(["pool", "prewarmed"], "the prewarmed VMs", pool.prewarmed);
  if (pool.minimum > pool.maxVms) over(["pool", "minimum"], "the pool's minimum", pool.minimum);
}

/**
 * What a valid experiment must also satisfy with its workload's plan: its VMs (the
 * cluster's and an edge VM per source and sink operator) fit within `pool.maxVms`, and the
 * operators its scaling names exist. Throws an ExperimentError naming the path.
 */
export function checkExperimentPlan(e: Experiment, plan: LogicalPlan, where: string): void {
  const pool = poolBounds(e.pool);
  const edgeVms =
    e.cluster.edge === undefined ? 0 : plan.operators.filter((o) => o.kind !== "operator").length;
  if (e.cluster.vms + edgeVms > pool.maxVms) {
    throw new ExperimentError(
      `${where}: cluster.edge: the cluster's ${e.cluster.vms} VMs and ${edgeVms} edge VMs (one per source and ` +
        `sink) must be at most pool.maxVms (${pool.maxVmsText}); raise pool.maxVms (up to ${VMS_MAX}) for more`,
    );
  }
  const names = plan.operators.map((o) => o.name);
  const named = (path: string, operator: string | null) => {
    if (operator !== null && !names.includes(operator))
      throw new ExperimentError(
        `${where}: ${path}: no operator ${JSON.stringify(operator)} in workload "${e.workload.name}" (operators: ${names.join(", ")})`,
      );
  };
  for (const [i, s] of e.scaling.scaleOuts.entries()) named(`scaling.scaleOuts.${i}.operator`, s.operator);
  for (const [i, s] of e.scaling.scaleIns.entries()) named(`scaling.scaleIns.${i}.operator`, s.operator);
  for (const [i, r] of e.scaling.rules.entries()) named(`scaling.rules.${i}.operator`, r.operator);
}
