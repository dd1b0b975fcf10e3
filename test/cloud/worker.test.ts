// A worker as the network sees it: it refuses calls without the token, and by default
// listens on loopback only. Every server here binds 127.0.0.1 and is shut down.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { ChannelCredentials, Metadata, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { channelCredentials, tokenMetadata } from "../../cloud/auth.js";
import { ControlClient } from "../../cloud/gen/seep/v1/seep.js";
import { Worker } from "../../cloud/worker.js";
import { workloadNamed } from "../../workloads/index.js";

const workers: Worker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.stop();
});

async function startWorker(token = "secret-token"): Promise<{ worker: Worker; client: ControlClient }> {
  const worker = new Worker({
    listen: "127.0.0.1:0",
    token,
    resolvePlan: (name, params, seed) => workloadNamed(name).plan(params, seed),
  });
  workers.push(worker);
  const port = await worker.start();
  return { worker, client: new ControlClient(`127.0.0.1:${port}`, ChannelCredentials.createInsecure()) };
}

function heartbeat(client: ControlClient, metadata: Metadata): Promise<{ code: number }> {
  return new Promise((resolve) =>
    client.heartbeat({}, metadata, { deadline: Date.now() + 5000 }, (err) =>
      resolve({ code: err ? err.code : status.OK }),
    ),
  );
}

describe("Worker", () => {
  it("refuses a call without the token, or with a wrong one, and answers one with it", async () => {
    const { client } = await startWorker();
    expect((await heartbeat(client, new Metadata())).code).toBe(status.UNAUTHENTICATED);
    expect((await heartbeat(client, tokenMetadata("wrong"))).code).toBe(status.UNAUTHENTICATED);
    expect((await heartbeat(client, tokenMetadata("secret-token"))).code).toBe(status.OK);
    client.close();
  });

  it("refuses a watch stream without the token", async () => {
    const { client } = await startWorker();
    const code = await new Promise<number>((resolve) => {
      const call = client.watch({}, new Metadata());
      call.on("error", (e: { code: number }) => resolve(e.code));
      call.on("data", () => resolve(-1));
    });
    expect(code).toBe(status.UNAUTHENTICATED);
    client.close();
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;

  it.skipIf(external === undefined)(
    "bound by default, is not reachable on a non-loopback address",
    async () => {
      const { worker, client } = await startWorker();
      client.close();
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: external, port: worker.port, timeout: 2000 });
        socket.once("connect", () => {
          socket.destroy();
          resolve("connected");
        });
        socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
        socket.once("timeout", () => {
          socket.destroy();
          resolve("timeout");
        });
      });
      expect(outcome).not.toBe("connected");
    },
  );
});

describe("Worker over TLS", () => {
  const hasOpenssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)(
    "serves over TLS from certificate files, and a plaintext client cannot talk to it",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "seep-tls-"));
      try {
        const cert = join(dir, "cert.pem");
        const key = join(dir, "key.pem");
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
          ],
          { stdio: "ignore", timeout: 30_000 },
        );
        const worker = new Worker({
          listen: "127.0.0.1:0",
          token: "tls-token",
          tls: { certFile: cert, keyFile: key },
          resolvePlan: (name, params, seed) => workloadNamed(name).plan(params, seed),
        });
        workers.push(worker);
        const port = await worker.start();
        const secure = new ControlClient(`127.0.0.1:${port}`, channelCredentials({ caFile: cert }));
        expect((await heartbeat(secure, tokenMetadata("tls-token"))).code).toBe(status.OK);
        secure.close();
        const plain = new ControlClient(`127.0.0.1:${port}`, ChannelCredentials.createInsecure());
        expect((await heartbeat(plain, tokenMetadata("tls-token"))).code).not.toBe(status.OK);
        plain.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
