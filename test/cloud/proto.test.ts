// The generated protobuf code is committed; this fails when it no longer matches what
// `npm run proto` makes from proto/ (regenerate and commit).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "seep-proto-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe("generated protobuf code", () => {
  it("matches what `npm run proto` generates from proto/", () => {
    const buf = join(root, "node_modules", ".bin", "buf");
    execFileSync(buf, ["generate", "-o", scratch], { cwd: root, timeout: 60_000 });
    const fresh = join(scratch, "cloud", "gen");
    const committed = join(root, "cloud", "gen");
    const names = (d: string) =>
      files(d)
        .map((f) => relative(d, f))
        .sort();
    expect(names(fresh)).toEqual(names(committed));
    for (const name of names(fresh)) {
      expect(readFileSync(join(fresh, name), "utf8"), `cloud/gen/${name} is stale: run npm run proto`).toBe(
        readFileSync(join(committed, name), "utf8"),
      );
    }
  });
});
