// Ctrl-C, SIGTERM and SIGHUP shut the pool down before exiting; a second signal does not
// wait; the run is told first; the handlers can be removed.

import { afterEach, describe, expect, it } from "vitest";
import { installSignalCleanup } from "../../cloud/signalCleanup.js";
import type { CloudVm, VmPool } from "../../cloud/vmPool.js";

function fakePool(shutdown: () => Promise<void>): VmPool {
  return {
    prewarm: async () => {},
    acquire: async (): Promise<CloudVm> => ({ id: "local-0", address: "127.0.0.1:1" }),
    release: async () => {},
    shutdown,
  };
}

function recorder() {
  const exits: number[] = [];
  const lines: string[] = [];
  let exited: () => void = () => {};
  const exitedOnce = new Promise<void>((resolve) => {
    exited = resolve;
  });
  return {
    exits,
    lines,
    exitedOnce,
    effects: {
      exit: (code: number) => {
        exits.push(code);
        exited();
      },
      warn: (line: string) => lines.push(line),
    },
  };
}

let uninstall: () => void = () => {};
afterEach(() => uninstall());

describe("installSignalCleanup", () => {
  it("on SIGINT shuts the pool down, then exits with 130", async () => {
    const order: string[] = [];
    const r = recorder();
    uninstall = installSignalCleanup(
      fakePool(async () => {
        order.push("shutdown");
      }),
      {
        ...r.effects,
        exit: (code) => {
          order.push(`exit ${code}`);
          r.effects.exit(code);
        },
      },
    );
    process.emit("SIGINT");
    await r.exitedOnce;
    expect(order).toEqual(["shutdown", "exit 130"]);
  });

  it("on SIGTERM exits with 143, even when the shutdown fails", async () => {
    const r = recorder();
    uninstall = installSignalCleanup(
      fakePool(async () => {
        throw new Error("terminate failed");
      }),
      r.effects,
    );
    process.emit("SIGTERM");
    await r.exitedOnce;
    expect(r.exits).toEqual([143]);
    expect(r.lines.at(-1)).toContain("terminate failed");
  });

  it("handles SIGHUP (a closed terminal) like SIGTERM: tells the run, shuts the pool down, exits with 129", async () => {
    const order: string[] = [];
    const r = recorder();
    uninstall = installSignalCleanup(
      fakePool(async () => {
        order.push("shutdown");
      }),
      {
        ...r.effects,
        onSignal: (signal) => order.push(`told of ${signal}`),
        exit: (code) => {
          order.push(`exit ${code}`);
          r.effects.exit(code);
        },
      },
    );
    process.emit("SIGHUP");
    await r.exitedOnce;
    expect(order).toEqual(["told of SIGHUP", "shutdown", "exit 129"]);
    expect(r.lines).toEqual(["seep: SIGHUP: terminating the VMs of this run..."]);
  });

  it("a second signal during the shutdown exits at once", () => {
    const r = recorder();
    let calls = 0;
    uninstall = installSignalCleanup(
      fakePool(() => {
        calls++;
        return new Promise<void>(() => {});
      }),
      r.effects,
    );
    process.emit("SIGINT");
    process.emit("SIGINT");
    expect(calls).toBe(1);
    expect(r.exits).toEqual([130]);
  });

  it("the returned function removes the handlers", () => {
    const signals = ["SIGHUP", "SIGINT", "SIGTERM"] as const;
    const counts = () => signals.map((s) => process.listenerCount(s));
    const before = counts();
    const remove = installSignalCleanup(
      fakePool(async () => {}),
      recorder().effects,
    );
    expect(counts()).toEqual(before.map((n) => n + 1));
    remove();
    expect(counts()).toEqual(before);
  });
});
