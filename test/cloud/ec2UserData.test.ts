// The worker VM's boot script: it starts `seep worker` from the project on the AMI, and the
// token survives shell quoting whatever it contains.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote, workerBootScript, workerUserData } from "../../cloud/ec2UserData.js";

describe("workerBootScript", () => {
  it("cds to the project and starts the worker on the port, detached, logging to a file", () => {
    const script = workerBootScript({ workerPort: 7070, token: "abc" });
    expect(script.split("\n")).toEqual([
      "#!/bin/bash",
      "# seep-testbed worker bootstrap (EC2 user data, run once by cloud-init as root)",
      "set -euo pipefail",
      "export HOME=/root",
      "cd /opt/seep-testbed",
      "nohup npx seep worker --listen 0.0.0.0:7070 --token 'abc' \\",
      "  >>/var/log/seep-worker.log 2>&1 </dev/null &",
      "",
    ]);
  });

  it("rejects a port out of range", () => {
    expect(() => workerBootScript({ workerPort: 70_000, token: "abc" })).toThrow(/workerPort/);
  });

  it("user data is the script in base64", () => {
    const options = { workerPort: 7171, token: "t" };
    expect(Buffer.from(workerUserData(options), "base64").toString("utf8")).toBe(workerBootScript(options));
  });
});

describe("shellQuote", () => {
  it("makes any string one literal shell word", () => {
    for (const value of ["plain", "it's", '$(rm -rf /) `x` "y" \\ ; & |', "a\nb", "''", ""]) {
      const echoed = execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(value)}`], { encoding: "utf8" });
      expect(echoed).toBe(value);
    }
  });
});
