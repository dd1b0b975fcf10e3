// Where a worker takes its token: SEEP_TOKEN, or a file only its owner can read; never the
// command line.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTokenFile, TOKEN_ON_COMMAND_LINE, workerToken } from "../../cloud/workerToken.js";

const dir = mkdtempSync(join(tmpdir(), "seep-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe("workerToken", () => {
  it("takes the token from a file before SEEP_TOKEN, and from SEEP_TOKEN without one", () => {
    expect(workerToken(file("a", "from-file\n", 0o600), { SEEP_TOKEN: "from-env" })).toBe("from-file");
    expect(workerToken(undefined, { SEEP_TOKEN: "from-env" })).toBe("from-env");
  });

  it("refuses to go without a token, in one line saying where to put it", () => {
    expect(() => workerToken(undefined, {})).toThrow(
      /^a token is required: set SEEP_TOKEN, or pass --token-file <file>$/,
    );
    expect(() => workerToken(undefined, { SEEP_TOKEN: "" })).toThrow(/token is required/);
  });

  it("says why --token is refused and what to use instead", () => {
    expect(TOKEN_ON_COMMAND_LINE).toMatch(/visible to every local user \(ps\).*SEEP_TOKEN.*--token-file/);
  });
});

describe("readTokenFile", () => {
  it("refuses a file others can read, an empty one, one of several lines and one that is not there", () => {
    expect(() => readTokenFile(file("b", "t", 0o644))).toThrow(
      /readable by others \(mode 644\); chmod 600 it/,
    );
    expect(() => readTokenFile(file("c", "t", 0o640))).toThrow(/readable by others/);
    expect(() => readTokenFile(file("d", "\n", 0o600))).toThrow(/is empty/);
    expect(() => readTokenFile(file("e", "a\nb\n", 0o600))).toThrow(/more than one line/);
    expect(() => readTokenFile(join(dir, "missing"))).toThrow(/missing: ENOENT/);
  });

  it("takes the token without its trailing newline", () => {
    expect(readTokenFile(file("f", "secret\r\n", 0o400))).toBe("secret");
  });
});
