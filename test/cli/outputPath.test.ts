// Where a command writes, checked before any work: a directory where a file is expected
// (and the reverse), an existing file or finished run without --force, and a place that
// cannot be written (/proc/x) are each one line at once. Checked on the helpers in
// process, and on `seep lrb generate -o` as a user runs it.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../cli/errors.js";
import {
  checkOutputDirectory,
  checkOutputFile,
  prepareDirectory,
  prepareOutputFile,
} from "../../cli/outputPath.js";
import { type Outcome, seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-output-path-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A place under the scratch directory, made fresh for each name. */
function at(name: string): string {
  return join(scratch, name);
}

/** The UserError message of `action`. */
function refusal(action: () => void): string {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("it was accepted");
}

/** Linux's /proc refuses new entries: the place that made `seep sim --out /proc/x` hang. */
const hasProc = existsSync("/proc/self");

/** Expect a failure with one line on stderr matching `pattern`, no stack, and nothing on stdout. */
function expectOneLineError(out: Outcome, pattern: RegExp): void {
  expect(out.code).toBe(2);
  expect(out.stdout).toBe("");
  expect(out.stderr.replace(/\n$/, "").split("\n")).toEqual([expect.stringMatching(pattern)]);
}

describe("checkOutputFile", () => {
  it("refuses a directory, and an existing file unless forced", () => {
    const dir = at("a-dir");
    mkdirSync(dir);
    expect(refusal(() => checkOutputFile(dir, "-o", true))).toBe(
      `-o ${dir}: is a directory; expected a file`,
    );
    const file = at("a-file.csv");
    writeFileSync(file, "x");
    expect(refusal(() => checkOutputFile(file, "-o", false))).toBe(
      `-o ${file}: the file exists; --force overwrites it`,
    );
    expect(() => checkOutputFile(file, "-o", true)).not.toThrow();
    expect(() => checkOutputFile(at("new/deeper/file.csv"), "-o", false)).not.toThrow();
  });

  it("refuses a file under a file, naming the file in the way", () => {
    const file = at("plain");
    writeFileSync(file, "x");
    expect(refusal(() => checkOutputFile(join(file, "out.csv"), "--out", false))).toBe(
      `--out ${join(file, "out.csv")}: ${file} is not a directory`,
    );
  });

  it("lets a device be written to: there is nothing to overwrite", () => {
    if (existsSync("/dev/null")) expect(() => checkOutputFile("/dev/null", "--out", false)).not.toThrow();
  });
});

describe("checkOutputDirectory", () => {
  it("refuses a file, and a directory holding finished work unless forced", () => {
    const file = at("not-a-dir");
    writeFileSync(file, "x");
    expect(refusal(() => checkOutputDirectory(file, "--out", true, "summary.json", "a finished run"))).toBe(
      `--out ${file}: is a file; expected a directory`,
    );
    const run = at("run-1");
    mkdirSync(run);
    expect(() => checkOutputDirectory(run, "--out", false, "summary.json", "a finished run")).not.toThrow();
    writeFileSync(join(run, "summary.json"), "{}");
    expect(refusal(() => checkOutputDirectory(run, "--out", false, "summary.json", "a finished run"))).toBe(
      `--out ${run}: holds a finished run (summary.json); --force overwrites it, or choose another --out`,
    );
    expect(() => checkOutputDirectory(run, "--out", true, "summary.json", "a finished run")).not.toThrow();
  });
});

describe("prepareDirectory", () => {
  it("creates the missing levels and leaves nothing else behind", () => {
    const dir = at("p/q/r");
    prepareDirectory(dir, "--out");
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    prepareOutputFile(at("s/t/file.csv"), "-o");
    expect(statSync(at("s/t")).isDirectory()).toBe(true);
  });

  it.runIf(hasProc)("refuses /proc/x at once, in one line, where a recursive mkdir never returns", () => {
    expect(refusal(() => prepareDirectory("/proc/x", "--out"))).toBe(
      "--out /proc/x: cannot create directory /proc/x: no such file or directory",
    );
    expect(refusal(() => prepareOutputFile("/proc/x", "--out"))).toBe(
      "--out /proc/x: cannot write in /proc: no such file or directory",
    );
  });
});

describe("seep lrb generate -o", () => {
  const generate = (out: string, ...more: string[]) =>
    seep(["lrb", "generate", "--duration", "5", "-o", out, ...more]);

  it("refuses a directory in one line, before writing anything", async () => {
    const dir = at("gen-dir");
    mkdirSync(dir);
    expectOneLineError(await generate(dir), /^seep: -o .*gen-dir: is a directory; expected a file$/);
    expect(existsSync(`${dir}.tolls`)).toBe(false);
  });

  it("refuses to overwrite the file or its tolls without --force, and overwrites with it", async () => {
    const file = at("gen.csv");
    writeFileSync(file, "keep me\n");
    expectOneLineError(await generate(file), /^seep: -o .*gen\.csv: the file exists; --force overwrites it$/);
    expect(readFileSync(file, "utf8")).toBe("keep me\n");
    const other = at("gen2.csv");
    writeFileSync(`${other}.tolls`, "keep me too\n");
    expectOneLineError(await generate(other), /^seep: -o .*gen2\.csv\.tolls: the file exists; --force/);
    expect(existsSync(other)).toBe(false);
    const forced = await generate(file, "--force");
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^0,0,/);
  });

  it.runIf(hasProc)("refuses /proc/x in one line", async () => {
    expectOneLineError(await generate("/proc/x"), /^seep: -o \/proc\/x: cannot write in \/proc: /);
  });

  it("refuses a generation estimated long unless --yes, at once", async () => {
    expectOneLineError(
      await seep(["lrb", "generate", "--xways", "1000", "--duration", "86400", "-o", at("huge.csv")]),
      /^seep: lrb generate is long: about [\d.]+e\d+ records, \d+ GB .*; --yes runs it anyway/,
    );
    expect(existsSync(at("huge.csv"))).toBe(false);
  });
});
