// Built-in experiments, by name, as raw data that goes through the same validation as a
// file.

// Linear Road's operators cost far more per tuple than the default keyed counter. Per
// operator: CPU microseconds per input tuple (for the source: per record read from a
// file and parsed), over and above the defaults' per-batch and per-emitted-tuple
// charges, measured in-process on one core of this machine by
// `npm run bench -- --only lrb-queries` (L=1, 600 s of plateau traffic, CPU time of each
// instance's tasks); medians of six runs on 2026-11-22 (each a median of three), whose
// figures ranged over records 0.25-0.50, cars 0.33-0.54, segments 0.58-0.76,
// accounts 0.98-1.47, answers 0.013-0.025 (a sink that only counts).
// (Generated on the fly, as this preset's stream is by default, records cost less to
// make than to parse; the file's figure is kept, as `seep lrb rate` replays files.)
// The bench prints each figure again next to these: drift shows as a ratio away from 1.
const LRB_COST = {
  operators: {
    records: { tupleUs: 0.38 },
    cars: { tupleUs: 0.48 },
    segments: { tupleUs: 0.64 },
    accounts: { tupleUs: 1.2 },
    answers: { tupleUs: 0.022 },
  },
};

// SEEP's scale-out experiment: Linear Road whose expressways open one by one, from one
// instance per operator, scaled out by the threshold policy alone. `npm run bench --
// --only lrb-scaleout` runs it and prints L over time, latency against the deadline,
// VMs and cost; sim/README.md argues what it shows and what it does not.
const LRB_SCALEOUT = {
  name: "lrb-scaleout",
  workload: {
    name: "lrb",
    // Expressway x opens at 8x s: L = 350 at 2,792 s. Every expressway's traffic follows
    // the generator's ramp (full at 3,600 s: about 2,300 reports/s each, 810k/s in all),
    // held for 300 s.
    params: { xways: 350, xwayOpenEveryS: 8, durationS: 3_900 },
  },
  // Cost-scaled fidelity: the generator simulates 1 car in 100 and each kept record
  // stands for 100 in CPU, state, network and metrics (full-fidelity runs at small L
  // show the same CPU per VM: sim/README.md).
  fidelity: { batchSize: 1024, sourcePollMs: 100, sampleOneIn: 100 },
  // SEEP ran its operators on small EC2 instances and its sources and sinks on large
  // ones. Speeds are relative to one core of the machine the costs were measured on; a
  // small instance running SEEP's Java engine is taken as 1/5 of it and a large
  // instance's core as 3.25 times a small one (EC2's ECU ratings) — assumptions, not
  // measurements: `--set cluster.speed=...` asks what other VMs would need.
  cluster: { vms: 3, speed: 0.2, edge: { cores: 4, speed: 0.65 } },
  // Six VMs prewarmed and the pool kept at six (refilled in the background): a live
  // split takes a VM per part.
  pool: { prewarmed: 6, minimum: 6 },
  scaling: {
    policy: "threshold",
    // SEEP's rule but at 50% CPU: at its 70% the bursts of Linear Road's one-second input
    // leave too little headroom for the catch-up after a split (measured: answers up to
    // 15 s; with splits that stop the instance, the run fell behind at L = 190 for good);
    // every new instance on a VM of its own.
    rules: [{ metric: "cpu", action: "scaleOut", threshold: 0.5, forMs: 10_000, factor: 2, maxVms: 50 }],
    placement: "pool",
    // Live state transfer: the new instances are restored from a checkpoint taken while
    // the split instance runs; only the hand-over pauses (scaling.stateTransfer).
    stateTransfer: "live",
    deadlineMs: 5_000,
  },
  // SEEP's integration: checkpoints every 5 s, backed up upstream, serve both recovery and
  // the live splits (the split instance's snapshot is a checkpoint; each new instance's
  // part of it is its backup until its first own checkpoint).
  faultTolerance: { strategy: "rsm", checkpointIntervalMs: 5_000 },
  cost: LRB_COST,
};

/**
 * `lrb-scaleout` with crashes during the ramp: a crash aimed at the split instance of the
 * 3rd scale out while it snapshots and shadows (that split is given up, and asked again
 * later), a crash of an operator VM at L = 250, a crash of the new instance of the 20th
 * scale out once it runs, and of an upstream of the 30th during its hand-over.
 */
const LRB_SCALEOUT_CRASHES = [
  { type: "reconfigurationCrash", nth: 3, role: "split", afterMs: 4_000 },
  { type: "crash", vm: 1, atMs: 2_000_000 },
  { type: "reconfigurationCrash", nth: 20, role: "new", afterMs: 30_000 },
  { type: "reconfigurationCrash", nth: 30, role: "upstream", afterMs: 5_100 },
];

/** Raw experiment data of each preset. */
export const PRESETS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  wordcount: {
    name: "wordcount",
    workload: {
      name: "wordcount",
      params: {
        lines: 200_000,
        lineIntervalMs: 1,
        windowSizeMs: 10_000,
        windowSlideMs: 5_000,
        parallelism: 2,
      },
    },
    cluster: { vms: 4 },
    fidelity: { batchSize: 1024, sourcePollMs: 100 },
  },
  lrb: {
    name: "lrb",
    workload: {
      name: "lrb",
      params: {
        xways: 1,
        durationS: 600,
        carsParallelism: 2,
        segmentsParallelism: 2,
        accountsParallelism: 2,
      },
    },
    cluster: { vms: 3 },
    fidelity: { batchSize: 1024, sourcePollMs: 100 },
    cost: LRB_COST,
  },
  "lrb-scaleout": LRB_SCALEOUT,
  "lrb-scaleout-crashes": { ...LRB_SCALEOUT, name: "lrb-scaleout-crashes", faults: LRB_SCALEOUT_CRASHES },
  packets: {
    name: "packets",
    workload: { name: "packets", params: { packets: 2_000_000, flows: 10_000, packetsPerMs: 100 } },
    cluster: { vms: 2 },
    fidelity: { batchSize: 4096, sourcePollMs: 50 },
  },
};

/** The names of the presets. */
export function presetNames(): string[] {
  return Object.keys(PRESETS);
}
