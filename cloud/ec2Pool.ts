// The VM pool on EC2: every worker is an instance launched from an AMI that holds the
// project, started by its user data, tagged with the run, and terminated when given back or
// when the pool shuts down. Invariants: no more than `maxInstances` instances are alive or
// starting at once (checked before any AWS call); an instance this pool launched is
// terminated on every path that does not hand it out (failure, timeout, shutdown), and the
// tag `seep:run` lets `terminateRunInstances` find any that escaped: a run's id is unique
// (`uniqueRunId`: its experiment's name and a random suffix), so that cleaning up one run
// never touches another's instances. Every launch carries an idempotency token
// (ClientToken), the same on every retry of that launch, so that a retry after a lost reply
// returns the instances already launched instead of launching more that the pool would not
// know of. The worker token (and, with TLS, the workers' key) reaches AWS only inside the
// user data, and no message, error or log carries it.

import { randomBytes, randomUUID } from "node:crypto";
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  EC2Client,
  type Instance,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import { checkpointBucketSchema, checkpointPrefixSchema } from "./checkpointStore/index.js";
import { errorMessage, isInstanceNotFound, isTransientEc2Error, launchFailureMessage } from "./ec2Errors.js";
import { workerUserData } from "./ec2UserData.js";
import {
  type BackoffPolicy,
  defaultBackoffPolicy,
  type RetryEffects,
  realSleep,
  retryWithBackoff,
} from "./retry.js";
import { isPortOpen } from "./tcpProbe.js";
import { TimeoutError } from "./timeouts.js";
import type { CloudVm, VmPool } from "./vmPool.js";

/** What a run id may be: the value of the `seep:run` tag of its instances. */
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * A run id for an experiment named `name`: the name (characters a tag value here may not
 * hold replaced by '-', cut to fit) and a random suffix, so that two runs of one experiment
 * never share their instances' `seep:run` tag.
 */
export function uniqueRunId(name: string, suffix: string = randomBytes(4).toString("hex")): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  const id = `${(safe === "" ? "run" : safe).slice(0, 99 - suffix.length)}-${suffix}`;
  if (!RUN_ID_PATTERN.test(id)) throw new Error(`cannot make a run id of "${name}" and "${suffix}"`);
  return id;
}

/** The fields of the EC2 pool's options, each checked alone. */
const ec2PoolFieldsSchema = z.strictObject({
  region: z.string().min(1),
  imageId: z.string().regex(/^ami-[0-9a-f]+$/, "expected an AMI id such as ami-0123456789abcdef0"),
  instanceType: z.string().min(1).default("c5.large"),
  subnetId: z.string().min(1).optional(),
  securityGroupIds: z.array(z.string().min(1)).min(1).optional(),
  keyName: z.string().min(1).optional(),
  // One TerminateInstances call takes at most 1,000 ids.
  maxInstances: z.number().int().positive().max(1000).default(20),
  workerPort: z.number().int().min(1).max(65_535).default(7070),
  token: z.string().min(1),
  runId: z.string().regex(RUN_ID_PATTERN, "expected letters, digits, '.', '_' or '-'"),
  // Set by `seep run --tls`: the run's CA and the workers' certificate and key, as PEM.
  tls: z
    .strictObject({ caPem: z.string().min(1), certPem: z.string().min(1), keyPem: z.string().min(1) })
    .optional(),
  // Set by `seep run`: the largest message a worker takes in (messageLimits.ts).
  messageBytesMax: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
  // Set by `seep run` for a job module: its path relative to the project, which the AMI's checkout holds too.
  jobModules: z.array(z.string().min(1).max(4096)).max(16).optional(),
  readyTimeoutMs: z.number().int().positive().default(300_000),
  pollIntervalMs: z.number().int().positive().default(5_000),
  // A name, or an ARN (starting with "arn:").
  iamInstanceProfile: z.string().min(1).optional(),
  // The durable checkpoint store (checkpointStore/): a bucket, and the prefix of the keys in it.
  checkpointBucket: checkpointBucketSchema.optional(),
  checkpointPrefix: checkpointPrefixSchema.optional(),
});

/** Options of the EC2 pool; experiment files embed this schema under `cloud.ec2`. */
export const ec2PoolOptionsSchema = ec2PoolFieldsSchema.superRefine((options, context) => {
  // A prefix without a bucket would leave checkpoints on disk, unbeknown to the user.
  if (options.checkpointPrefix !== undefined && options.checkpointBucket === undefined)
    context.addIssue({
      code: "custom",
      path: ["checkpointPrefix"],
      message: "a prefix of keys in S3 needs checkpointBucket too",
    });
});

/** Options of the EC2 pool, as written (defaults not yet applied). */
export type Ec2PoolOptionsInput = z.input<typeof ec2PoolOptionsSchema>;

/** Options of the EC2 pool, validated and with defaults. */
export type Ec2PoolOptions = z.output<typeof ec2PoolOptionsSchema>;

/** The effects the pool uses besides the EC2 client; tests pass instant, deterministic ones. */
export interface Ec2PoolEffects extends Partial<RetryEffects> {
  /** Milliseconds on a monotonic-enough clock, for the ready timeout. */
  readonly now?: () => number;
  /** Whether a worker's port accepts connections (default: a real TCP connect). */
  readonly isPortOpen?: (address: string, timeoutMs: number) => Promise<boolean>;
  /** How throttled and capacity-starved calls back off. */
  readonly backoff?: BackoffPolicy;
}

/** States from which an instance never becomes ready. */
const DEAD_STATES = new Set(["shutting-down", "terminated", "stopping", "stopped"]);

/** Validates pool options into a one-line error naming the offending field (never its value). */
export function parseEc2PoolOptions(input: unknown): Ec2PoolOptions {
  const parsed = ec2PoolOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(options)"}: ${i.message}`);
  throw new Error(`invalid EC2 pool options: ${issues.join("; ")}`);
}

/** A pool of EC2 instances, each running one `seep worker`. */
export class Ec2Pool implements VmPool {
  readonly #options: Ec2PoolOptions;
  readonly #userData: string;
  readonly #client: EC2Client;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #retry: RetryEffects;
  readonly #now: () => number;
  readonly #isPortOpen: (address: string, timeoutMs: number) => Promise<boolean>;
  readonly #backoff: BackoffPolicy;
  /** Instances launched and not yet terminated. */
  readonly #live = new Set<string>();
  readonly #terminated = new Set<string>();
  /** Prewarmed instances, ready and not handed out. */
  #idle: CloudVm[] = [];
  /** Instances ready while others of their launch still boot (idle too: their leases need keeping). */
  readonly #waiting = new Map<string, CloudVm>();
  /** Instances asked for whose RunInstances has not returned. */
  #launching = 0;
  readonly #runCalls = new Set<Promise<string[]>>();
  #closed = false;
  #shutdown: Promise<void> | undefined;

  /** Validates `options`; `client` defaults to one for `options.region` with the SDK's default credentials. */
  constructor(options: Ec2PoolOptionsInput, client?: EC2Client, effects: Ec2PoolEffects = {}) {
    this.#options = parseEc2PoolOptions(options);
    this.#userData = workerUserData(this.#options);
    this.#client = client ?? new EC2Client({ region: this.#options.region });
    this.#sleep = effects.sleep ?? realSleep;
    this.#retry = { sleep: this.#sleep, random: effects.random ?? Math.random };
    this.#now = effects.now ?? Date.now;
    this.#isPortOpen = effects.isPortOpen ?? isPortOpen;
    this.#backoff = effects.backoff ?? defaultBackoffPolicy;
  }

  /** The run whose instances this pool launches (the value of their `seep:run` tag). */
  get runId(): string {
    return this.#options.runId;
  }

  /** Instances launched and not yet terminated (ready, handed out or booting). */
  get liveInstanceIds(): readonly string[] {
    return [...this.#live];
  }

  async prewarm(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new Error(`prewarm takes a count of VMs, got ${n}`);
    if (n === 0) return;
    this.#idle.push(...(await this.#launch(n)));
  }

  idle(): readonly CloudVm[] {
    return [...this.#idle, ...this.#waiting.values()];
  }

  async acquire(): Promise<CloudVm> {
    this.#assertOpen();
    const idle = this.#idle.shift();
    if (idle) return idle;
    const [vm] = await this.#launch(1);
    return vm;
  }

  async release(vm: CloudVm): Promise<void> {
    if (this.#terminated.has(vm.id)) return;
    if (!this.#live.has(vm.id))
      throw new Error(`${vm.id} is not an instance of the EC2 pool of run ${this.runId}`);
    this.#idle = this.#idle.filter((v) => v.id !== vm.id);
    try {
      await this.#terminate([vm.id]);
    } catch (error) {
      throw this.#error(`terminating instance ${vm.id} failed: ${errorMessage(error)}`, error);
    }
  }

  shutdown(): Promise<void> {
    this.#closed = true;
    this.#shutdown ??= this.#terminateAll().finally(() => {
      this.#shutdown = undefined;
    });
    return this.#shutdown;
  }

  async #terminateAll(): Promise<void> {
    // An instance whose RunInstances is still in flight would escape: wait for its id.
    await Promise.allSettled(this.#runCalls);
    this.#idle = [];
    const ids = [...this.#live];
    try {
      await this.#terminate(ids);
    } catch (error) {
      throw this.#error(
        `terminating instances ${ids.join(", ")} of run ${this.runId} failed: ${errorMessage(error)}; ` +
          `make sure with: aws ec2 terminate-instances --region ${this.#options.region} --instance-ids ${ids.join(" ")}`,
        error,
      );
    }
  }

  /** Launches `n` instances and waits until every one is ready; on any failure, terminates them all. */
  async #launch(n: number): Promise<CloudVm[]> {
    this.#assertOpen();
    const alive = this.#launching + this.#live.size;
    if (alive + n > this.#options.maxInstances) {
      throw new Error(
        `EC2 pool of run ${this.runId}: starting ${n} more instance(s) would exceed ` +
          `maxInstances=${this.#options.maxInstances} (${alive} alive or starting)`,
      );
    }
    this.#launching += n;
    const run = this.#runInstances(n);
    this.#runCalls.add(run);
    let ids: string[];
    try {
      ids = await run;
    } finally {
      this.#launching -= n;
      this.#runCalls.delete(run);
    }
    try {
      return await this.#waitReady(ids);
    } catch (cause) {
      for (const id of ids) this.#waiting.delete(id);
      const reason = `instance(s) ${ids.join(", ")} of run ${this.runId} did not become ready: ${errorMessage(cause)}`;
      // After shutdown, terminating is the shutdown's job (and its error to report).
      if (this.#closed) throw this.#error(reason, cause);
      try {
        await this.#terminate(ids.filter((id) => this.#live.has(id)));
      } catch (cleanup) {
        throw this.#error(`${reason}; terminating them failed too: ${errorMessage(cleanup)}`, cause);
      }
      throw this.#error(`${reason}; terminated them`, cause);
    }
  }

  /** RunInstances for `n` instances (all or none), retried on throttling and capacity errors; records their ids as live. */
  async #runInstances(n: number): Promise<string[]> {
    const o = this.#options;
    const profile = o.iamInstanceProfile;
    const command = new RunInstancesCommand({
      // One token per launch, kept by every retry of it (the SDK's and retryWithBackoff's).
      ClientToken: randomUUID(),
      ImageId: o.imageId,
      InstanceType: o.instanceType as RunInstancesCommand["input"]["InstanceType"],
      MinCount: n,
      MaxCount: n,
      UserData: this.#userData,
      SubnetId: o.subnetId,
      SecurityGroupIds: o.securityGroupIds,
      KeyName: o.keyName,
      IamInstanceProfile: profile
        ? profile.startsWith("arn:")
          ? { Arn: profile }
          : { Name: profile }
        : undefined,
      // A worker that powers itself off is gone for good rather than stopped and still billed for storage.
      InstanceInitiatedShutdownBehavior: "terminate",
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "seep:run", Value: o.runId },
            { Key: "seep:role", Value: "worker" },
            { Key: "Name", Value: `seep-${o.runId}` },
          ],
        },
      ],
    });
    let instances: Instance[];
    try {
      const out = await retryWithBackoff(
        () => this.#client.send(command),
        (error) => !this.#closed && isTransientEc2Error(error),
        this.#retry,
        this.#backoff,
      );
      instances = out.Instances ?? [];
    } catch (error) {
      const attempts = isTransientEc2Error(error) ? this.#backoff.attemptsMax : 1;
      throw this.#error(launchFailureMessage(error, attempts, o.instanceType, o.region), error);
    }
    const ids = instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
    for (const id of ids) this.#live.add(id);
    if (ids.length !== n) {
      await this.#terminate(ids);
      throw new Error(`EC2 returned ${ids.length} instance(s) for a request of ${n}; terminated them`);
    }
    return ids;
  }

  /** Polls until every instance is running with a private IP and its worker's port is open, or the ready timeout passes. */
  async #waitReady(ids: string[]): Promise<CloudVm[]> {
    const { pollIntervalMs, readyTimeoutMs, workerPort } = this.#options;
    const deadlineMs = this.#now() + readyTimeoutMs;
    const addresses = new Map<string, string>();
    const ready = new Set<string>();
    const states = new Map<string, string>();
    for (;;) {
      this.#assertOpen();
      const booting = ids.filter((id) => !addresses.has(id));
      if (booting.length > 0) {
        for (const instance of await this.#describe(booting)) {
          const id = instance.InstanceId ?? "";
          const state = instance.State?.Name ?? "unknown";
          states.set(id, state);
          if (DEAD_STATES.has(state)) {
            throw new Error(`${id} is ${state} (${instance.StateReason?.Message ?? "no reason given"})`);
          }
          if (state === "running" && instance.PrivateIpAddress) {
            addresses.set(id, `${instance.PrivateIpAddress}:${workerPort}`);
          }
        }
      }
      const probeTimeoutMs = Math.min(pollIntervalMs, 5_000);
      const unprobed = [...addresses].filter(([id]) => !ready.has(id));
      const open = await Promise.all(
        unprobed.map(([, address]) => this.#isPortOpen(address, probeTimeoutMs)),
      );
      unprobed.forEach(([id, address], i) => {
        if (!open[i]) return;
        ready.add(id);
        this.#waiting.set(id, { id, address });
      });
      if (ready.size === ids.length) {
        this.#assertOpen(); // a shutdown during the last probe is terminating them
        for (const id of ids) this.#waiting.delete(id);
        return ids.map((id) => ({ id, address: addresses.get(id)! }));
      }
      if (this.#now() >= deadlineMs) {
        const late = ids.filter((id) => !ready.has(id));
        const what = late.map((id) =>
          addresses.has(id)
            ? `${id} running, worker port closed`
            : `${id} ${states.get(id) ?? "not yet visible"}`,
        );
        throw new TimeoutError(`timed out after ${readyTimeoutMs} ms (${what.join("; ")})`);
      }
      await this.#sleep(pollIntervalMs);
    }
  }

  /** DescribeInstances for `ids`; instances EC2 does not show yet (just launched) are left out. */
  async #describe(ids: string[]): Promise<Instance[]> {
    let out: DescribeInstancesCommandOutput;
    try {
      out = await retryWithBackoff(
        () => this.#client.send(new DescribeInstancesCommand({ InstanceIds: ids })),
        isTransientEc2Error,
        this.#retry,
        this.#backoff,
      );
    } catch (error) {
      // EC2 is eventually consistent: a just-launched id may be unknown for a few seconds.
      if (isInstanceNotFound(error)) return [];
      throw error;
    }
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  }

  /** Terminates `ids` and forgets them; ids EC2 no longer knows count as terminated. */
  async #terminate(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    // For a single id, "not found" may only mean "launched a moment ago": retry it like throttling.
    const isTransient = ids.length === 1 ? isTransientOrNotFound : isTransientEc2Error;
    try {
      await terminateInstances(this.#client, ids, isTransient, this.#retry, this.#backoff);
    } catch (error) {
      if (!isInstanceNotFound(error)) throw error;
      // One unknown id fails the whole call: terminate them one by one; one still unknown is gone.
      if (ids.length > 1) {
        for (const id of ids) await this.#terminate([id]);
        return;
      }
    }
    for (const id of ids) {
      this.#live.delete(id);
      this.#terminated.add(id);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`the EC2 pool of run ${this.runId} is shut down`);
  }

  /** An error whose message cannot carry the worker token, whatever AWS echoed back; a timeout stays one. */
  #error(message: string, cause: unknown): Error {
    let safe = message.replaceAll(this.#options.token, "<token>");
    // The workers' key too, whole or any line of it.
    const key = this.#options.tls?.keyPem;
    if (key !== undefined)
      for (const part of [key, ...key.split("\n").filter((l) => l.length >= 16)])
        safe = safe.replaceAll(part, "<key>");
    return cause instanceof TimeoutError
      ? new TimeoutError(`${safe} (if they are only slow, raise cloud.ec2.readyTimeoutMs)`, { cause })
      : new Error(safe, { cause });
  }
}

function isTransientOrNotFound(error: unknown): boolean {
  return isTransientEc2Error(error) || isInstanceNotFound(error);
}

/** TerminateInstances for `ids`, retried on the errors `isTransient` accepts. */
async function terminateInstances(
  client: EC2Client,
  ids: string[],
  isTransient: (error: unknown) => boolean,
  effects: RetryEffects,
  backoff: BackoffPolicy,
): Promise<void> {
  await retryWithBackoff(
    () => client.send(new TerminateInstancesCommand({ InstanceIds: ids })),
    isTransient,
    effects,
    backoff,
  );
}

/**
 * Finds every instance tagged `seep:run=<runId>` that is not terminated (pending, running,
 * stopping or stopped) and terminates them: the "be sure nothing is left running" command.
 * Resolves to the ids it terminated.
 */
export async function terminateRunInstances(
  client: EC2Client,
  runId: string,
  effects: Partial<RetryEffects> = {},
  backoff: BackoffPolicy = defaultBackoffPolicy,
): Promise<string[]> {
  if (runId === "") throw new Error("terminateRunInstances needs a run id");
  const retry: RetryEffects = { sleep: effects.sleep ?? realSleep, random: effects.random ?? Math.random };
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await retryWithBackoff(
      () =>
        client.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: "tag:seep:run", Values: [runId] },
              { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
            ],
            NextToken: nextToken,
          }),
        ),
      isTransientEc2Error,
      retry,
      backoff,
    );
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  for (let at = 0; at < ids.length; at += 1000) {
    await terminateInstances(client, ids.slice(at, at + 1000), isTransientEc2Error, retry, backoff);
  }
  return ids;
}
