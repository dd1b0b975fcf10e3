// The `seep` executable as a user meets it: spawned with `node bin/seep.js`, checked on
// its help, its exit codes and the one-line errors it gives for mistakes.

import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seep } from "./spawnSeep.js";

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The lines of `text`, without the final newline. */
function linesOf(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}

describe("seep", () => {
  it("--help lists the demo and bench commands and examples, and exits 0", async () => {
    const out = await seep(["--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^\s+demo\b/m);
    expect(out.stdout).toMatch(/^\s+bench\b/m);
    expect(out.stdout).toMatch(/^Examples:\n {2}npx seep report lrb-scaleout /m);
  });

  it("demo --help shows every option with its default", async () => {
    const out = await seep(["demo", "--help"]);
    expect(out.code).toBe(0);
    for (const [flag, value] of [
      ["--seed", 42],
      ["--lines", 2000],
      ["--window-ms", 10000],
      ["--slide-ms", 5000],
      ["--parallelism", 2],
      ["--top", 5],
    ]) {
      expect(out.stdout).toMatch(new RegExp(`${flag} <\\w+>[\\s\\S]*?\\(default: ${value}\\)`));
    }
  });

  it("a bad flag value exits 2 with one line naming the flag and the value, without a stack", async () => {
    const out = await seep(["demo", "--lines", "abc"]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(linesOf(out.stderr)).toEqual([expect.stringMatching(/^seep: .*--lines.*'abc'/)]);
    expect(out.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it("an out-of-range value is refused like a malformed one", async () => {
    const out = await seep(["demo", "--parallelism", "0"]);
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([expect.stringMatching(/^seep: --parallelism .*'0'/)]);
  });

  it("an unknown option exits 2 with one line that points to --help", async () => {
    const out = await seep(["demo", "--no-such-flag"]);
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([
      expect.stringMatching(/^seep: unknown option '--no-such-flag'.*seep demo --help/),
    ]);
  });

  it("an unknown command exits 2 with one line", async () => {
    const out = await seep(["no-such-command"]);
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([expect.stringMatching(/^seep: unknown command 'no-such-command'/)]);
  });

  it("bench --only refuses a name that is not a benchmark, listing the known ones", async () => {
    const out = await seep(["bench", "--only", "no-such-bench"]);
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([
      expect.stringMatching(/^seep: --only .*'no-such-bench' \(known: .+\)$/),
    ]);
  });

  it("a benchmark that cannot observe its event says why in one line, exit 1 (takeover-real without java)", async () => {
    // A PATH that has node and nothing else: no `java` to run ZooKeeper.
    const bare = mkdtempSync(join(tmpdir(), "seep-bare-path-"));
    try {
      symlinkSync(process.execPath, join(bare, "node"));
      const out = await seep(["bench", "--only", "takeover-real", "--quick"], { env: { PATH: bare } });
      expect(out.code).toBe(1);
      expect(linesOf(out.stderr)).toEqual([
        expect.stringMatching(/^seep: bench takeover-real: needs ZooKeeper .*no `java` on the PATH$/),
      ]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it("bench --only refuses an empty name", async () => {
    const out = await seep(["bench", "--only", "a,,b"]);
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([expect.stringMatching(/^seep: --only .*'a,,b'/)]);
  });

  it("demo --lines 200 prints its windows, then the seed and the time taken, and exits 0", async () => {
    const out = await seep(["demo", "--lines", "200"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const lines = linesOf(out.stdout);
    expect(lines[0]).toMatch(/^\[-5 s, 5 s\)\s+\w+ \d+/);
    expect(lines.at(-2)).toMatch(/^total: \d+ words in 200 lines, \d+ windows of 10 s every 5 s, seed 42$/);
    expect(lines.at(-1)).toMatch(/^seed 42, \d+\.\d{2} s wall clock$/);
  });

  it("demo runs the same text for the same seed and another for another seed", async () => {
    const windowsOf = (o: Outcome) => linesOf(o.stdout).slice(0, -1).join("\n");
    const [a, b, c] = await Promise.all([
      seep(["demo", "--lines", "100", "--seed", "7"]),
      seep(["demo", "--lines", "100", "--seed", "7"]),
      seep(["demo", "--lines", "100", "--seed", "8"]),
    ]);
    expect(windowsOf(a)).toBe(windowsOf(b));
    expect(windowsOf(a)).not.toBe(windowsOf(c));
  });

  it("demo refuses a window that is not a multiple of the slide, on one line", async () => {
    const out = await seep(["demo", "--window-ms", "10000", "--slide-ms", "3000"]);
    expect(out.code).toBe(2);
    expect(linesOf(out.stderr)).toEqual([expect.stringMatching(/^seep: --window-ms .* --slide-ms/)]);
  });
});
