// `seep worker`: a worker process of the real runtime. It serves the control and data
// planes on the given address (loopback unless told otherwise), refuses calls without
// the token, announces `seep worker listening on HOST:PORT` on its first line, and runs
// until a Stop call or a signal. Workloads are resolved by name here, in the CLI layer.

import { type Command, Option } from "commander";
import { UserError } from "../errors.js";

/** Flags of `seep worker`, as parsed. */
interface WorkerFlags {
  readonly listen: string;
  readonly token?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
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
    .addOption(new Option("--token <token>", "token every call must carry (default: $SEEP_TOKEN)"))
    .addOption(
      new Option(
        "--tls-cert <file>",
        "PEM certificate: serve over TLS, with --tls-key (default: none: serve in plain text)",
      ),
    )
    .addOption(new Option("--tls-key <file>", "PEM private key of --tls-cert (default: none)"))
    .addOption(
      new Option(
        "--tls-ca <file>",
        "PEM CA of the other workers' certificates, for data streams (default: none: data streams in plain text)",
      ),
    )
    .action(runWorker);
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const token = flags.token ?? process.env.SEEP_TOKEN;
  if (token === undefined || token.length === 0)
    throw new UserError("--token is required (or set SEEP_TOKEN)");
  if (!/^[^:]+:\d+$/.test(flags.listen))
    throw new UserError(`--listen expects host:port, got '${flags.listen}'`);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new UserError("--tls-cert and --tls-key go together");
  }
  const { Worker } = await import("../../cloud/worker.js");
  const { workloadNamed } = await import("../../workloads/index.js");
  const worker = new Worker({
    listen: flags.listen,
    token,
    tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey, caFile: flags.tlsCa },
    resolvePlan: (name, params, seed) => workloadNamed(name).plan(params, seed),
    onStop: () => process.exit(0),
  });
  let port: number;
  try {
    port = await worker.start();
  } catch (e) {
    throw new UserError(`cannot listen on ${flags.listen}: ${e instanceof Error ? e.message : e}`);
  }
  const host = flags.listen.slice(0, flags.listen.lastIndexOf(":"));
  process.stdout.write(`seep worker listening on ${host}:${port}\n`);
  const stop = () => {
    worker.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
