// Finding the package from inside it: the clone's root from the sources (and from any folder
// below it, as dist/cloud/ is in an installed package), its executable, its version.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  PACKAGE_ROOT,
  packageRootFrom,
  SEEP_BIN,
  seepVersion,
  seepWorkerCommand,
} from "../../cloud/packageRoot.js";

const root = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

describe("packageRoot", () => {
  it("is the clone's root, whose bin/seep.js is the executable and whose package.json gives the version", () => {
    expect(PACKAGE_ROOT).toBe(root);
    expect(SEEP_BIN).toBe(join(root, "bin", "seep.js"));
    expect(existsSync(SEEP_BIN)).toBe(true);
    expect(seepVersion()).toBe(pkg.version);
    expect(seepWorkerCommand()).toEqual([process.execPath, SEEP_BIN, "worker"]);
  });

  it("is found from a folder deeper down, as from dist/cloud/, and not above the package", () => {
    expect(packageRootFrom(join(root, "dist", "cloud"))).toBe(root);
    expect(packageRootFrom(join(root, "test", "cloud"))).toBe(root);
    expect(() => packageRootFrom("/")).toThrow(/no seep-testbed package.json at or above \//);
  });
});
