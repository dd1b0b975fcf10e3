// Who may talk to a worker: every call carries the run's token in its metadata, and a
// worker refuses calls without it. Channels are plain on loopback, or TLS from
// certificate files when configured.

import { readFileSync } from "node:fs";
import { ChannelCredentials, Metadata, ServerCredentials, status } from "@grpc/grpc-js";

/** TLS files of a worker or coordinator; absent: plaintext (fine on loopback only). */
export interface TlsFiles {
  /** PEM certificate of the server (worker side) */
  readonly certFile?: string;
  /** PEM private key of the server (worker side) */
  readonly keyFile?: string;
  /** PEM CA that signed the workers' certificates (client side) */
  readonly caFile?: string;
}

/** Server credentials: TLS when a certificate and key are given, else insecure. */
export function serverCredentials(tls: TlsFiles = {}): ServerCredentials {
  if (tls.certFile === undefined || tls.keyFile === undefined) return ServerCredentials.createInsecure();
  const ca = tls.caFile === undefined ? null : readFileSync(tls.caFile);
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    false,
  );
}

/** Client credentials: TLS when a CA is given, else insecure. */
export function channelCredentials(tls: TlsFiles = {}): ChannelCredentials {
  return tls.caFile === undefined
    ? ChannelCredentials.createInsecure()
    : ChannelCredentials.createSsl(readFileSync(tls.caFile));
}

/** Call metadata carrying the token. */
export function tokenMetadata(token: string): Metadata {
  const m = new Metadata();
  m.set("authorization", `Bearer ${token}`);
  return m;
}

/** True when `metadata` carries `token`. */
export function hasToken(metadata: Metadata, token: string): boolean {
  const v = metadata.get("authorization");
  return v.length === 1 && v[0] === `Bearer ${token}`;
}

/** The error a worker answers a call without the token with. */
export function unauthenticated(): { code: status; details: string } {
  return { code: status.UNAUTHENTICATED, details: "missing or wrong token" };
}
