// `seep run --tls` as a user meets it: every worker serves TLS requiring client
// certificates, with certificates made for the run or the user's own, and the run's output
// is the plain run's (the same digest as `seep sim`); TLS flags that do not fit are one
// line each. Workers bind 127.0.0.1 and are gone when the command returns.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeRunCertificates,
  type RunTlsFiles,
  removeRunCertificates,
  writeRunCertificates,
} from "../../cloud/tlsCertificates.js";
import { seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-run-tls-"));
let mine: RunTlsFiles;
beforeAll(() => {
  mine = writeRunCertificates(makeRunCertificates());
});
afterAll(() => {
  removeRunCertificates(mine);
  rmSync(scratch, { recursive: true, force: true });
});

const small = [
  "--set",
  "workload.params.lines=800",
  "--set",
  "workload.params.windowSizeMs=200",
  "--set",
  "workload.params.windowSlideMs=100",
];
const digest = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).outputDigest;

describe("seep run --tls", () => {
  it("runs the wordcount preset over mutual TLS, with certificates made for the run, to the simulator's output", async () => {
    const real = join(scratch, "tls");
    const sim = join(scratch, "sim");
    // The simulator's run beside the real one: nothing compared depends on either's timing.
    const [out, simulated] = await Promise.all([
      seep(["run", "wordcount", "--workers", "2", "--tls", "--quiet", "--out", real, ...small]),
      seep(["sim", "wordcount", "--quiet", "--out", sim, ...small]),
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(simulated.code).toBe(0);
    expect(digest(real)).toBe(digest(sim));
  });

  it("runs with the user's CA, certificate and key, to the same output", async () => {
    const real = join(scratch, "given");
    const { caFile, certFile, keyFile } = mine.worker;
    const args = ["--tls-ca", caFile, "--tls-cert", certFile, "--tls-key", keyFile];
    const out = await seep([
      "run",
      "wordcount",
      "--workers",
      "2",
      ...args,
      "--quiet",
      "--out",
      real,
      ...small,
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(digest(real)).toBe(digest(join(scratch, "tls")));
  });

  it("refuses TLS files that do not go together, are not what they should be, or name no worker, in one line", async () => {
    const { caFile, certFile, keyFile } = mine.worker;
    const cases: [string[], string][] = [
      [["--tls-ca", caFile], "seep: --tls-ca, --tls-cert and --tls-key go together"],
      [
        ["--tls-ca", keyFile, "--tls-cert", certFile, "--tls-key", keyFile],
        `seep: --tls-ca ${keyFile} is not a PEM certificate`,
      ],
      [
        ["--tls-ca", caFile, "--tls-cert", certFile, "--tls-key", caFile],
        `seep: --tls-key ${caFile} is not a PEM private key`,
      ],
      [
        ["--tls-ca", caFile, "--tls-cert", mine.coordinator.certFile, "--tls-key", mine.coordinator.keyFile],
        `seep: --tls-cert ${mine.coordinator.certFile} does not name seep-worker (a DNS subjectAltName), which workers are checked against`,
      ],
      [
        ["--tls-ca", join(scratch, "nope.pem"), "--tls-cert", certFile, "--tls-key", keyFile],
        `seep: --tls-ca ${join(scratch, "nope.pem")}: ENOENT`,
      ],
    ];
    // Each refused before any worker starts: all at once, checked one by one.
    const outs = await Promise.all(
      cases.map(([flags], i) => seep(["run", "wordcount", ...flags, "--out", join(scratch, `refused-${i}`)])),
    );
    for (const [i, [, line]] of cases.entries()) {
      const out = outs[i];
      expect(out.code).toBe(2);
      expect(out.stderr.trim()).toBe(line);
    }
  });
});
