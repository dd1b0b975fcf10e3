// Summaries of V8 CPU profiles: self time by function, summed over the call tree, within
// a window of the profile; on a tiny fixture profile whose figures are known by hand
// (test/fixtures/cpuProfile/tiny.cpuprofile: 10 samples, 14 ms), and through the script
// that prints them.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  activeSpanUs,
  CpuProfileError,
  formatSelfTimes,
  parseCpuProfile,
  selfTimes,
} from "../../measure/cpuProfile.js";

const fixture = fileURLToPath(new URL("../fixtures/cpuProfile/tiny.cpuprofile", import.meta.url));
const profile = parseCpuProfile(readFileSync(fixture, "utf8"), "tiny.cpuprofile");

describe("selfTimes", () => {
  it("charges each sample's time to its function, sums a function's nodes, and orders by time", () => {
    const t = selfTimes(profile, { root: "/proj" });
    expect(t.map((x) => [x.name, x.location, x.selfMs])).toEqual([
      ["count", "workloads/w.ts", 6],
      ["(idle)", "", 5.5],
      ["(garbage collector)", "", 1],
      ["main", "cloud/x.ts:10", 1],
      ["(anonymous)", "pkg/lib/a.js:5", 0.5],
    ]);
    expect(t[0].share).toBeCloseTo(6 / 14);
    expect(t.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1);
  });

  it("keeps full paths without a root", () => {
    expect(selfTimes(profile)[0].location).toBe("/proj/workloads/w.ts");
  });

  it("reads only the samples within a window", () => {
    const t = selfTimes(profile, { root: "/proj", fromUs: 2000, toUs: 9000 });
    expect(t.map((x) => [x.name, x.selfMs])).toEqual([
      ["count", 6],
      ["(garbage collector)", 1],
    ]);
  });
});

describe("activeSpanUs", () => {
  it("spans from the first to the last sample in files under a prefix", () => {
    expect(activeSpanUs(profile, "workloads/", "/proj")).toEqual({ fromUs: 2000, toUs: 9000 });
  });

  it("counts the build's files under dist/ as the sources'", () => {
    const built = {
      ...profile,
      nodes: profile.nodes.map((n) => ({
        ...n,
        callFrame: {
          ...n.callFrame,
          url: n.callFrame.url.replace("/proj/workloads/", "/proj/dist/workloads/"),
        },
      })),
    };
    expect(activeSpanUs(built, "workloads/", "/proj")).toEqual({ fromUs: 2000, toUs: 9000 });
  });

  it("is null when no sample is under the prefix", () => {
    expect(activeSpanUs(profile, "engine/", "/proj")).toBeNull();
  });
});

describe("formatSelfTimes", () => {
  it("prints the sampled and busy time, then the top self times with their shares", () => {
    expect(formatSelfTimes(profile, "tiny", 2, { root: "/proj" })).toEqual([
      "tiny: 14 ms sampled, 9 ms not idle; top 2 self times",
      "    self ms  share  function (file:line)",
      "        6.0  42.9%  count (workloads/w.ts)",
      "        5.5  39.3%  (idle)",
    ]);
  });
});

describe("parseCpuProfile", () => {
  it("names the file and the fault of what is not a profile", () => {
    expect(() => parseCpuProfile("{", "a.cpuprofile")).toThrow(
      new CpuProfileError("a.cpuprofile: not JSON, so not a .cpuprofile"),
    );
    expect(() => parseCpuProfile('{"nodes": []}', "b.cpuprofile")).toThrow(
      "b.cpuprofile: no nodes, samples and timeDeltas, so not a .cpuprofile",
    );
    expect(() => parseCpuProfile('{"nodes": [], "samples": [1], "timeDeltas": []}', "c")).toThrow(
      "c: 1 samples but 0 time deltas (a truncated profile?)",
    );
  });
});

describe("scripts/cpu-profile-summary.ts", () => {
  const script = fileURLToPath(new URL("../../scripts/cpu-profile-summary.ts", import.meta.url));
  const run = (args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", script, ...args], (e, out, err) =>
        resolve({ code: e === null ? 0 : (e.code as number), out, err }),
      );
    });

  it("prints a profile's top self times, over the span of work under --active", async () => {
    const r = await run(["--top", "1", "--active", "workloads/", "--root", "/proj", fixture]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `${fixture}, 7 ms in workloads/: 7 ms sampled, 7 ms not idle; top 1 self times`,
        "    self ms  share  function (file:line)",
        "        6.0  85.7%  count (workloads/w.ts)",
        "",
        "",
      ].join("\n"),
    );
  });

  it("answers a file that is not there in one line, with exit status 2", async () => {
    const r = await run(["/nonexistent/x.cpuprofile"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("cpu-profile-summary: /nonexistent/x.cpuprofile: no such file or directory\n");
  });
});
