// How `seep run` secures and bounds the connections of its run: TLS with mutual
// authentication (`--tls`: certificates made for the run, or `--tls-ca`, `--tls-cert`,
// `--tls-key`: the user's; then the coordinator presents that certificate and the workers
// serve and present it), and the largest message anyone takes in, derived from the batch
// size and `--checkpoint-mb-max` (cloud/messageLimits.ts). Checked before any worker
// starts; the certificates made for a run are removed when it ends, or the process exits.

import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import type { TlsFiles } from "../cloud/auth.js";
import type { WorkerTlsPem } from "../cloud/ec2UserData.js";
import { DEFAULT_CHECKPOINT_BYTES_MAX, messageBytesMax } from "../cloud/messageLimits.js";
import { UserError } from "./errors.js";
import { parseInteger } from "./options.js";

const MIB = 1024 * 1024;

/** The flags of `seep run` this module reads. */
export interface TransportFlags {
  readonly tls: boolean;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly checkpointMbMax: number;
}

/** Add `--tls`, `--tls-ca`, `--tls-cert`, `--tls-key` and `--checkpoint-mb-max` to `command`. */
export function addTransportOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--tls",
        "connect the coordinator and every worker over TLS with client certificates required, with a CA and " +
          "certificates made for this run (default: off: plain text, fine on loopback only)",
      ).default(false),
    )
    .addOption(
      new Option(
        "--tls-ca <file>",
        "with --tls-cert and --tls-key: TLS with your own PEM CA instead of one made for the run (default: none)",
      ),
    )
    .addOption(
      new Option(
        "--tls-cert <file>",
        "PEM certificate the coordinator presents and every worker serves and presents; it must name " +
          "seep-worker (a DNS subjectAltName) and be signed by --tls-ca (default: none)",
      ),
    )
    .addOption(new Option("--tls-key <file>", "PEM private key of --tls-cert (default: none)"))
    .addOption(
      new Option(
        "--checkpoint-mb-max <MiB>",
        "the largest checkpoint of an instance the run allows, in MiB; with the batch size it bounds every " +
          "message a worker or the coordinator takes in",
      )
        .default(DEFAULT_CHECKPOINT_BYTES_MAX / MIB)
        .argParser((v: string) => parseInteger("--checkpoint-mb-max", v, { min: 1, max: 1900 })),
    );
}

/** What the run's connections are to be, once checked. */
export interface CheckedTransport {
  readonly messageBytesMax: number;
  /** None: plain text; "generated": certificates made for the run; else the user's files. */
  readonly tls: "none" | "generated" | Required<TlsFiles>;
}

/** Check the flags (one-line errors); `batchSize` is the experiment's. */
export async function checkTransport(flags: TransportFlags, batchSize: number): Promise<CheckedTransport> {
  let bytes: number;
  try {
    bytes = messageBytesMax({ batchSize, checkpointBytesMax: flags.checkpointMbMax * MIB });
  } catch (e) {
    throw new UserError(`--checkpoint-mb-max: ${e instanceof Error ? e.message : e}`);
  }
  const files = [flags.tlsCa, flags.tlsCert, flags.tlsKey];
  const given = files.filter((f) => f !== undefined).length;
  if (given === 0) return { messageBytesMax: bytes, tls: flags.tls ? "generated" : "none" };
  if (given !== 3) throw new UserError("--tls-ca, --tls-cert and --tls-key go together");
  const read = (flag: string, file: string, parse: (pem: string) => unknown, what: string) => {
    let pem: string;
    try {
      pem = readFileSync(file, "utf8");
    } catch (e) {
      throw new UserError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return parse(pem);
    } catch {
      throw new UserError(`${flag} ${file} is not ${what}`);
    }
  };
  const ca = read(
    "--tls-ca",
    flags.tlsCa as string,
    (p) => new X509Certificate(p),
    "a PEM certificate",
  ) as X509Certificate;
  const cert = read(
    "--tls-cert",
    flags.tlsCert as string,
    (p) => new X509Certificate(p),
    "a PEM certificate",
  ) as X509Certificate;
  read("--tls-key", flags.tlsKey as string, (p) => createPrivateKey(p), "a PEM private key");
  const { WORKER_TLS_NAME } = await import("../cloud/auth.js"); // grpc-js: only when needed
  if (!cert.verify(ca.publicKey))
    throw new UserError(`--tls-cert ${flags.tlsCert} is not signed by --tls-ca ${flags.tlsCa}`);
  if (cert.checkHost(WORKER_TLS_NAME) === undefined)
    throw new UserError(
      `--tls-cert ${flags.tlsCert} does not name ${WORKER_TLS_NAME} (a DNS subjectAltName), which workers are checked against`,
    );
  return {
    messageBytesMax: bytes,
    tls: {
      caFile: flags.tlsCa as string,
      certFile: flags.tlsCert as string,
      keyFile: flags.tlsKey as string,
    },
  };
}

/** The run's connections, ready: TLS files for the workers and the coordinator, if any. */
export interface RunTransport {
  readonly messageBytesMax: number;
  /** The workers' files (local workers read them). */
  readonly worker?: Required<TlsFiles>;
  /** The coordinator's files. */
  readonly coordinator?: Required<TlsFiles>;
  /** The workers' files' contents (EC2 workers get them in their user data). */
  readonly workerPem?: WorkerTlsPem;
  /** Remove what was made for the run (idempotent). */
  dispose(): void;
}

/** Make the run's certificates if it is to have some, and say what each party uses. */
export async function openTransport(checked: CheckedTransport): Promise<RunTransport> {
  const { messageBytesMax: bytes, tls } = checked;
  if (tls === "none") return { messageBytesMax: bytes, dispose: () => {} };
  if (tls !== "generated") {
    const workerPem = {
      caPem: readFileSync(tls.caFile, "utf8"),
      certPem: readFileSync(tls.certFile, "utf8"),
      keyPem: readFileSync(tls.keyFile, "utf8"),
    };
    return { messageBytesMax: bytes, worker: tls, coordinator: tls, workerPem, dispose: () => {} };
  }
  const { makeRunCertificates, removeRunCertificates, writeRunCertificates } = await import(
    "../cloud/tlsCertificates.js"
  );
  const certs = makeRunCertificates();
  const files = writeRunCertificates(certs);
  const dispose = () => removeRunCertificates(files);
  // A run killed by a signal exits without its finally blocks: its keys go with it all the same.
  process.once("exit", dispose);
  return {
    messageBytesMax: bytes,
    worker: files.worker,
    coordinator: files.coordinator,
    workerPem: { caPem: certs.caPem, certPem: certs.worker.certPem, keyPem: certs.worker.keyPem },
    dispose: () => {
      process.off("exit", dispose);
      dispose();
    },
  };
}
