// The worker VM's boot script: it starts `seep worker` from the project on the AMI, powers
// the instance off when the worker exits (however it exits), and the token survives shell
// quoting whatever it contains. The script is also run for real, with stand-ins for `npx`
// and `shutdown` on the PATH.

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shellQuote, workerBootScript, workerUserData } from "../../cloud/ec2UserData.js";
import { makeRunCertificates } from "../../cloud/tlsCertificates.js";

/** True once `file` holds a whole line: the shell creates it before `echo` writes to it. */
function wholeLine(file: string): boolean {
  return existsSync(file) && readFileSync(file, "utf8").endsWith("\n");
}

describe("workerBootScript", () => {
  it("cds to the project, starts the worker on the port, detached, logging to a file, and powers off after it", () => {
    const script = workerBootScript({ workerPort: 7070, token: "abc" });
    expect(script.split("\n")).toEqual([
      "#!/bin/bash",
      "# seep-testbed worker bootstrap (EC2 user data, run once by cloud-init as root)",
      "set -euo pipefail",
      "export HOME=/root",
      "umask 077",
      "mkdir -p '/etc/seep'",
      "printf '%s' 'abc' > '/etc/seep/token'",
      "cd /opt/seep-testbed",
      "run_worker() {",
      "  trap '' HUP",
      "  local status=0",
      "  npx seep worker --listen 0.0.0.0:7070 --token-file '/etc/seep/token' || status=$?",
      '  echo "seep worker exited with status $status: powering off (the instance terminates)"',
      "  shutdown -h now",
      "}",
      "run_worker >>'/var/log/seep-worker.log' 2>&1 </dev/null &",
      "",
    ]);
  });

  it("starts the worker with the run's job module, by its path in the image's checkout, quoted", () => {
    const script = workerBootScript({ workerPort: 7070, token: "abc", jobModules: ["jobs/my top-k.ts"] });
    expect(script).toContain(
      "  npx seep worker --listen 0.0.0.0:7070 --token-file '/etc/seep/token' --job 'jobs/my top-k.ts' || status=$?",
    );
  });

  it("run for real, returns while the worker runs, and powers the instance off once the worker exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seep-boot-"));
    try {
      const bin = join(dir, "bin");
      const log = join(dir, "worker.log");
      execFileSync("mkdir", [bin]);
      // npx: records its arguments, then waits for `release` (or the test's end) and exits 3, as
      // an orphaned worker does.
      writeFileSync(
        join(bin, "npx"),
        `#!/bin/bash\necho "npx $*" > ${dir}/npx-args\nwhile [ ! -e ${dir}/release ] && [ -d ${dir} ]; do sleep 0.05; done\nexit 3\n`,
      );
      writeFileSync(join(bin, "shutdown"), `#!/bin/bash\necho "shutdown $*" > ${dir}/powered-off\n`);
      chmodSync(join(bin, "npx"), 0o755);
      chmodSync(join(bin, "shutdown"), 0o755);
      const script = join(dir, "boot.sh");
      writeFileSync(
        script,
        workerBootScript({
          workerPort: 7070,
          token: "abc",
          projectDir: dir,
          logPath: log,
          secretsDir: join(dir, "secrets"),
        }),
      );
      execFileSync("bash", [script], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: "ignore",
        timeout: 60_000,
      });
      // The script has returned (cloud-init goes on) with the worker still running.
      await until(() => wholeLine(join(dir, "npx-args")));
      expect(existsSync(join(dir, "powered-off"))).toBe(false);
      expect(readFileSync(join(dir, "npx-args"), "utf8")).toBe(
        `npx seep worker --listen 0.0.0.0:7070 --token-file ${dir}/secrets/token\n`,
      );
      // The token is in a file only its owner reads, in a directory only its owner enters.
      expect(readFileSync(join(dir, "secrets", "token"), "utf8")).toBe("abc");
      expect(statSync(join(dir, "secrets", "token")).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "secrets")).mode & 0o777).toBe(0o700);
      writeFileSync(join(dir, "release"), "");
      // The fake shutdown creates the file before it writes the line: wait for the line.
      await until(() => wholeLine(join(dir, "powered-off")));
      expect(readFileSync(join(dir, "powered-off"), "utf8")).toBe("shutdown -h now\n");
      await until(() => readFileSync(log, "utf8").includes("powering off"));
      expect(readFileSync(log, "utf8")).toContain("seep worker exited with status 3: powering off");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with TLS, writes the run's CA and the worker's certificate and key as 0600 files and passes their paths", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seep-boot-tls-"));
    try {
      const bin = join(dir, "bin");
      execFileSync("mkdir", [bin]);
      writeFileSync(join(bin, "npx"), `#!/bin/bash\necho "npx $*" > ${dir}/npx-args\n`);
      writeFileSync(join(bin, "shutdown"), "#!/bin/bash\n");
      chmodSync(join(bin, "npx"), 0o755);
      chmodSync(join(bin, "shutdown"), 0o755);
      const secrets = join(dir, "secrets");
      const tls = { caPem: "CA'PEM\n", certPem: "CERT $(PEM)\n", keyPem: "KEY `PEM`\n" };
      const script = workerBootScript({
        workerPort: 7070,
        token: "t0k'en",
        projectDir: dir,
        logPath: join(dir, "worker.log"),
        secretsDir: secrets,
        tls,
        messageBytesMax: 5_000_000,
      });
      expect(script).not.toMatch(/--token /);
      writeFileSync(join(dir, "boot.sh"), script);
      execFileSync("bash", [join(dir, "boot.sh")], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: "ignore",
        timeout: 60_000,
      });
      await until(() => wholeLine(join(dir, "npx-args")));
      expect(readFileSync(join(dir, "npx-args"), "utf8")).toBe(
        `npx seep worker --listen 0.0.0.0:7070 --token-file ${secrets}/token --tls-cert ${secrets}/worker.pem ` +
          `--tls-key ${secrets}/worker-key.pem --tls-ca ${secrets}/ca.pem --message-bytes-max 5000000\n`,
      );
      const files: [string, string][] = [
        ["token", "t0k'en"],
        ["ca.pem", tls.caPem],
        ["worker.pem", tls.certPem],
        ["worker-key.pem", tls.keyPem],
      ];
      for (const [name, text] of files) {
        expect(readFileSync(join(secrets, name), "utf8")).toBe(text);
        expect(statSync(join(secrets, name)).mode & 0o777).toBe(0o600);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fits EC2's 16 KiB of user data with a run's real certificates", () => {
    const certs = makeRunCertificates();
    const tls = { caPem: certs.caPem, certPem: certs.worker.certPem, keyPem: certs.worker.keyPem };
    const script = workerBootScript({
      workerPort: 7070,
      token: "t".repeat(48),
      tls,
      messageBytesMax: 2 ** 31 - 1,
    });
    expect(Buffer.byteLength(script, "utf8")).toBeLessThanOrEqual(16 * 1024);
  });

  it("rejects a port out of range, and a message bound that is not a byte count", () => {
    expect(() => workerBootScript({ workerPort: 70_000, token: "abc" })).toThrow(/workerPort/);
    expect(() => workerBootScript({ workerPort: 7070, token: "abc", messageBytesMax: 0.5 })).toThrow(
      /messageBytesMax must be an integer/,
    );
  });

  it("user data is the script in base64", () => {
    const options = { workerPort: 7171, token: "t" };
    expect(Buffer.from(workerUserData(options), "base64").toString("utf8")).toBe(workerBootScript(options));
  });
});

/** Resolves once `condition` holds, polling; the test's own timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("shellQuote", () => {
  it("makes any string one literal shell word", () => {
    for (const value of ["plain", "it's", '$(rm -rf /) `x` "y" \\ ; & |', "a\nb", "''", ""]) {
      const echoed = execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(value)}`], { encoding: "utf8" });
      expect(echoed).toBe(value);
    }
  });
});
