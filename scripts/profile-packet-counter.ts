// Profile the packet counter on 2 local worker processes (the packet-counter benchmark's
// run, measure/packetCounterThroughput.ts): each worker runs under `node --cpu-prof`, and
// this process too when started so, all writing into DIR. Prints the run's rate, then the
// top self times of each worker's profile over its span of work, labelled by what it ran
// (the source's worker, the counter's). This process's own profile (the coordinator's) is
// written as it exits: summarise it afterwards with scripts/cpu-profile-summary.ts.
// Usage: node --cpu-prof --cpu-prof-dir=DIR --import tsx scripts/profile-packet-counter.ts DIR [PACKETS]
// (NODE_OPTIONS may not carry --cpu-prof, so the workers are given it on their command line.)

import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudRun } from "../cloud/cloudRun.js";
import { LocalProcessPool } from "../cloud/localProcessPool.js";
import { seepWorkerCommand } from "../cloud/packageRoot.js";
import {
  activeSpanUs,
  type CpuProfile,
  formatSelfTimes,
  parseCpuProfile,
  selfTimes,
} from "../measure/cpuProfile.js";
import { packetCounterRun } from "../measure/packetCounterThroughput.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const [dirArg, packetsArg] = process.argv.slice(2);
if (dirArg === undefined) {
  process.stderr.write("usage: profile-packet-counter.ts DIR [PACKETS]\n");
  process.exit(2);
}
const dir = resolve(dirArg);
const packets = Number(packetsArg ?? 5_000_000);
mkdirSync(dir, { recursive: true });

const [node, ...rest] = seepWorkerCommand();
const token = "profile";
const pool = new LocalProcessPool({
  command: [node, "--cpu-prof", `--cpu-prof-dir=${dir}`, ...rest],
  token,
});
try {
  const s = await new CloudRun(packetCounterRun(packets, pool, token)).run();
  process.stdout.write(
    `${s.tuplesIn} packets in ${s.simulatedSeconds} s: ${(s.tuplesIn / s.simulatedSeconds / 1e6).toFixed(2)}M tuples/s\n\n`,
  );
} finally {
  // Workers write their profiles as they exit on the pool's SIGTERM.
  await pool.shutdown();
}

/** What the process (or thread) of `profile` ran, from the project's functions it spent time in. */
function label(profile: CpuProfile): string {
  // A source file, or its build under dist/ (which a clone's workers may run), by its source's name.
  const source = (location: string) =>
    location
      .split(":")[0]
      .replace(/^dist\//, "")
      .replace(/\.js$/, ".ts");
  const files = new Set(selfTimes(profile, { root }).map((t) => source(t.location)));
  if (files.has("cloud/cloudRun.ts")) return "the coordinator";
  if (files.has("workloads/packetCounter/packetSource.ts")) return "the source's worker";
  if (files.has("workloads/packetCounter/packetCounterPlan.ts")) return "the counter's worker";
  return "a loader thread (tsx)";
}

for (const f of readdirSync(dir).sort()) {
  if (!f.endsWith(".cpuprofile")) continue;
  const profile = parseCpuProfile(readFileSync(join(dir, f), "utf8"), f);
  const what = label(profile);
  if (what.startsWith("a loader")) continue;
  // A worker's span on the workload (its start-up left out); the coordinator's whole life.
  const span = what === "the coordinator" ? null : activeSpanUs(profile, "workloads/", root);
  const title = `${what} (${f})${span === null ? "" : `, ${((span.toUs - span.fromUs) / 1000).toFixed(0)} ms of work`}`;
  process.stdout.write(`${formatSelfTimes(profile, title, 15, { root, ...span }).join("\n")}\n\n`);
}
