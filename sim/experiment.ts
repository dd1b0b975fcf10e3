// Experiments: what a simulated run is made of, as a validated value. An experiment
// names the workload and its parameters, the cluster and its VM pool, the network, the
// cost model, the fidelity knobs, the fault-tolerance strategy, the scaling policy and
// the faults. Files and presets are parsed with this schema: an unknown key or a wrong
// type is an error naming its path.

import { z } from "zod";
import {
  DEFAULT_FAULT_TOLERANCE,
  DEFAULT_SCALING_POLICY,
  FT_STRATEGIES,
  type FtStrategy,
} from "../engine/index.js";
import { faultSpecSchema } from "./faults.js";

const nonNegative = z.number().nonnegative();
const positive = z.number().positive();
const count = z.number().int().nonnegative();

const operatorCostSchema = z
  .object({
    tupleUs: nonNegative,
    batchUs: nonNegative,
    emitUs: nonNegative,
    checkpointEntryUs: nonNegative,
    restoreEntryUs: nonNegative,
    replayTupleUs: nonNegative,
  })
  .partial()
  .strict();

/** The schema of an experiment (file or preset). */
export const experimentSchema = z
  .object({
    /** Name of the run; output goes to runs/<name>-<seed> by default. */
    name: z.string().min(1).default("experiment"),
    seed: z.number().int().nonnegative().default(1),
    workload: z
      .object({
        name: z.string().min(1),
        params: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    cluster: z
      .object({
        vms: z.number().int().positive().default(4),
        cores: z.number().int().positive().default(1),
        speed: positive.default(1),
        memoryMb: positive.default(1740),
        /**
         * Sources and sinks on VMs of their own of this shape, one per source or sink
         * operator (SEEP ran them on large instances, its operators on small ones); absent:
         * every instance on the `vms` VMs.
         */
        edge: z
          .object({ cores: z.number().int().positive(), speed: positive, memoryMb: positive.default(1740) })
          .strict()
          .optional(),
        /**
         * The VMs share this many cores of one machine (local worker processes on one
         * computer): a task runs only while a core of the machine is free too, first come
         * first served across VMs. Absent: every VM's cores are its own (a cloud).
         */
        hostCores: z.number().int().positive().optional(),
      })
      .strict()
      .prefault({}),
    pool: z
      .object({
        prewarmed: count,
        minimum: count,
        handoutMs: nonNegative,
        coldStartMs: nonNegative,
        maxVms: z.number().int().positive(),
        /**
         * A deploy call: a VM that runs already (handed out, or a standby) takes instances, or
         * learns where others run (default 0: at once). A redeploy of the fault-tolerance or
         * scale-out protocol is two, one after the other (to the VM, then to every other VM),
         * and redeploys follow one another, as a real coordinator's calls do; a scale out's
         * VM taken from the pool is one.
         */
        deployMs: nonNegative,
      })
      .partial()
      .strict()
      .prefault({}),
    network: z
      .object({
        latencyMs: nonNegative,
        bandwidthMbps: positive,
        localLatencyMs: nonNegative,
        /** One-way latency of a control message to an instance (from the coordinator or another instance); default 0.5. */
        controlLatencyMs: nonNegative,
        /** One-way latency of an instance's reply to the coordinator; default 0 (at once). */
        replyLatencyMs: nonNegative,
        /** Extra latency of the first message between two VMs (opening the connection); default 0. */
        connectMs: nonNegative,
      })
      .partial()
      .strict()
      .prefault({}),
    cost: z
      .object({
        defaults: operatorCostSchema,
        operators: z.record(z.string(), operatorCostSchema),
        serializeNsPerByte: nonNegative,
        deserializeNsPerByte: nonNegative,
        stateEntryBytes: nonNegative,
        valueBytes: nonNegative,
        controlUs: nonNegative,
      })
      .partial()
      .strict()
      .prefault({}),
    fidelity: z
      .object({
        /** Most tuples a source emits per poll. */
        batchSize: z.number().int().positive().default(1024),
        /** Virtual time between polls of a source: the batch granularity. */
        sourcePollMs: positive.default(100),
        /**
         * aligned: sources poll at multiples of sourcePollMs; random: each from a seeded
         * offset in its period, as a real runtime's timers fall (round event times, such as
         * window ends, then wait half a period on average for their poll, as for real).
         */
        sourcePollPhase: z.enum(["aligned", "random"]).default("aligned"),
        /** Checkpoint entries copied per step. */
        copyChunkEntries: z.number().int().positive().default(4096),
        /** Virtual time at which event time 0 arrives. */
        eventTimeOffsetMs: nonNegative.default(0),
        /** 1: full fidelity; n > 1: sources keep 1 key in n and each tuple stands for n. */
        sampleOneIn: z.number().int().positive().default(1),
        /** Real runs only: event-time ms replayed per wall-clock ms (1: real time). */
        replaySpeed: positive.default(1),
      })
      .strict()
      .prefault({}),
    faultTolerance: z
      .object({
        /** none, rsm, upstream-backup, source-replay or global-snapshot (engine/faultTolerance/options.ts). */
        strategy: z.enum(FT_STRATEGIES as [FtStrategy, ...FtStrategy[]]).default("none"),
        /** Time between two checkpoints of every instance (rsm). */
        checkpointIntervalMs: positive.default(DEFAULT_FAULT_TOLERANCE.checkpointIntervalMs),
        /** upstream (SEEP: an upstream instance on another VM) or store (a store that survives failures). */
        backupPlacement: z.enum(["upstream", "store"]).default("upstream"),
        /** rsm: recover a failed instance onto this many new VMs at once, partitioning its checkpoint (SEEP's parallel recovery). */
        parallelRecovery: z.number().int().min(1).max(64).default(1),
        /** From a VM's failure to the coordinator's knowing of it (3 missed 500 ms heartbeats). */
        detectionMs: nonNegative.default(1500),
      })
      .strict()
      .prefault({}),
    scaling: z
      .object({
        /** none, or threshold: the bottleneck detector applies `rules` (engine/elasticity/). */
        policy: z.enum(["none", "threshold"]).default("none"),
        /** Time between two load reports. */
        reportIntervalMs: positive.default(DEFAULT_SCALING_POLICY.reportIntervalMs),
        /** Least time between two scalings of one operator. */
        cooldownMs: nonNegative.default(DEFAULT_SCALING_POLICY.cooldownMs),
        /** Scale out when a metric stays above a threshold; by default SEEP's: CPU above 70% for two 5 s reports, x2, at most 50 VMs. */
        rules: z
          .array(
            z
              .object({
                operator: z.string().min(1).nullable().default(null),
                metric: z.enum(["cpu", "capacity", "queuedTuples"]).default("cpu"),
                /** scaleOut: split an instance above the threshold; scaleIn: merge two neighbours when every instance is below it. */
                action: z.enum(["scaleOut", "scaleIn"]).default("scaleOut"),
                threshold: nonNegative,
                forMs: nonNegative,
                factor: z.number().int().min(2).default(2),
                maxVms: z.number().int().positive().default(50),
              })
              .strict(),
          )
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
          .object({ maxRate: z.number().min(0).max(1).default(0) })
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
        /** The output's latency deadline: summary.json says whether every output met it. */
        deadlineMs: positive.optional(),
        /** Scale ins at given times: instance `index + 1` of `operator` (in key-group order) merges into `index`. */
        scaleIns: z
          .array(
            z
              .object({
                operator: z.string().min(1),
                index: z.number().int().min(0).default(0),
                atMs: nonNegative,
              })
              .strict(),
          )
          .default([]),
        /** Scale outs at given times: instance `index` of `operator` is split into `factor`. */
        scaleOuts: z
          .array(
            z
              .object({
                operator: z.string().min(1),
                index: z.number().int().min(0).default(0),
                atMs: nonNegative,
                /** Instances it becomes; 1 moves it to a VM from the pool (a migration). */
                factor: z.number().int().min(1).default(2),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    faults: z.array(faultSpecSchema).default([]),
    /** Settings of real runs (`seep run`): `ec2` holds the EC2 pool's options, checked there. */
    cloud: z
      .object({ ec2: z.record(z.string(), z.unknown()).optional() })
      .strict()
      .optional(),
    /** Stop at this virtual time even if the stream has not ended. */
    untilS: positive.optional(),
    /** Bound on kernel steps: a runaway run stops with an error. */
    maxSteps: z.number().int().positive().default(1_000_000_000),
    metricsIntervalMs: positive.default(1000),
  })
  .strict();

/** A validated experiment, every default filled in. */
export type Experiment = z.infer<typeof experimentSchema>;

/** A user's mistake in an experiment: one line, naming the path in the file. */
export class ExperimentError extends Error {
  override readonly name = "ExperimentError";
}

/** Validate raw experiment data; `where` names its origin in error messages. */
export function parseExperiment(raw: unknown, where: string): Experiment {
  const r = experimentSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.length === 0 ? "(top level)" : issue.path.join(".");
  throw new ExperimentError(`${where}: ${path}: ${issue.message}`);
}
