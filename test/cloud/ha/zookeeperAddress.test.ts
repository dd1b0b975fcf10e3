// parseZookeeperAddress on the addresses a user may type after `seep run --ha`, good and bad.

import { describe, expect, it } from "vitest";
import { parseZookeeperAddress, ZookeeperAddressError } from "../../../cloud/ha/zookeeperAddress.js";

describe("parseZookeeperAddress", () => {
  it("reads one host, several hosts, a default port and a default root", () => {
    expect(parseZookeeperAddress("zk://127.0.0.1:2181/seep")).toEqual({
      connectString: "127.0.0.1:2181",
      root: "/seep",
      text: "zk://127.0.0.1:2181/seep",
    });
    expect(
      parseZookeeperAddress("zk://a.example:2181,b-2.example:2182,10.0.0.3/team/seep-runs"),
    ).toMatchObject({
      connectString: "a.example:2181,b-2.example:2182,10.0.0.3:2181",
      root: "/team/seep-runs",
    });
    expect(parseZookeeperAddress("zk://localhost:21810").root).toBe("/seep");
  });

  it("refuses a bad address in one line naming it and what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["127.0.0.1:2181", /does not start with zk:\/\//],
      ["http://127.0.0.1:2181", /does not start with zk:\/\//],
      ["zk://", /names no host/],
      ["zk:///seep", /names no host/],
      ["zk://a:2181,,b:2181", /empty host between commas/],
      ["zk://a:0", /'0' in 'a:0' is not a port/],
      ["zk://a:65536", /not a port/],
      ["zk://a:21x", /not a port/],
      ["zk://a:", /'' in 'a:' is not a port/],
      ["zk://user@a:2181", /'user@a' is not a host name/],
      ["zk://[::1]:2181", /IPv6 addresses are not supported/],
      ["zk://a:2181/", /the path is empty/],
      ["zk://a:2181/seep/", /ends with '\/'/],
      ["zk://a:2181/seep//runs", /empty node name/],
      ["zk://a:2181/seep/../x", /'\.\.' in the path/],
      ["zk://a:2181/my runs", /'my runs' in the path/],
      ["zk://a:2181/zookeeper/x", /\/zookeeper, which ZooKeeper keeps/],
    ];
    for (const [text, problem] of cases) {
      let error: unknown;
      try {
        parseZookeeperAddress(text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(ZookeeperAddressError);
      const message = (error as Error).message;
      expect(message, text).toContain(`'${text}'`);
      expect(message, text).toMatch(problem);
      expect(message, text).not.toContain("\n");
    }
  });
});
