// `npm run build` (run by `prepare`: `npm ci`, `npm pack`): compiles the package
// (tsconfig.build.json) into a fresh folder beside dist/, with a stamp of when the build began,
// and then puts that folder in dist/'s place by renames. Local workers run dist/ while it is
// current (cloud/buildFreshness.ts), so a rebuild must never leave it half written or missing
// for a worker that starts meanwhile (`npm pack`'s prepare rebuilds it while other tests run
// workers). The stamp, dist/.build-stamp, is written before tsc reads any source: a source
// saved during the build is newer than the stamp, and so the build counts as stale.

import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const next = join(root, `.dist-next-${process.pid}`);
/** The stamp's name in dist/; cloud/buildFreshness.ts reads it. */
const STAMP = ".build-stamp";
const SWAP_TRIES = 10;

rmSync(next, { recursive: true, force: true });
mkdirSync(next);
writeFileSync(join(next, STAMP), `${new Date().toISOString()}\n`);

const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const built = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", next], {
  cwd: root,
  stdio: "inherit",
});
if (built.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  process.exit(built.status ?? 1);
}

// dist/ is missing only between the two renames; another build swapping at the same moment
// may put its own dist/ there first, and then this one tries again.
const olds = [];
for (let i = 0; ; i++) {
  const old = join(root, `.dist-old-${process.pid}-${i}`);
  try {
    renameSync(dist, old);
    olds.push(old);
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
  }
  try {
    renameSync(next, dist);
    break;
  } catch (e) {
    if (!["ENOTEMPTY", "EEXIST"].includes(e.code) || i + 1 === SWAP_TRIES) throw e;
  }
}
for (const old of olds) rmSync(old, { recursive: true, force: true });
