// Benchmark: coordinator failover on real local workers (`seep run --ha`, one standby).
// A word count (20 s of stream at real pace, rsm, a checkpoint every 500 ms, 4 workers)
// runs under a ZooKeeper server started here; its leader is SIGKILLed 4 s after it led the
// run (mid-stream), and the standby takes over. Figures, over N kills (10; --quick: 3):
// the takeover time, from the leader's death to the new leader's first control call (its
// Survey of the workers), median and highest, split into death -> elected (the ZooKeeper
// session's expiry, SEEP_ZK_SESSION_MS, and the election) and elected -> first control call
// (claiming the epoch, reading the record, the journal and the output snapshot). Every run
// is checked against the failure-free output digest (the simulator's); one that differs
// fails the benchmark. Then what HA costs in steady state: the same run with --ha and
// without, taken in turn (3 pairs), compared by latency (p50, p99, from summary.json) and
// wall time; the baseline is the run without HA. The machine's load is printed with each.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../measure/statistics.js";
import { startZookeeper, zookeeperMissing } from "../measure/zookeeperServer.js";
import { parseExperiment } from "../sim/experiment.js";
import { Simulation } from "../sim/simulation.js";
import { workloadPlan } from "../workloads/index.js";
import { BenchFailure, type BenchResult } from "./benchResult.js";

const bin = fileURLToPath(new URL("../bin/seep.js", import.meta.url));

const PARAMS = { lines: 20_000, lineIntervalMs: 1, windowSizeMs: 500, windowSlideMs: 250, parallelism: 2 };
const EXPERIMENT = {
  name: "bench-takeover",
  seed: 1,
  workload: { name: "wordcount", params: PARAMS },
  cluster: { vms: 4 },
  faultTolerance: { strategy: "rsm", checkpointIntervalMs: 500 },
  fidelity: { batchSize: 256, sourcePollMs: 20 },
};
/** The leader is killed this long after it says it leads (workers start, then 2-3 s of stream). */
const KILL_AFTER_LEAD_MS = 4_000;
/** A guard against a hang: no run may take longer. */
const HANG_MS = 300_000;

interface Summary {
  readonly outputDigest: string;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly wallSeconds: number;
  readonly takeover?: { readonly electedEpochMs: number; readonly firstControlEpochMs: number };
}

/** A run of `seep run` on the experiment; with `ha`, killed after leading when `kill`. */
async function run(
  dir: string,
  name: string,
  ha: { readonly zookeeper: string; readonly kill: boolean } | null,
): Promise<{ summary: Summary; killedEpochMs: number | null }> {
  const out = join(dir, name);
  const args = [bin, "run", join(dir, "wc.json"), "--out", out, "--yes", "--quiet"];
  if (ha !== null) args.push("--ha", ha.zookeeper, "--standbys", "1");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let killedEpochMs: number | null = null;
  const led = new Promise<void>((resolve) => {
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (stderr.includes("leads under ZooKeeper")) resolve();
    });
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  if (ha?.kill === true) {
    await Promise.race([led, exited]);
    await new Promise((r) => setTimeout(r, KILL_AFTER_LEAD_MS));
    killedEpochMs = Date.now();
    child.kill("SIGKILL");
  }
  await exited;
  const summary = await summaryOf(join(out, "summary.json"), () => stderr);
  return { summary, killedEpochMs };
}

/** summary.json at `path` once written (by the standby, after a takeover). */
async function summaryOf(path: string, why: () => string): Promise<Summary> {
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    try {
      return JSON.parse(readFileSync(path, "utf8")) as Summary;
    } catch {
      if (Date.now() > deadline) throw new BenchFailure(`${path} never appeared: ${why()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const load = () => loadavg()[0].toFixed(2);

/** Run the coordinator takeover benchmark. */
export async function benchTakeoverReal(quick: boolean): Promise<BenchResult[]> {
  const missing = zookeeperMissing();
  if (missing !== null) throw new BenchFailure(`needs ZooKeeper (Debian's zookeeper package): ${missing}`);
  const kills = quick ? 3 : 10;
  const pairs = quick ? 1 : 3;
  const e = parseExperiment(structuredClone(EXPERIMENT), "bench");
  const digest = new Simulation(e, workloadPlan("wordcount", PARAMS, 1)).run().outputDigest;
  const zk = await startZookeeper();
  const dir = mkdtempSync(join(tmpdir(), "seep-bench-takeover-"));
  writeFileSync(join(dir, "wc.json"), JSON.stringify(EXPERIMENT));
  const loadAtStart = load();
  try {
    const takeover: number[] = [];
    const election: number[] = [];
    const loading: number[] = [];
    for (let i = 0; i < kills; i++) {
      const { summary, killedEpochMs } = await run(dir, `kill-${i}`, { zookeeper: zk.address(), kill: true });
      const t = summary.takeover;
      if (summary.outputDigest !== digest)
        throw new Error(`kill ${i}: output digest ${summary.outputDigest}, not the failure-free ${digest}`);
      if (t === undefined || killedEpochMs === null)
        throw new BenchFailure(`kill ${i}: the run was not taken over (it ended before the kill?)`);
      takeover.push(t.firstControlEpochMs - killedEpochMs);
      election.push(t.electedEpochMs - killedEpochMs);
      loading.push(t.firstControlEpochMs - t.electedEpochMs);
      process.stdout.write(
        `  kill ${i + 1}/${kills}: takeover ${takeover[i]} ms (elected ${election[i]}, first control call ${loading[i]} later), load ${load()}\n`,
      );
    }
    const p50: [number[], number[]] = [[], []];
    const p99: [number[], number[]] = [[], []];
    const wall: [number[], number[]] = [[], []];
    for (let i = 0; i < pairs; i++) {
      for (const [k, ha] of [
        [0, null],
        [1, { zookeeper: zk.address(), kill: false }],
      ] as const) {
        const { summary } = await run(dir, `steady-${i}-${k}`, ha);
        if (summary.outputDigest !== digest)
          throw new Error(
            `steady run ${i} (${k === 1 ? "HA" : "no HA"}): output digest ${summary.outputDigest}`,
          );
        p50[k].push(summary.latencyMs.p50);
        p99[k].push(summary.latencyMs.p99);
        wall[k].push(summary.wallSeconds);
      }
    }
    const session = process.env.SEEP_ZK_SESSION_MS ?? "10000 (default)";
    const what = `word count, 20 s stream, 4 local workers, rsm, SEEP_ZK_SESSION_MS ${session}; load ${loadAtStart} -> ${load()}`;
    return [
      {
        name: `takeover, death -> first control call, median of ${kills} kills (${what})`,
        value: median(takeover),
        unit: "ms",
      },
      {
        name: `takeover, death -> first control call, highest of ${kills} kills`,
        value: Math.max(...takeover),
        unit: "ms",
      },
      {
        name: "  of which death -> elected (session expiry and election), median",
        value: median(election),
        unit: "ms",
      },
      {
        name: "  of which elected -> first control call (record, journal, snapshot), median",
        value: median(loading),
        unit: "ms",
      },
      {
        name: `steady-state latency p50 with --ha (median of ${pairs} runs)`,
        value: median(p50[1]),
        unit: "ms",
        baseline: { name: "without --ha, runs taken in turn", value: median(p50[0]), unit: "ms" },
      },
      {
        name: `steady-state latency p99 with --ha (median of ${pairs} runs)`,
        value: median(p99[1]),
        unit: "ms",
        baseline: { name: "without --ha", value: median(p99[0]), unit: "ms" },
      },
      {
        name: `wall time with --ha (median of ${pairs} runs)`,
        value: median(wall[1]),
        unit: "s",
        baseline: { name: "without --ha", value: median(wall[0]), unit: "s" },
      },
    ];
  } finally {
    await zk.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
