// What a run records of its machine and software (cli/runEnvironment.ts), checked against
// git itself in a repository made here: the commit outside a checkout (null), of a fresh
// commit, and whether tracked files changed since.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gitCommit, gitDirty, runEnvironment } from "../../cli/runEnvironment.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-env-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-C", cwd, "-c", "user.name=t", "-c", "user.email=t@t", ...args], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

describe("the environment a run records", () => {
  it("has no commit outside a checkout", () => {
    expect(gitCommit(scratch)).toBeNull();
  });

  it("names a checkout's HEAD and whether its tracked files changed", () => {
    const repo = join(scratch, "repo");
    spawnSync("git", ["init", "-q", repo]);
    writeFileSync(join(repo, "a.txt"), "one\n");
    git(repo, "add", "a.txt");
    git(repo, "commit", "-q", "-m", "first");
    const head = git(repo, "rev-parse", "HEAD");
    expect(gitCommit(repo)).toBe(head);
    expect(gitDirty(repo)).toBe(false);
    // An untracked file is not a change to what the commit names; an edit is.
    writeFileSync(join(repo, "b.txt"), "new\n");
    expect(gitDirty(repo)).toBe(false);
    writeFileSync(join(repo, "a.txt"), "two\n");
    expect(gitDirty(repo)).toBe(true);
  });

  it("names this Node and this machine", () => {
    const e = runEnvironment();
    expect(e.node).toBe(process.version);
    expect(e.cores).toBe(cpus().length);
    expect(e.cpuModel.length).toBeGreaterThan(0);
    expect(e.os).toMatch(new RegExp(`^${process.platform} `));
    expect(e.loadAverageAtStart).toHaveLength(3);
    expect(new Date(e.startedAt).toISOString()).toBe(e.startedAt);
  });
});
