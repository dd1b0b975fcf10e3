// The CPU other processes use during a measurement: this process's descendants count as its
// own (a report's worker processes do not make the machine look busy), and the share is the
// machine's busy time less the tree's, over the wall time and the cores.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { othersCpuShare, readCpu } from "../../measure/othersCpu.js";

describe("othersCpuShare", () => {
  it("is the machine's busy time less this process tree's, over the wall time and the cores", () => {
    const start = { machineBusyTicks: 1_000, ownTicks: 500, wallMs: 10_000 };
    // 2 s on 2 cores: 400 ticks of CPU in all; 150 busy, 50 of them ours: others 100, a quarter.
    const end = { machineBusyTicks: 1_150, ownTicks: 550, wallMs: 12_000 };
    expect(othersCpuShare(start, end, 2)).toBeCloseTo(0.25, 10);
    expect(othersCpuShare(null, end, 2)).toBeNull();
    expect(othersCpuShare(start, start, 2)).toBeNull();
    // Ticks counted apart may disagree by a little: never below 0 nor above 1.
    expect(othersCpuShare(start, { ...end, ownTicks: 900 }, 2)).toBe(0);
  });

  it.skipIf(!existsSync("/proc/self/stat"))(
    "counts a child process's CPU as this process's, not another's",
    async () => {
      const before = readCpu(performance.now());
      expect(before).not.toBeNull();
      // A child that uses 0.6 s of CPU (its own CPU time, whatever the machine's load), then exits.
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [
          "-e",
          "const t0 = process.cpuUsage(); while ((process.cpuUsage(t0).user + process.cpuUsage(t0).system) < 600000) {}",
        ]);
        child.on("error", reject);
        child.on("exit", () => resolve());
      });
      const after = readCpu(performance.now());
      expect(after).not.toBeNull();
      const ownS = (after!.ownTicks - before!.ownTicks) / 100;
      expect(ownS).toBeGreaterThanOrEqual(0.55);
      expect(after!.machineBusyTicks - before!.machineBusyTicks).toBeGreaterThanOrEqual(
        after!.ownTicks - before!.ownTicks - 5,
      );
    },
    60_000,
  );
});
