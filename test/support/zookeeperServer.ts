// The ZooKeeper servers of the tests (measure/zookeeperServer.ts, shared with the benchmarks),
// and the describe() of suites that need one: run when Debian's package is installed;
// otherwise skipped with a line saying why, or failed under SEEP_REQUIRE_ZOOKEEPER=1 (CI).

import { describe, it } from "vitest";
import { zookeeperMissing } from "../../measure/zookeeperServer.js";

export * from "../../measure/zookeeperServer.js";

/**
 * A describe() of tests that need ZooKeeper: run when it is installed; otherwise skipped
 * with a line saying why, or, under SEEP_REQUIRE_ZOOKEEPER=1, one failing test.
 */
export function describeWithZookeeper(title: string, body: () => void): void {
  const missing = zookeeperMissing();
  if (missing === null) {
    describe(title, body);
  } else if (process.env.SEEP_REQUIRE_ZOOKEEPER === "1") {
    describe(title, () => {
      it("needs ZooKeeper", () => {
        throw new Error(`SEEP_REQUIRE_ZOOKEEPER=1 but ZooKeeper cannot run: ${missing}`);
      });
    });
  } else {
    console.log(`skipping "${title}": ${missing} (SEEP_REQUIRE_ZOOKEEPER=1 fails instead)`);
    describe.skip(`${title} (skipped: ${missing})`, body);
  }
}
