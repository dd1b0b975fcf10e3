// Where a run writes without --out (cli/runDirectory.ts): the name from its start time and
// seed, a claim that never takes a directory that exists, and the `latest` link.

import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claimRunDirectory, defaultRunDirectory, LATEST_LINK, pointLatest } from "../../cli/runDirectory.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-rundir-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("a run's own directory", () => {
  it("is named after the run, its UTC start time and its seed", () => {
    const at = new Date(Date.UTC(2026, 11, 7, 4, 30, 12, 345));
    expect(defaultRunDirectory("wordcount", 7, at)).toBe(join("runs", "wordcount", "20261207-043012-seed7"));
    expect(defaultRunDirectory("lrb", 1, at, "-real")).toBe(
      join("runs", "lrb", "20261207-043012-seed1-real"),
    );
  });

  it("is claimed anew when the name is taken: -2, -3, never an existing one", () => {
    const wanted = join(scratch, "claims", "x", "20261207-043012-seed1");
    expect(claimRunDirectory(wanted)).toBe(wanted);
    writeFileSync(join(wanted, "summary.json"), "{}\n");
    expect(claimRunDirectory(wanted)).toBe(`${wanted}-2`);
    expect(claimRunDirectory(wanted)).toBe(`${wanted}-3`);
    expect(existsSync(join(wanted, "summary.json"))).toBe(true);
  });

  it("is what latest links to, relatively, replacing the link of the run before", () => {
    const parent = join(scratch, "latest", "wordcount");
    const a = claimRunDirectory(join(parent, "a"));
    const b = claimRunDirectory(join(parent, "b"));
    pointLatest(a);
    expect(readlinkSync(join(parent, LATEST_LINK))).toBe("a");
    pointLatest(b);
    expect(readlinkSync(join(parent, LATEST_LINK))).toBe("b");
  });

  it("leaves a latest that is not a link alone", () => {
    const parent = join(scratch, "mine", "wordcount");
    mkdirSync(join(parent, LATEST_LINK), { recursive: true });
    pointLatest(claimRunDirectory(join(parent, "a")));
    expect(lstatSync(join(parent, LATEST_LINK)).isDirectory()).toBe(true);
  });
});
