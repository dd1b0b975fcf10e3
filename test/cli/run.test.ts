// `seep run` and `seep worker` as a user meets them: a real run on local worker processes
// writes the same files as `seep sim` and agrees with it on the output digest; mistakes
// are one-line errors. Workers bind 127.0.0.1 and are gone when the command returns.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { tokenMetadata } from "../../cloud/auth.js";
import { call, controlClient, spawnWorker } from "../cloud/workerCalls.js";
import { csvObjects } from "./csvParse.js";
import { seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-run-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const small = [
  "--set",
  "workload.params.lines=800",
  "--set",
  "workload.params.windowSizeMs=200",
  "--set",
  "workload.params.windowSlideMs=100",
];
const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

describe("seep run", () => {
  it("runs the wordcount preset on 2 local workers, writes the run's files and agrees with seep sim", async () => {
    const real = join(scratch, "real");
    const sim = join(scratch, "sim");
    // The simulator's run beside the real one: nothing compared depends on either's timing.
    const [out, simulated] = await Promise.all([
      seep(["run", "wordcount", "--workers", "2", "--quiet", "--out", real, ...small]),
      seep(["sim", "wordcount", "--quiet", "--out", sim, ...small]),
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    for (const f of ["summary.json", "metrics.csv", "outputs.csv", "experiment.json"])
      expect(existsSync(join(real, f))).toBe(true);
    const s = json(join(real, "summary.json"));
    expect(s.runtime).toBe("local");
    expect(s.tuplesIn).toBe(800);
    expect(s.failures).toEqual([]);
    expect(s.wallSeconds).toBeGreaterThan(0);
    // What it ran on, as a simulated run's summary says it (cli/runEnvironment.ts).
    expect(s.environment).toMatchObject({ node: process.version, cores: cpus().length });
    expect(json(join(real, "experiment.json")).pool).toMatchObject({ handoutMs: 5000, maxVms: 100 });
    expect(simulated.code).toBe(0);
    expect(s.outputDigest).toBe(json(join(sim, "summary.json")).outputDigest);
    // The same tidy files: outputs.csv with the words, the same rows but for when and where
    // each was received; metrics.csv in long form, its tuples in the summary's.
    const results = (dir: string) => {
      const rows = csvObjects(readFileSync(join(dir, "outputs.csv"), "utf8"));
      return rows
        .map((r) => [r.sink, r.eventTimeMs, r.word, r.windowStartMs, r.windowEndMs, r.count].join(" "))
        .sort();
    };
    const realResults = results(real);
    expect(realResults.length).toBeGreaterThan(10);
    expect(realResults.every((r) => /^sink -?\d+ [a-z]+ -?\d+ \d+ \d+$/.test(r))).toBe(true);
    expect(realResults).toEqual(results(sim));
    const metrics = csvObjects(readFileSync(join(real, "metrics.csv"), "utf8"));
    const tuplesIn = metrics.filter((m) => m.metric === "tuplesIn" && m.scope === "run");
    expect(tuplesIn.reduce((t, m) => t + Number(m.value), 0)).toBe(800);
  });

  it("refuses an unknown pool, and ec2 without its settings, in one line", async () => {
    const [a, b] = await Promise.all([
      seep(["run", "wordcount", "--pool", "aws"]),
      seep(["run", "wordcount", "--pool", "ec2"]),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split("\n")).toHaveLength(1);
    expect(a.stderr).toMatch(/--pool/);
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split("\n")).toHaveLength(1);
    expect(b.stderr).toMatch(/cloud\.ec2/);
  });
});

describe("seep run --kill", () => {
  it("refuses a malformed kill, a worker the run does not have, and kills on ec2, in one line", async () => {
    const cases: [string[], RegExp][] = [
      [["--kill", "worker=x@5s"], /--kill expects worker=<index>@<time>.*got 'worker=x@5s'/],
      [["--kill", "worker=1@5"], /--kill expects worker=<index>@<time>/],
      [["--kill", "node=1@5s"], /--kill expects worker=<index>@<time>/],
      [["--workers", "2", "--kill", "worker=2@1s"], /--kill worker=2: the run has 2 workers \(0 to 1\)/],
      [["--pool", "ec2", "--kill", "worker=0@1s"], /--kill needs the local pool/],
    ];
    // Each refused before any worker starts: all at once, checked one by one.
    const outs = await Promise.all(cases.map(([args]) => seep(["run", "wordcount", ...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const out = outs[i];
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(out.stderr, args.join(" ")).toMatch(message);
    }
  });

  it("recovers under rsm from a worker it SIGKILLs: the output digest of seep sim, the recovery in summary.json", async () => {
    const real = join(scratch, "killed");
    const sim = join(scratch, "sim-ft");
    const settings = [
      "--set",
      "workload.params.lines=4000",
      "--set",
      "workload.params.windowSizeMs=500",
      "--set",
      "workload.params.windowSlideMs=250",
      "--set",
      "faultTolerance.strategy=rsm",
      "--set",
      "faultTolerance.checkpointIntervalMs=500",
      "--set",
      "fidelity.batchSize=256",
      "--set",
      "fidelity.sourcePollMs=20",
    ];
    const args = ["run", "wordcount", "--workers", "3", "--quiet", "--out", real, "--kill", "worker=1@2s"];
    const [out, simulated] = await Promise.all([
      seep([...args, ...settings]),
      seep(["sim", "wordcount", "--quiet", "--out", sim, ...settings]),
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/recovery of split#1 count#4: failed \d+(\.\d+)? ms/);
    const s = json(join(real, "summary.json"));
    expect(s.faultTolerance).toBe("rsm");
    expect(s.failures).toHaveLength(1);
    expect(s.recoveries).toHaveLength(1);
    // Killed at 2 s of run time, or later on a busy machine whose timers fire late.
    expect(s.recoveries[0].failedAtMs).toBeGreaterThanOrEqual(2000);
    expect(s.recoveries[0].restoredAtMs).toBeGreaterThan(s.recoveries[0].detectedAtMs);
    expect(simulated.code).toBe(0);
    expect(s.outputDigest).toBe(json(join(sim, "summary.json")).outputDigest);
  });

  it("fails in one line, exit 1, when a kill under none leaves a sink that cannot end, after writing its files", async () => {
    const real = join(scratch, "stalled");
    const args = ["run", "wordcount", "--workers", "3", "--quiet", "--out", real, "--kill", "worker=1@2s"];
    const out = await seep([
      ...args,
      "--set",
      "workload.params.lines=4000",
      "--set",
      "fidelity.sourcePollMs=20",
    ]);
    expect(out.code).toBe(1);
    const summaryPath = join(real, "summary.json");
    // Worker 1 held split#1 and count#4; sink#5, on worker 2, waits on them for ever.
    expect(out.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^seep: the run stalled at \d+\.\d s: sink#5 never ended \(\d+ outputs; every sink left waits on a lost instance \(strategy none\)\); see /,
      ),
    ]);
    expect(out.stderr.trim().endsWith(`see ${summaryPath}`)).toBe(true);
    for (const file of ["summary.json", "metrics.csv", "outputs.csv", "experiment.json"])
      expect(existsSync(join(real, file)), file).toBe(true);
    expect(json(summaryPath)).toMatchObject({
      stalled: true,
      stoppedAtUntil: false,
      sinksNotEnded: ["sink#5"],
    });
  });
});

describe("seep run, before any worker starts", () => {
  it("refuses a finished run in --out without --force, and a run estimated hours long without --yes", async () => {
    const finished = join(scratch, "finished");
    mkdirSync(finished);
    writeFileSync(join(finished, "summary.json"), "{}\n");
    const [kept, long] = await Promise.all([
      seep(["run", "wordcount", "--quiet", "--out", finished]),
      // 10^7 lines a millisecond apart: about 2.8 hours at event-time pace.
      seep([
        "run",
        "wordcount",
        "--quiet",
        "--out",
        join(scratch, "long"),
        "--set",
        "workload.params.lines=10000000",
      ]),
    ]);
    expect(kept.code).toBe(2);
    expect(kept.stderr).toMatch(
      /^seep: --out .*finished: holds a finished run \(summary\.json\); --force overwrites it/,
    );
    expect(readFileSync(join(finished, "summary.json"), "utf8")).toBe("{}\n");
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(
      /^seep: preset wordcount is long: about 2\.8 hours of wall-clock time; --yes runs it anyway/,
    );
    expect(existsSync(join(scratch, "long"))).toBe(false);
  });
});

describe("seep run --scale-out", () => {
  it("refuses a malformed scale out, an operator the workload lacks and a strategy it does not work with, in one line", async () => {
    const cases: [string[], RegExp][] = [
      [["--scale-out", "count"], /--scale-out expects <operator>\[:<index>\]@<ms>\[x<factor>\].*got 'count'/],
      [["--scale-out", "count:one@1500"], /--scale-out expects .*got 'count:one@1500'/],
      [["--scale-out", "count@1500x"], /--scale-out expects .*got 'count@1500x'/],
      [["--scale-out", "count@1500x0"], /--scale-out count@1500x0: the factor must be at least 1/],
      [["--scale-out", "counter@1500"], /--scale-out counter: the workload has no operator "counter"/],
      [
        [
          "--scale-out",
          "count@1500",
          "--set",
          "faultTolerance.strategy=upstream-backup",
          "--set",
          "faultTolerance.parallelRecovery=2",
        ],
        /^seep: preset wordcount: faultTolerance\.parallelRecovery under strategy upstream-backup is not supported yet \(supported: rsm\)/,
      ],
    ];
    // Each refused before any worker starts: all at once, checked one by one.
    const outs = await Promise.all(cases.map(([args]) => seep(["run", "wordcount", ...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const out = outs[i];
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(out.stderr, args.join(" ")).toMatch(message);
    }
  });

  it("stops in one line when the instance named is not there", async () => {
    const out = await seep([
      "run",
      "wordcount",
      "--quiet",
      "--out",
      join(scratch, "none"),
      // Two workers rather than the preset's four: the run stops on the missing instance all the same.
      "--workers",
      "2",
      "--scale-out",
      "count:7@100",
      ...small,
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toBe('seep: scale out: "count" has no instance 7');
  });

  it("splits count#3 mid-run: the output digest of seep sim, the scale out in summary.json", async () => {
    const real = join(scratch, "scaled");
    const sim = join(scratch, "sim-scaled");
    const settings = [
      "--set",
      "workload.params.lines=4000",
      "--set",
      "workload.params.windowSizeMs=500",
      "--set",
      "workload.params.windowSlideMs=250",
      "--set",
      "fidelity.batchSize=256",
      "--set",
      "fidelity.sourcePollMs=20",
    ];
    const args = [
      "run",
      "wordcount",
      "--workers",
      "3",
      "--quiet",
      "--out",
      real,
      "--scale-out",
      "count@1.5s",
    ];
    const [out, simulated] = await Promise.all([
      seep([...args, ...settings]),
      seep(["sim", "wordcount", "--quiet", "--out", sim, ...settings]),
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /scale out of count#3 into count#3 count#6: asked at \d+ ms, paused at \d+ ms, done at \d+ ms/,
    );
    const s = json(join(real, "summary.json"));
    expect(s.scaleOuts).toHaveLength(1);
    expect(s.scaleOuts[0].requestedAtMs).toBeGreaterThanOrEqual(1500);
    expect(s.scaleOuts[0]).toMatchObject({ kind: "scaleOut", operator: "count", instance: "count#3" });
    expect(s.scaleOuts[0].completedAtMs).not.toBeNull();
    expect(simulated.code).toBe(0);
    expect(s.outputDigest).toBe(json(join(sim, "summary.json")).outputDigest);
    expect(s.tuplesOut).toBe(json(join(sim, "summary.json")).tuplesOut);
  });
});

describe("seep worker", () => {
  it("refuses to start without a token, in one line saying where to put it", async () => {
    const out = await seep(["worker"]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toBe("seep: a token is required: set SEEP_TOKEN, or pass --token-file <file>");
  });

  it("refuses a token on its command line, saying why and what to use instead", async () => {
    const out = await seep(["worker", "--token", "s3cret"]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split("\n")).toEqual([
      "seep: --token is refused: a command line is visible to every local user (ps); pass the token in " +
        "SEEP_TOKEN or in a file readable only by you with --token-file <file>",
    ]);
  });

  it("refuses a token file others can read, and TLS files that do not go together, in one line", async () => {
    const open = join(scratch, "open-token");
    writeFileSync(open, "t\n");
    chmodSync(open, 0o644);
    const closed = join(scratch, "token");
    writeFileSync(closed, "t\n", { mode: 0o600 });
    const [a, b] = await Promise.all([
      seep(["worker", "--token-file", open]),
      seep(["worker", "--token-file", closed, "--tls-cert", "c.pem", "--tls-key", "k.pem"]),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe(`seep: --token-file ${open} is readable by others (mode 644); chmod 600 it`);
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toBe(
      "seep: --tls-cert, --tls-key and --tls-ca go together (TLS with client certificates)",
    );
  });

  it("serves with the token of its --token-file", async () => {
    const file = join(scratch, "served-token");
    writeFileSync(file, "from-the-file\n", { mode: 0o600 });
    const worker = await spawnWorker("from-the-environment", ["--token-file", file]);
    const client = controlClient(worker.address);
    try {
      expect((await call(client, client.heartbeat, {}, tokenMetadata("from-the-file"))).code).toBe(status.OK);
      const other = await call(client, client.heartbeat, {}, tokenMetadata("from-the-environment"));
      expect(other.code).toBe(status.UNAUTHENTICATED);
    } finally {
      client.close();
      worker.child.kill("SIGKILL");
    }
  });
});
