// Certificates made for a run: a CA of its own, which signed a workers' certificate (server
// and client, named seep-worker, localhost and 127.0.0.1) and a coordinator's (client); each
// run's CA is a different one; written into a directory only the user reads.

import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  COORDINATOR_TLS_NAME,
  makeRunCertificates,
  removeRunCertificates,
  writeRunCertificates,
} from "../../cloud/tlsCertificates.js";

describe("makeRunCertificates", () => {
  const certs = makeRunCertificates();
  const ca = new X509Certificate(certs.caPem);
  const worker = new X509Certificate(certs.worker.certPem);
  const coordinator = new X509Certificate(certs.coordinator.certPem);

  it("makes a CA that signed the workers' and the coordinator's certificates", () => {
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(worker.verify(ca.publicKey)).toBe(true);
    expect(coordinator.verify(ca.publicKey)).toBe(true);
    expect(worker.checkIssued(ca)).toBe(true);
    expect(worker.ca).toBe(false);
  });

  it("names the workers' certificate seep-worker, localhost and 127.0.0.1, for servers and clients", () => {
    expect(worker.checkHost("seep-worker")).toBe("seep-worker");
    expect(worker.checkHost("localhost")).toBe("localhost");
    expect(worker.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(worker.checkHost("example.com")).toBeUndefined();
    expect(worker.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(coordinator.subject).toContain(`CN=${COORDINATOR_TLS_NAME}`);
    expect(coordinator.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(coordinator.checkHost("seep-worker")).toBeUndefined();
  });

  it("gives every run a CA of its own, whose certificates another run's CA did not sign", () => {
    const another = new X509Certificate(makeRunCertificates().caPem);
    expect(another.fingerprint256).not.toBe(ca.fingerprint256);
    expect(worker.verify(another.publicKey)).toBe(false);
  });

  it("is valid from before now for the days asked", () => {
    const days = (Date.parse(worker.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect(Date.parse(worker.validFrom)).toBeLessThan(Date.now());
    expect(() => makeRunCertificates(0)).toThrow(/positive number of days/);
  });
});

describe("writeRunCertificates", () => {
  it("writes every file readable by its owner only, in a directory only its owner enters, and removes it", () => {
    const certs = makeRunCertificates();
    const files = writeRunCertificates(certs);
    expect(statSync(files.dir).mode & 0o777).toBe(0o700);
    for (const f of [...Object.values(files.worker), ...Object.values(files.coordinator)])
      expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.worker.keyFile, "utf8")).toBe(certs.worker.keyPem);
    expect(readFileSync(files.coordinator.caFile, "utf8")).toBe(certs.caPem);
    removeRunCertificates(files);
    expect(existsSync(files.dir)).toBe(false);
  });
});
