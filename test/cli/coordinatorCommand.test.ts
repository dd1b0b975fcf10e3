// `seep coordinator` before it ever reaches ZooKeeper: a malformed address and an unreachable
// one are one line and exit 2; with `--retry-zookeeper` (how `seep run --ha` starts its
// standbys) an unreachable ZooKeeper is tried again until the workers' lease would run out,
// then the same one-line exit. No ZooKeeper runs here: the address is a port nothing listens on.

import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { linesOf, seep } from "./spawnSeep.js";

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const env = { SEEP_ZK_CONNECT_MS: "300", SEEP_HA_LEASE_MS: "1500" };

describe("seep coordinator before it reaches ZooKeeper", () => {
  it("a malformed --ha address is one line and exit 2, not retried", async () => {
    const out = await seep(
      ["coordinator", "--ha", "http://nowhere", "--run", "wc-1a2b3c4d", "--retry-zookeeper"],
      {
        env,
      },
    );
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toHaveLength(1);
    expect(out.stderr).toMatch(/^seep: --ha: /);
    expect(out.stdout).not.toMatch(/trying again/);
  });

  it("an unreachable ZooKeeper is one line and exit 2 at once without --retry-zookeeper", async () => {
    const port = await closedPort();
    const out = await seep(["coordinator", "--ha", `zk://127.0.0.1:${port}/seep`, "--run", "wc-1a2b3c4d"], {
      env,
    });
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([
      `seep: --ha: ZooKeeper at zk://127.0.0.1:${port}/seep is unreachable: no session within 300 ms`,
    ]);
    expect(out.stdout).not.toMatch(/trying again/);
  });

  it("with --retry-zookeeper it tries again until the workers' lease would run out, then exits 2 in one line", async () => {
    const port = await closedPort();
    const out = await seep(
      ["coordinator", "--ha", `zk://127.0.0.1:${port}/seep`, "--run", "wc-1a2b3c4d", "--retry-zookeeper"],
      { env },
    );
    expect(out.code).toBe(2);
    expect(out.stdout).toMatch(
      /run wc-1a2b3c4d: --ha: ZooKeeper at .* is unreachable: no session within 300 ms; trying again/,
    );
    expect(linesOf(out.stderr)).toEqual([
      "seep: run wc-1a2b3c4d: ZooKeeper unreachable for longer than the workers' lease (1500 ms): the run is lost",
    ]);
  });
});
