// Coordinator failover end to end: `seep run --ha` with one standby (`--standbys 1`) on 4
// local workers under rsm, whose leader SIGKILLs itself at a point of the protocol
// (SEEP_HA_CRASH_AFTER): at a steady point, in a checkpoint round, in a worker's recovery
// and in a scale out. The standby takes the run over and writes its files; the run's output
// digest must be the failure-free one, which the simulator gives (a second source of truth:
// a real run's digest equals the simulated one's). Nothing waits on the machine's speed:
// each run goes to the end of its stream, and every process started here (the leader, the
// standby, the workers the record names) is killed when its test ends.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, expect, it } from "vitest";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";
import { until, within } from "../support/bounded.js";
import { describeLong, LONG_TESTS } from "../support/longTests.js";
import { describeWithZookeeper, startZookeeper, type ZookeeperServer } from "../support/zookeeperServer.js";
import { root, seep } from "./spawnSeep.js";

const bin = join(root, "bin", "seep.js");

/** 6 s of stream, replayed at twice real time; two of each operator; a checkpoint every 500 ms. */
const PARAMS = { lines: 6000, lineIntervalMs: 1, windowSizeMs: 500, windowSlideMs: 250, parallelism: 2 };
const EXPERIMENT = {
  name: "ha-wordcount",
  seed: 1,
  workload: { name: "wordcount", params: PARAMS },
  cluster: { vms: 4 },
  faultTolerance: { strategy: "rsm", checkpointIntervalMs: 500 },
  fidelity: { batchSize: 256, sourcePollMs: 20, replaySpeed: 2 },
};

/** A guard against a hang, not a bound on speed: a busy machine makes a run several times slower. */
const HANG_MS = 300_000;

function failureFreeDigest(params = PARAMS, replaySpeed = 2): string {
  const experiment = structuredClone(EXPERIMENT);
  experiment.workload.params = params;
  experiment.fidelity.replaySpeed = replaySpeed;
  const e = parseExperiment(experiment, "test");
  return new Simulation(e, workloadPlan("wordcount", params, 1)).run().outputDigest;
}

/** Pids to kill after each test: leaders, standbys, workers. */
const started = new Set<number>();
const dirs: string[] = [];

afterEach(() => {
  for (const pid of started) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  started.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Every process the run's files name: the standbys (the leader's stderr) and the workers (the summary, the logs). */
function noteProcesses(stderr: string): void {
  const m = /standby coordinators: pid ([\d, ]+)/.exec(stderr);
  for (const pid of m?.[1].split(",").map((p) => Number(p.trim())) ?? []) started.add(pid);
}

/** A ZooKeeper server for the tests of the describe() this is called in: started before them, stopped after. */
function zookeeperOfSuite(): () => ZookeeperServer {
  let zk: ZookeeperServer | undefined;
  beforeAll(async () => {
    zk = await startZookeeper();
    return () => zk?.stop();
  }, 60_000);
  return () => {
    if (zk === undefined) throw new Error("ZooKeeper was not started");
    return zk;
  };
}

/** The standby's log in run directory `out` (coordinator-1.log), or a line saying there is none. */
function standbyLogOf(out: string): string {
  try {
    return readFileSync(join(out, "coordinator-1.log"), "utf8");
  } catch {
    return "(no standby log)";
  }
}

/** Wait for `child` to exit; its code and signal. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

/** Poll for `path` until it exists (a guard against a hang only). */
async function fileAppears(path: string, why: () => string, boundMs = HANG_MS): Promise<string> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} never appeared: ${why()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** What the standby's summary.json says, as read here. */
interface TakenOverSummary {
  readonly outputDigest: string;
  readonly tuplesIn: number;
  readonly failures: { vm: number }[];
  readonly recoveries: unknown[];
  readonly scaleOuts: { completedAtMs: number | null }[];
  readonly takeover: { epoch: number; electedEpochMs: number; firstControlEpochMs: number | null };
}

/**
 * Start `seep run <runArgs> --out <out> --ha <zk> --standbys 1` with `env` added (a 2 s
 * ZooKeeper session by default); its stderr so far, and its end.
 */
function spawnLeader(zk: ZookeeperServer, runArgs: readonly string[], out: string, env: NodeJS.ProcessEnv) {
  const args = [
    bin,
    "run",
    ...runArgs,
    "--out",
    out,
    "--yes",
    "--quiet",
    "--ha",
    zk.address("/seep"),
    "--standbys",
    "1",
  ];
  const leader = spawn(process.execPath, args, {
    cwd: root,
    // Workers left by a failed test end 20 s after they last heard a coordinator.
    env: { ...process.env, SEEP_ZK_SESSION_MS: "2000", SEEP_HA_LEASE_MS: "20000", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (leader.pid !== undefined) started.add(leader.pid);
  let stderr = "";
  leader.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    noteProcesses(stderr);
  });
  return { stderr: () => stderr, end: exited(leader) };
}

/**
 * `seep run <runArgs> --out <out> --ha <zk> --standbys 1` whose leader SIGKILLs itself at
 * `crashAfter`; the summary its standby writes, and the standby's log.
 */
async function leaderKilled(
  zk: ZookeeperServer,
  crashAfter: string,
  runArgs: readonly string[],
  out: string,
) {
  const leader = spawnLeader(zk, runArgs, out, { SEEP_HA_CRASH_AFTER: crashAfter });
  const end = await leader.end;
  const log = () => standbyLogOf(out);
  // The leader died at its crash point: SIGKILL, not an exit of its own.
  expect(end.signal, `leader: ${leader.stderr()}`).toBe("SIGKILL");
  const summary = JSON.parse(await fileAppears(join(out, "summary.json"), log)) as TakenOverSummary;
  return { summary, log: log(), files: readdirSync(out) };
}

describeWithZookeeper("seep run --ha: the standby takes over a run whose leader was SIGKILLed", () => {
  let zk: ZookeeperServer;
  let digest: string;
  let longDigest: string;
  beforeAll(async () => {
    zk = await startZookeeper();
    digest = failureFreeDigest();
    longDigest = failureFreeDigest({ ...PARAMS, lines: 12_000 }, 1);
    return () => zk.stop();
  }, 60_000);

  /** Run the word count with `args`, its leader crashing at `crashAfter`; the standby's summary. */
  async function takenOver(crashAfter: string, args: readonly string[] = []) {
    const dir = mkdtempSync(join(tmpdir(), "seep-ha-"));
    dirs.push(dir);
    const file = join(dir, "wc.json");
    writeFileSync(file, JSON.stringify(EXPERIMENT));
    return leaderKilled(zk, crashAfter, [file, ...args], join(dir, "run"));
  }

  it(
    "at a steady point (after the run started), the standby's run ends with the failure-free digest",
    async () => {
      const { summary, log, files } = await takenOver("start:1+1000");
      // The new leader wrote the run's files; the old leader's partial outputs are gone.
      expect(files).toContain("outputs.csv");
      expect(files.filter((f) => f.includes(".partial-"))).toEqual([]);
      expect(log).toMatch(/took over run ha-wordcount-\w+ as leader of epoch 2/);
      expect(summary.takeover.epoch).toBeGreaterThanOrEqual(2);
      expect(summary.takeover.firstControlEpochMs).toBeGreaterThanOrEqual(summary.takeover.electedEpochMs);
      expect(summary.tuplesIn).toBe(PARAMS.lines);
      expect(summary.outputDigest).toBe(digest);
    },
    HANG_MS,
  );

  it(
    "during a checkpoint round, the digest is the failure-free one",
    async () => {
      const { summary } = await takenOver("timer:3");
      expect(summary.outputDigest).toBe(digest);
    },
    HANG_MS,
  );

  it(
    "during a worker's recovery, the recovery finishes under the new leader, once, with the failure-free digest",
    async () => {
      const { summary } = await takenOver("failed:1", ["--kill", "worker=1@1500ms"]);
      expect(summary.failures.map((f) => f.vm)).toEqual([1]);
      expect(summary.recoveries).toHaveLength(1);
      expect(summary.outputDigest).toBe(digest);
    },
    HANG_MS,
  );

  it(
    "during a scale out (its worker reserved, the upstreams pausing), it finishes under the new leader with the failure-free digest",
    async () => {
      // 12 s of stream at real pace here: the scale out must still have its instance running
      // when the new leader carries it on (one that ended meanwhile cannot be split).
      const longer = ["--set", "workload.params.lines=12000", "--set", "fidelity.replaySpeed=1"];
      const { summary } = await takenOver("reserved:1", ["--scale-out", "count@1500", ...longer]);
      expect(summary.scaleOuts).toHaveLength(1);
      expect(summary.scaleOuts[0].completedAtMs).not.toBeNull();
      expect(summary.outputDigest).toBe(longDigest);
    },
    HANG_MS,
  );
});

describeWithZookeeper("seep run --ha: ZooKeeper lost mid-run", () => {
  const zookeeper = zookeeperOfSuite();

  it(
    "the leader steps down once its session expires, leaving the workers; the standby takes over once ZooKeeper is back, and the digest is the failure-free one",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "seep-ha-zk-"));
      dirs.push(dir);
      const file = join(dir, "wc.json");
      const params = { ...PARAMS, lines: 12_000 };
      writeFileSync(file, JSON.stringify({ ...EXPERIMENT, workload: { name: "wordcount", params } }));
      const out = join(dir, "run");
      const zk = zookeeper();
      const leader = spawnLeader(zk, [file, "--set", "fidelity.replaySpeed=1"], out, {
        SEEP_ZK_CONNECT_MS: "2000",
        SEEP_HA_LEASE_MS: "30000",
      });
      // Mid-stream (once the leader has snapshotted its outputs: the run has started),
      // ZooKeeper hangs for longer than a session: both coordinators' sessions end.
      const runs = join(out, "checkpoints", "runs");
      await until(
        () => existsSync(runs) && readdirSync(runs).some((id) => existsSync(join(runs, id, "outputs"))),
        "an output snapshot",
        HANG_MS / 4,
      );
      await zk.pause();
      await new Promise((r) => setTimeout(r, 5000));
      zk.resume();
      // Each step has its own bound (together under the test's), so that a hang says where.
      const standbyLog = () => standbyLogOf(out);
      const { code } = await within(
        leader.end,
        `the deposed leader's exit; its stderr: ${leader.stderr()}`,
        HANG_MS / 3,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nleader stderr now: ${leader.stderr()}\nstandby log: ${standbyLog()}`);
      });
      expect(code, leader.stderr()).toBe(1);
      expect(leader.stderr()).toMatch(/this coordinator was deposed/);
      const summary = JSON.parse(
        await fileAppears(
          join(out, "summary.json"),
          () => `leader stderr: ${leader.stderr()}\nstandby log: ${standbyLog()}`,
          HANG_MS / 3,
        ),
      ) as TakenOverSummary;
      expect(summary.takeover.epoch).toBeGreaterThanOrEqual(2);
      expect(summary.outputDigest).toBe(failureFreeDigest(params, 1));
    },
    HANG_MS,
  );
});

// With the long tests only (its ZooKeeper not even started otherwise): the word-count
// takeovers above cover a leader dying in a checkpoint round in every run.
(LONG_TESTS ? describeWithZookeeper : describeLong)(
  "seep run --ha: Linear Road taken over mid-run still validates",
  () => {
    const zookeeper = zookeeperOfSuite();

    it(
      "2 expressways, 60 s at 4x: the leader dies in a checkpoint round; answers.csv validates and the digest is the simulated one",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "seep-ha-lrb-"));
        dirs.push(dir);
        const sets = [
          "--set",
          "workload.params.xways=2",
          "--set",
          "workload.params.durationS=60",
          "--set",
          "fidelity.replaySpeed=4",
          "--set",
          "faultTolerance.strategy=rsm",
        ];
        const sim = await seep([
          "sim",
          "lrb",
          ...sets,
          "--set",
          "cluster.vms=3",
          "--out",
          join(dir, "sim"),
          "--quiet",
        ]);
        expect(sim.code, sim.stderr).toBe(0);
        const simDigest = /output digest ([0-9a-f]+)/.exec(sim.stdout)?.[1];
        const input = join(dir, "lr.csv");
        const gen = await seep([
          "lrb",
          "generate",
          "--xways",
          "2",
          "--duration",
          "60",
          "--seed",
          "1",
          "-o",
          input,
        ]);
        expect(gen.code, gen.stderr).toBe(0);
        const out = join(dir, "run");
        const { summary } = await leaderKilled(
          zookeeper(),
          "timer:8",
          ["lrb", ...sets, "--workers", "3"],
          out,
        );
        expect(summary.takeover.epoch).toBe(2);
        expect(summary.outputDigest).toBe(simDigest);
        const v = await seep([
          "lrb",
          "validate",
          "--input",
          input,
          "--tolls",
          `${input}.tolls`,
          "--output",
          join(out, "answers.csv"),
        ]);
        expect(v.stdout).toMatch(
          /mismatches: missing 0, duplicate 0, wrong value 0, late \(Emit - Time > 5 s\) 0, unexpected 0/,
        );
        expect(v.code, v.stdout).toBe(0);
      },
      HANG_MS,
    );
  },
);
