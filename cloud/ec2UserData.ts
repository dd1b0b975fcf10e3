// The boot script of a worker VM, passed as EC2 user data: cloud-init runs it as root on
// the first boot. It assumes the AMI described in the README (Node 20 on the PATH, the
// project cloned at /opt/seep-testbed with `npm ci` done) and starts one `seep worker`.
// The script carries the worker token, so it is never logged or printed.

/** Where the AMI holds the project. */
export const AMI_PROJECT_DIR = "/opt/seep-testbed";

/** Where the worker's stdout and stderr go on the VM. */
export const WORKER_LOG_PATH = "/var/log/seep-worker.log";

/** What the boot script needs to know. */
export interface WorkerBootOptions {
  /** The port the worker's gRPC server listens on, on every interface. */
  readonly workerPort: number;
  /** The token the coordinator presents to the worker. */
  readonly token: string;
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
  // nohup and & detach the worker from the script, so that cloud-init completes; cloud-init's
  // final stage does not kill the processes it leaves behind.
  return [
    "#!/bin/bash",
    "# seep-testbed worker bootstrap (EC2 user data, run once by cloud-init as root)",
    "set -euo pipefail",
    "export HOME=/root",
    `cd ${AMI_PROJECT_DIR}`,
    `nohup npx seep worker --listen 0.0.0.0:${options.workerPort} --token ${shellQuote(options.token)} \\`,
    `  >>${WORKER_LOG_PATH} 2>&1 </dev/null &`,
    "",
  ].join("\n");
}

/** The boot script base64-encoded, as RunInstances takes user data. */
export function workerUserData(options: WorkerBootOptions): string {
  return Buffer.from(workerBootScript(options), "utf8").toString("base64");
}
