// `seep worker`: a worker process of the real runtime. It serves the control and data
// planes on the given address (loopback unless told otherwise), refuses calls without
// the token, announces `seep worker listening on HOST:PORT` on its first line, and runs
// until a Stop call or a signal (SIGTERM, SIGINT, SIGHUP), or until its coordinator is
// gone: no call from it for the lease (--lease-ms), or, for a worker a local pool started,
// its coordinator's process gone (cloud/coordinatorLease.ts). With --ha (a run with a
// standby coordinator) it outlives its coordinator's process, for a standby to take over,
// and its lease is longer (SEEP_HA_LEASE_MS, else 60 s). Jobs are resolved by name here, in
// the CLI layer: the built-in ones, and those of the job modules `--job` names, loaded before
// the worker listens (a module that cannot be loaded is one line, exit 2; a worker started
// from the build registers tsx for a TypeScript one: cli/typescriptLoader.ts). The token
// comes from SEEP_TOKEN or --token-file, never the command line (cloud/workerToken.ts); with
// TLS, certificate, key and CA go together and every caller must present a certificate of
// that CA.

import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MESSAGE_BYTES_MAX, GRPC_MESSAGE_BYTES_LIMIT } from "../../cloud/messageLimits.js";
import type { Job } from "../../engine/index.js";
import { UserError } from "../errors.js";
import { parseInteger } from "../options.js";
import { ensureTypeScriptLoader, isTypeScriptModule } from "../typescriptLoader.js";

/** Flags of `seep worker`, as parsed. */
interface WorkerFlags {
  readonly listen: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly messageBytesMax: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly leaseMs?: number;
  readonly ha?: boolean;
  readonly job?: readonly string[];
}

/** Register `seep worker` on `program`. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run a worker process of the real runtime (started by `seep run`'s VM pool)")
    .summary("serve as a worker process of the real runtime")
    .addOption(
      new Option("--listen <host:port>", "address to serve on; port 0 picks a free one").default(
        "127.0.0.1:0",
      ),
    )
    // Refused with the reason (cloud/workerToken.ts), so kept out of the help.
    .addOption(new Option("--token <token>").hideHelp())
    .addOption(
      new Option(
        "--token-file <file>",
        "file holding the token every call must carry, readable by its owner only (default: $SEEP_TOKEN)",
      ),
    )
    .addOption(
      new Option(
        "--message-bytes-max <bytes>",
        "refuse messages larger than this (RESOURCE_EXHAUSTED); seep run derives it from the batch and checkpoint sizes",
      )
        .default(DEFAULT_MESSAGE_BYTES_MAX)
        .argParser((v: string) =>
          parseInteger("--message-bytes-max", v, { min: 1, max: GRPC_MESSAGE_BYTES_LIMIT }),
        ),
    )
    .addOption(
      new Option(
        "--tls-cert <file>",
        "PEM certificate: serve over TLS, and present it when calling other workers; with --tls-key " +
          "and --tls-ca (default: none: plain text)",
      ),
    )
    .addOption(new Option("--tls-key <file>", "PEM private key of --tls-cert (default: none)"))
    .addOption(
      new Option(
        "--tls-ca <file>",
        "PEM CA of the run: every caller must present a certificate it signed, and other workers' " +
          "certificates are checked against it (default: none)",
      ),
    )
    .addOption(
      new Option(
        "--lease-ms <ms>",
        "exit (code 3) after this long without a call from the coordinator; 0: never " +
          "(default: $SEEP_LEASE_MS, else 30000; with --ha, $SEEP_HA_LEASE_MS, else 60000)",
      ).argParser((v: string) => parseInteger("--lease-ms", v, { min: 0, max: 86_400_000 })),
    )
    .addOption(
      new Option(
        "--ha",
        "serve a run with a standby coordinator: outlive the coordinator's process (a standby " +
          "takes over) and give it a longer lease (default: off)",
      ),
    )
    .addOption(
      new Option(
        "--job <module>",
        "load this job module, so that runs can deploy its job by name; repeatable (default: the built-in jobs only)",
      ).argParser((v: string, previous: string[] = []) => {
        if (v === "") throw new InvalidArgumentError("expected the path of a job module");
        return [...previous, v];
      }),
    )
    .action(runWorker);
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const { TOKEN_ON_COMMAND_LINE, workerToken } = await import("../../cloud/workerToken.js");
  if (flags.token !== undefined) throw new UserError(TOKEN_ON_COMMAND_LINE);
  let token: string;
  try {
    token = workerToken(flags.tokenFile);
  } catch (e) {
    throw new UserError(e instanceof Error ? e.message : String(e));
  }
  if (!/^[^:]+:\d+$/.test(flags.listen))
    throw new UserError(`--listen expects host:port, got '${flags.listen}'`);
  const tlsGiven = [flags.tlsCert, flags.tlsKey, flags.tlsCa].filter((f) => f !== undefined).length;
  if (tlsGiven !== 0 && tlsGiven !== 3)
    throw new UserError("--tls-cert, --tls-key and --tls-ca go together (TLS with client certificates)");
  const {
    CoordinatorLease,
    COORDINATOR_PID_ENV,
    HA_LEASE_ENV,
    haLeaseMsFromEnv,
    leaseMsFromEnv,
    ORPHANED_EXIT_CODE,
    parentProbe,
  } = await import("../../cloud/coordinatorLease.js");
  const { checkTimeoutSettings, TimeoutError } = await import("../../cloud/timeouts.js");
  let leaseMs: number;
  try {
    checkTimeoutSettings(); // its control calls to peers are bounded by SEEP_RPC_TIMEOUT_MS
    leaseMs = flags.leaseMs ?? (flags.ha === true ? haLeaseMsFromEnv() : leaseMsFromEnv());
  } catch (e) {
    throw e instanceof TimeoutError ? new UserError(e.message) : e;
  }
  // Under HA the coordinator's process may die and a standby take over: not watched.
  const coordinatorPid =
    flags.ha === true ? undefined : parseCoordinatorPid(process.env[COORDINATOR_PID_ENV]);
  const { Worker } = await import("../../cloud/worker.js");
  const { jobPlan } = await import("../../engine/index.js");
  const jobs = await workerJobs(flags.job ?? []);
  const worker = new Worker({
    listen: flags.listen,
    token,
    tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey, caFile: flags.tlsCa },
    messageBytesMax: flags.messageBytesMax,
    resolvePlan: (name, params, seed) => jobPlan(jobOf(jobs, name), params, seed),
    onStop: () => process.exit(0),
    onCoordinatorCall: () => lease.renew(),
  });
  let address = flags.listen;
  const lease = new CoordinatorLease({
    leaseMs,
    parent: coordinatorPid === undefined ? undefined : parentProbe(coordinatorPid),
    leaseEnv: flags.ha === true ? HA_LEASE_ENV : undefined,
    onOrphaned: (reason) => {
      process.stderr.write(`seep: worker ${address}: ${reason}; exiting\n`);
      process.exit(ORPHANED_EXIT_CODE);
    },
  });
  let port: number;
  try {
    port = await worker.start();
  } catch (e) {
    throw new UserError(`cannot listen on ${flags.listen}: ${e instanceof Error ? e.message : e}`);
  }
  const host = flags.listen.slice(0, flags.listen.lastIndexOf(":"));
  address = `${host}:${port}`;
  process.stdout.write(`seep worker listening on ${address}\n`);
  lease.start();
  const stop = () => {
    worker.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("SIGHUP", stop);
}

/** The coordinator's pid a local pool passed (SEEP_COORDINATOR_PID); undefined when unset. */
function parseCoordinatorPid(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const pid = Number(text);
  if (!Number.isSafeInteger(pid) || pid < 1)
    throw new UserError(`SEEP_COORDINATOR_PID must be a process id, got '${text}'`);
  return pid;
}

/** The jobs a worker knows by name: the built-in ones, and those of the modules `--job` names. */
async function workerJobs(modules: readonly string[]): Promise<ReadonlyMap<string, Job>> {
  const { JobError } = await import("../../engine/index.js");
  const { BUILTIN_JOBS, loadJobModule } = await import("../../workloads/index.js");
  const jobs = new Map<string, Job>(Object.entries(BUILTIN_JOBS));
  // A worker that runs the build has no TypeScript loader until a job module needs one.
  if (modules.some(isTypeScriptModule)) await ensureTypeScriptLoader();
  for (const module of modules) {
    let job: Job;
    try {
      job = await loadJobModule(resolve(module), module);
    } catch (e) {
      throw e instanceof JobError ? new UserError(`--job: ${e.message}`) : e;
    }
    const known = jobs.get(job.name);
    if (known !== undefined && known !== job)
      throw new UserError(`--job: job module ${module}: a job named "${job.name}" is known already`);
    jobs.set(job.name, job);
  }
  return jobs;
}

/** The job named `name`, or an error a deploy reports: the jobs this worker knows. */
function jobOf(jobs: ReadonlyMap<string, Job>, name: string): Job {
  const job = jobs.get(name);
  if (job !== undefined) return job;
  throw new Error(
    `no job "${name}" on this worker (it knows: ${[...jobs.keys()].join(", ")}; a job module's job needs --job <module>)`,
  );
}
