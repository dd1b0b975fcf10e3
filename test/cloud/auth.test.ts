// Who may talk to a worker, over the network: with TLS on, only a client that presents a
// certificate of the run's CA (besides the token), and a client talks only to a worker
// whose certificate the run's CA signed for seep-worker. Every server binds 127.0.0.1.

import { readFileSync } from "node:fs";
import { ChannelCredentials, Metadata, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  channelCredentials,
  hasToken,
  serverCredentials,
  type TlsFiles,
  tokenMetadata,
  usesTls,
} from "../../cloud/auth.js";
import {
  makeRunCertificates,
  type RunTlsFiles,
  removeRunCertificates,
  writeRunCertificates,
} from "../../cloud/tlsCertificates.js";
import { Worker } from "../../cloud/worker.js";
import { workloadPlan } from "../../workloads/index.js";
import { call, controlClient, sendFrames } from "./workerCalls.js";

const TOKEN = "tls-token";
const auth = tokenMetadata(TOKEN);

describe("tokens", () => {
  it("a call carries the token as a bearer authorization, and only that token passes", () => {
    expect(hasToken(tokenMetadata("t"), "t")).toBe(true);
    expect(hasToken(tokenMetadata("t"), "u")).toBe(false);
    expect(hasToken(new Metadata(), "t")).toBe(false);
  });
});

describe("credentials", () => {
  it("are plain text without files, and refuse TLS without all three of certificate, key and CA", () => {
    expect(usesTls(undefined)).toBe(false);
    expect(usesTls({})).toBe(false);
    expect(() => serverCredentials({ certFile: "c", keyFile: "k" })).toThrow(/missing a CA/);
    expect(() => channelCredentials({ caFile: "ca" })).toThrow(/missing a certificate, its key/);
  });
});

describe("mutual TLS between a worker and its callers", () => {
  let run: RunTlsFiles;
  let other: RunTlsFiles;
  let worker: Worker;
  let address: string;

  beforeAll(async () => {
    run = writeRunCertificates(makeRunCertificates());
    other = writeRunCertificates(makeRunCertificates()); // another run's CA
    worker = new Worker({
      listen: "127.0.0.1:0",
      token: TOKEN,
      tls: run.worker,
      resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    });
    address = `127.0.0.1:${await worker.start()}`;
  });

  afterAll(() => {
    worker?.stop();
    removeRunCertificates(run);
    removeRunCertificates(other);
  });

  const heartbeat = async (credentials: ChannelCredentials, metadata = auth) => {
    const client = controlClient(address, credentials);
    try {
      return await call(client, client.heartbeat, {}, metadata);
    } finally {
      client.close();
    }
  };

  it("answers the coordinator, and another worker, presenting certificates of the run's CA", async () => {
    expect((await heartbeat(channelCredentials(run.coordinator))).code).toBe(status.OK);
    expect((await heartbeat(channelCredentials(run.worker))).code).toBe(status.OK);
    expect((await sendFrames(address, auth, [], channelCredentials(run.worker))).code).toBe(status.OK);
  });

  it("refuses a client in plain text, one with no certificate, and one whose certificate another CA signed", async () => {
    expect((await heartbeat(ChannelCredentials.createInsecure())).code).not.toBe(status.OK);
    // TLS that trusts the run's CA but presents no certificate: the handshake fails.
    const noCert = ChannelCredentials.createSsl(readFileSync(run.worker.caFile), null, null, {
      checkServerIdentity: () => undefined,
    });
    expect((await heartbeat(noCert)).code).toBe(status.UNAVAILABLE);
    // A certificate of another run's CA, trusting this run's CA for the server.
    const foreign: TlsFiles = {
      caFile: run.worker.caFile,
      certFile: other.coordinator.certFile,
      keyFile: other.coordinator.keyFile,
    };
    expect((await heartbeat(channelCredentials(foreign))).code).toBe(status.UNAVAILABLE);
    expect((await sendFrames(address, auth, [], channelCredentials(foreign))).code).toBe(status.UNAVAILABLE);
  });

  it("does not talk to a worker whose certificate another CA signed, nor to one not named seep-worker", async () => {
    // The client trusts only the other run's CA: this worker's certificate does not pass.
    expect((await heartbeat(channelCredentials(other.coordinator))).code).toBe(status.UNAVAILABLE);
    // The coordinator's certificate, signed by the run's CA, is no worker's: a server
    // presenting it is refused by name.
    const impostor = new Worker({
      listen: "127.0.0.1:0",
      token: TOKEN,
      tls: run.coordinator,
      resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
    });
    const port = await impostor.start();
    try {
      const client = controlClient(`127.0.0.1:${port}`, channelCredentials(run.worker));
      const outcome = await call(client, client.heartbeat, {}, auth);
      client.close();
      expect(outcome.code).toBe(status.UNAVAILABLE);
    } finally {
      impostor.stop();
    }
  });

  it("refuses a caller with a certificate of the run's CA but no token", async () => {
    const outcome = await heartbeat(channelCredentials(run.coordinator), new Metadata());
    expect(outcome.code).toBe(status.UNAUTHENTICATED);
  });
});
