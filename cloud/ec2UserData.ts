// The boot script of a worker VM, passed as EC2 user data: cloud-init runs it as root on
// the first boot. It assumes the AMI described in the README (Node 20 on the PATH, the
// project cloned at /opt/seep-testbed with `npm ci` done) and starts one `seep worker`.
// When the worker exits, for whatever reason (stopped by its run, or orphaned: its
// coordinator gone, its lease run out), the script powers the instance off, and the pool
// launches instances with InstanceInitiatedShutdownBehavior "terminate": no instance
// outlives its run, even when the coordinator died without terminating it.
// A run of a job module starts every worker with `--job <module>`, the module's path in the
// AMI's checkout (the same path, relative to the project, as on the coordinator's machine).
// The script carries the worker token, so it is never logged or printed. It writes the
// token (and, for a run with TLS, the run's CA and the workers' certificate and key) into
// files only root can read (umask 077, with printf, a bash builtin: no process shows them
// in its arguments) and passes their paths, never the token itself, on the command line.

/** Where the AMI holds the project. */
export const AMI_PROJECT_DIR = "/opt/seep-testbed";

/** Where the worker's stdout and stderr go on the VM. */
export const WORKER_LOG_PATH = "/var/log/seep-worker.log";

/** Where the boot script writes the token and the TLS files on the VM (mode 0700, files 0600). */
export const SECRETS_DIR = "/etc/seep";

/** The PEM material a worker needs for mutual TLS. */
export interface WorkerTlsPem {
  /** The run's CA. */
  readonly caPem: string;
  /** The workers' certificate and its key. */
  readonly certPem: string;
  readonly keyPem: string;
}

/** What the boot script needs to know. */
export interface WorkerBootOptions {
  /** The port the worker's gRPC server listens on, on every interface. */
  readonly workerPort: number;
  /** The token the coordinator presents to the worker. */
  readonly token: string;
  /** Where the project is (default AMI_PROJECT_DIR; tests run the script elsewhere). */
  readonly projectDir?: string;
  /** Where the worker's output goes (default WORKER_LOG_PATH). */
  readonly logPath?: string;
  /** Where the token and TLS files go (default SECRETS_DIR). */
  readonly secretsDir?: string;
  /** TLS material: the worker serves TLS, requires client certificates and presents its own. */
  readonly tls?: WorkerTlsPem;
  /** The largest message the worker takes in, in bytes (default: the worker's own). */
  readonly messageBytesMax?: number;
  /** Job modules the worker loads at start (`--job`), as paths relative to the project on the AMI. */
  readonly jobModules?: readonly string[];
}

/** `value` as one shell word, quoted so that no character in it is special. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** The shell script that starts the worker on boot (plain text). */
export function workerBootScript(options: WorkerBootOptions): string {
  if (!Number.isInteger(options.workerPort) || options.workerPort < 1 || options.workerPort > 65_535) {
    throw new Error(`workerPort must be an integer in 1..65535, got ${options.workerPort}`);
  }
  const bytes = options.messageBytesMax;
  if (bytes !== undefined && !(Number.isInteger(bytes) && bytes >= 1 && bytes <= 2 ** 31 - 1))
    throw new Error(`messageBytesMax must be an integer in 1..2^31-1, got ${bytes}`);
  const log = shellQuote(options.logPath ?? WORKER_LOG_PATH);
  const dir = options.secretsDir ?? SECRETS_DIR;
  const file = (name: string) => shellQuote(`${dir}/${name}`);
  const secrets: [string, string][] = [
    ["token", options.token],
    ...(options.tls === undefined
      ? []
      : ([
          ["ca.pem", options.tls.caPem],
          ["worker.pem", options.tls.certPem],
          ["worker-key.pem", options.tls.keyPem],
        ] as [string, string][])),
  ];
  const flags = [
    `--token-file ${file("token")}`,
    ...(options.tls === undefined
      ? []
      : [`--tls-cert ${file("worker.pem")} --tls-key ${file("worker-key.pem")} --tls-ca ${file("ca.pem")}`]),
    ...(options.messageBytesMax === undefined ? [] : [`--message-bytes-max ${options.messageBytesMax}`]),
    ...(options.jobModules ?? []).map((m) => `--job ${shellQuote(m)}`),
  ].join(" ");
  // The function runs in the background (&) so that cloud-init completes; cloud-init's final
  // stage does not kill the processes it leaves behind, and the trap makes it immune to a
  // hangup as nohup would. `|| status=$?` keeps set -e from skipping the shutdown when the
  // worker exits non-zero (an orphaned worker exits with 3).
  return [
    "#!/bin/bash",
    "# seep-testbed worker bootstrap (EC2 user data, run once by cloud-init as root)",
    "set -euo pipefail",
    "export HOME=/root",
    "umask 077",
    `mkdir -p ${shellQuote(dir)}`,
    ...secrets.map(([name, text]) => `printf '%s' ${shellQuote(text)} > ${file(name)}`),
    `cd ${options.projectDir === undefined ? AMI_PROJECT_DIR : shellQuote(options.projectDir)}`,
    "run_worker() {",
    "  trap '' HUP",
    "  local status=0",
    `  npx seep worker --listen 0.0.0.0:${options.workerPort} ${flags} || status=$?`,
    '  echo "seep worker exited with status $status: powering off (the instance terminates)"',
    "  shutdown -h now",
    "}",
    `run_worker >>${log} 2>&1 </dev/null &`,
    "",
  ].join("\n");
}

/** The boot script base64-encoded, as RunInstances takes user data. */
export function workerUserData(options: WorkerBootOptions): string {
  return Buffer.from(workerBootScript(options), "utf8").toString("base64");
}
