// How `seep run` secures and bounds its run: the message bound from the batch and
// checkpoint sizes, TLS off, made for the run or the user's, and the run's certificates
// gone once it ends.

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkTransport, openTransport } from "../../cli/runTransport.js";
import { messageBytesMax } from "../../cloud/messageLimits.js";

const MIB = 1024 * 1024;
const flags = { tls: false, checkpointMbMax: 64 };

describe("checkTransport", () => {
  it("bounds messages by the experiment's batch size and --checkpoint-mb-max", async () => {
    const checked = await checkTransport(flags, 4096);
    expect(checked).toEqual({
      messageBytesMax: messageBytesMax({ batchSize: 4096, checkpointBytesMax: 64 * MIB }),
      tls: "none",
    });
    expect((await checkTransport({ ...flags, tls: true }, 4096)).tls).toBe("generated");
  });

  it("refuses a bound past what gRPC takes, in one line", async () => {
    await expect(checkTransport({ ...flags, checkpointMbMax: 1900 }, 2 ** 20)).rejects.toThrow(
      /^--checkpoint-mb-max: .* over gRPC's limit/,
    );
  });
});

describe("openTransport", () => {
  it("makes the run's certificates for the workers and the coordinator, and removes them when disposed", async () => {
    const t = await openTransport({ messageBytesMax: 1, tls: "generated" });
    expect(t.worker?.certFile).not.toBe(t.coordinator?.certFile);
    expect(t.worker?.caFile).toBe(t.coordinator?.caFile);
    expect(t.workerPem?.keyPem).toMatch(/PRIVATE KEY/);
    expect(existsSync(t.worker?.keyFile as string)).toBe(true);
    t.dispose();
    expect(existsSync(t.worker?.keyFile as string)).toBe(false);
    t.dispose(); // a second time does nothing
  });

  it("makes nothing without TLS", async () => {
    const t = await openTransport({ messageBytesMax: 1, tls: "none" });
    expect(t.worker).toBeUndefined();
    expect(t.coordinator).toBeUndefined();
  });
});
