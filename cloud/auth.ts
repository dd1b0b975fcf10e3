// Who may talk to a worker. Every call carries the run's token in its metadata, and a
// worker's server interceptor refuses a call without it as its headers arrive, before any
// of its body is read, so that an unauthenticated caller cannot make the worker buffer a
// large message. Channels are plain on loopback, or TLS with mutual authentication: a
// worker serves with its certificate and requires a client certificate from the same CA
// of every caller (the coordinator, other workers), and clients present theirs. Workers
// are reached by IP address, which their certificates cannot know in advance, so a client
// checks that the worker's certificate, signed by the run's CA, names WORKER_TLS_NAME.
// Under HA a coordinator's calls also carry its fencing epoch (epochMetadata; epochFence.ts).

import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import {
  ChannelCredentials,
  Metadata,
  ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerListenerBuilder,
  status,
} from "@grpc/grpc-js";
import { EPOCH_HEADER } from "./epochFence.js";

/** The name a worker's certificate must carry (a DNS subjectAltName), whatever its address. */
export const WORKER_TLS_NAME = "seep-worker";

/** TLS files of a worker or coordinator; all absent: plaintext (fine on loopback only). */
export interface TlsFiles {
  /** PEM certificate: a worker's (as server and as client), or the coordinator's (client). */
  readonly certFile?: string;
  /** PEM private key of `certFile`. */
  readonly keyFile?: string;
  /** PEM CA of the run: verifies the certificates of peers, both ways. */
  readonly caFile?: string;
}

/** True when `tls` names any file: TLS is meant, and then all three are needed. */
export function usesTls(tls: TlsFiles | undefined): boolean {
  return tls !== undefined && (tls.certFile ?? tls.keyFile ?? tls.caFile) !== undefined;
}

/** The three files of `tls`; throws naming what is missing. */
function allThree(tls: TlsFiles): Required<TlsFiles> {
  const missing = [
    tls.certFile === undefined ? "a certificate" : null,
    tls.keyFile === undefined ? "its key" : null,
    tls.caFile === undefined ? "a CA" : null,
  ].filter((x) => x !== null);
  if (missing.length > 0)
    throw new Error(
      `TLS with mutual authentication needs a certificate, its key and a CA; missing ${missing.join(", ")}`,
    );
  return tls as Required<TlsFiles>;
}

/** Server credentials: TLS requiring client certificates of the CA when files are given, else insecure. */
export function serverCredentials(tls: TlsFiles = {}): ServerCredentials {
  if (!usesTls(tls)) return ServerCredentials.createInsecure();
  const f = allThree(tls);
  return ServerCredentials.createSsl(
    readFileSync(f.caFile),
    [{ cert_chain: readFileSync(f.certFile), private_key: readFileSync(f.keyFile) }],
    true,
  );
}

/** A worker's certificate is accepted under WORKER_TLS_NAME, whatever address it was reached at. */
export function checkWorkerIdentity(_host: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(WORKER_TLS_NAME, cert);
}

/**
 * TLS credentials that name WORKER_TLS_NAME as the server (its SNI and the name checked),
 * whatever address a channel connects to: a server name may not be an IP address (RFC
 * 6066; Node warns), and workers are reached by theirs. grpc-js takes the name from a
 * channel option, so every channel made with these credentials is given it here.
 */
class WorkerChannelCredentials extends ChannelCredentials {
  constructor(private readonly tls: ChannelCredentials) {
    super();
  }
  _isSecure(): boolean {
    return true;
  }
  _equals(other: ChannelCredentials): boolean {
    return other instanceof WorkerChannelCredentials && this.tls._equals(other.tls);
  }
  _createSecureConnector(
    ...[target, options, callCredentials]: Parameters<ChannelCredentials["_createSecureConnector"]>
  ): ReturnType<ChannelCredentials["_createSecureConnector"]> {
    const named = { ...options, "grpc.ssl_target_name_override": WORKER_TLS_NAME };
    return this.tls._createSecureConnector(target, named, callCredentials);
  }
}

/** Client credentials: TLS presenting the certificate, trusting only the CA, when files are given; else insecure. */
export function channelCredentials(tls: TlsFiles = {}): ChannelCredentials {
  if (!usesTls(tls)) return ChannelCredentials.createInsecure();
  const f = allThree(tls);
  const credentials = ChannelCredentials.createSsl(
    readFileSync(f.caFile),
    readFileSync(f.keyFile),
    readFileSync(f.certFile),
    { checkServerIdentity: checkWorkerIdentity },
  );
  return new WorkerChannelCredentials(credentials);
}

/** Call metadata carrying the token. */
export function tokenMetadata(token: string): Metadata {
  const m = new Metadata();
  m.set("authorization", `Bearer ${token}`);
  return m;
}

/**
 * Call metadata of a coordinator under HA: the token and its fencing epoch (epochFence.ts),
 * for every call it makes, Send included. Epoch 0 (no HA) adds nothing: tokenMetadata's.
 */
export function epochMetadata(token: string, epoch: number): Metadata {
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new RangeError(`a fencing epoch is a whole number >= 0, got ${epoch}`);
  const m = tokenMetadata(token);
  if (epoch > 0) m.set(EPOCH_HEADER, String(epoch));
  return m;
}

/**
 * True when `metadata` carries `token`. Compared in constant time: a caller on the network
 * must not learn the token a byte at a time from how long refusals take.
 */
export function hasToken(metadata: Metadata, token: string): boolean {
  const v = metadata.get("authorization");
  if (v.length !== 1 || typeof v[0] !== "string") return false;
  const given = Buffer.from(v[0]);
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The error a worker answers a call without the token with. */
export function unauthenticated(): { code: status; details: string } {
  return { code: status.UNAUTHENTICATED, details: "missing or wrong token" };
}

/**
 * A server interceptor that ends every call without `token` with UNAUTHENTICATED as its
 * metadata arrives: the handler never runs and the call's body is never read (grpc-js
 * discards what still comes of it).
 */
export function tokenInterceptor(token: string): ServerInterceptor {
  return (_method, call: ServerInterceptingCallInterface) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, pass) => {
              if (hasToken(metadata, token)) pass(metadata);
              else call.sendStatus({ ...unauthenticated(), metadata: new Metadata() });
            })
            .build(),
        ),
    });
}
