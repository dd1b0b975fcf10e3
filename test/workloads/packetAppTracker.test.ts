// AppTracker: its classifier and decoder, the plan run in process against a count made
// without the engine, its state partitioned by key groups, and the packets workload's
// parameters for both of its shapes.

import { describe, expect, it } from "vitest";
import {
  Batch,
  decodeCheckpoint,
  type Emitter,
  emitColumnsAsRows,
  encodeCheckpoint,
  InProcessRuntime,
  instancesOf,
  JobError,
  keyGroupOf,
  merge,
  type OperatorContext,
  partition,
  physicalPlan,
  type Source,
  splitRange,
} from "../../engine/index.js";
import { workloadPlan } from "../../workloads/index.js";
import {
  APP_CLASSES,
  AppClassifier,
  type AppTrackerOptions,
  type AppTraffic,
  appTrackerPlan,
  PacketDecoder,
  TCP,
  trafficDistribution,
  UDP,
} from "../../workloads/packetCounter/index.js";

/** One packet as the plan's sources emit it. */
interface Packet {
  readonly flow: number;
  readonly t: number;
  readonly row: number[];
}

/** Every packet the plan's sources emit, drawn from the plan's own source instances. */
function packetsOf(o: AppTrackerOptions): Packet[] {
  const plan = appTrackerPlan(o);
  const spec = plan.operators[0];
  const out: Packet[] = [];
  for (let index = 0; index < spec.parallelism; index++) {
    const source = spec.create({ index, parallelism: spec.parallelism }) as Source;
    const emitter: Emitter = {
      emit: () => {
        throw new Error("a packet source emits rows");
      },
      emitRow: (flow, t, row) => out.push({ flow, t, row: Array.from(row) }),
      emitColumns: (...columns) => emitColumnsAsRows(emitter, ...columns),
    };
    while (source.next(emitter as unknown as OperatorContext, 1000, Number.POSITIVE_INFINITY)) {}
  }
  return out;
}

/** The tracker's results computed without the engine: decode, classify and count each packet. */
function bruteForce(o: AppTrackerOptions & { seed: number; trackWindowMs: number }): AppTraffic[] {
  const classifier = new AppClassifier(o.seed);
  const cells = new Map<string, AppTraffic>();
  for (const { t, row } of packetsOf(o)) {
    const [srcIp, dstIp, srcPort, dstPort, protocol, length] = row;
    const toServer = dstPort <= srcPort;
    const app =
      APP_CLASSES[classifier.classify(protocol, toServer ? dstPort : srcPort, toServer ? dstIp : srcIp)];
    const windowStartMs = Math.floor(t / o.trackWindowMs) * o.trackWindowMs;
    const key = `${windowStartMs}/${app}`;
    const c = cells.get(key) ?? {
      app,
      windowStartMs,
      windowEndMs: windowStartMs + o.trackWindowMs,
      packets: 0,
      bytes: 0,
    };
    cells.set(key, { ...c, packets: c.packets + 1, bytes: c.bytes + length });
  }
  return sorted([...cells.values()]);
}

function sorted(traffic: AppTraffic[]): AppTraffic[] {
  return traffic.sort(
    (a, b) => a.windowStartMs - b.windowStartMs || (a.app < b.app ? -1 : a.app > b.app ? 1 : 0),
  );
}

/** Run AppTracker in process to its end; its results in a fixed order. */
function run(o: AppTrackerOptions, batchSize = 256): AppTraffic[] {
  const results: AppTraffic[] = [];
  const rt = new InProcessRuntime(physicalPlan(appTrackerPlan({ ...o, onTraffic: (t) => results.push(t) })), {
    batchSize,
  });
  rt.start();
  rt.run();
  return sorted(results);
}

const sum = (traffic: readonly AppTraffic[], f: "packets" | "bytes") => traffic.reduce((n, t) => n + t[f], 0);

describe("AppClassifier", () => {
  it("classifies by protocol and server port where one application owns the port", () => {
    const c = new AppClassifier(1);
    expect(APP_CLASSES[c.classify(UDP, 53, 1234)]).toBe("DNS");
    expect(APP_CLASSES[c.classify(UDP, 8000, 99)]).toBe("QQ");
    expect(APP_CLASSES[c.classify(TCP, 8080, 7)]).toBe("HTTP");
    expect(APP_CLASSES[c.classify(TCP, 22, 7)]).toBe("other");
    expect(APP_CLASSES[c.classify(1, 0, 7)]).toBe("other");
  });

  it("spreads the servers of a shared port over its applications by a seeded table, the same for the same seed", () => {
    const classes = (seed: number) => {
      const c = new AppClassifier(seed);
      return Array.from({ length: 2000 }, (_, ip) => APP_CLASSES[c.classify(TCP, 443, ip)]);
    };
    const a = classes(1);
    expect(classes(1)).toEqual(a);
    expect(new Set(a)).toEqual(new Set(["HTTPS", "WeChat", "Sina Weibo", "video"]));
    // HTTPS has weight 5 of 11.
    const https = a.filter((x) => x === "HTTPS").length / a.length;
    expect(https).toBeGreaterThan(0.4);
    expect(https).toBeLessThan(0.5);
    const b = classes(2);
    expect(b.filter((x, i) => x !== a[i]).length).toBeGreaterThan(500);
  });
});

describe("PacketDecoder", () => {
  /** Decode rows of [srcIp, dstIp, srcPort, dstPort, protocol, lengthBytes]; what it emits. */
  function decode(rows: number[][]) {
    const n = rows.length;
    const fields = Array.from({ length: 6 }, (_, f) => Float64Array.from(rows, (r) => r[f]));
    const batch = new Batch(
      n,
      Float64Array.from(rows, (_, i) => 100 + i),
      Float64Array.from(rows, (_, i) => 10 * i),
      Float64Array.from(rows, (_, i) => i + 1),
      fields,
      null,
      0,
    );
    const out: [number, number, number[]][] = [];
    const ctx = {
      emitRow: (k: number, t: number, row: ArrayLike<number>) => out.push([k, t, Array.from(row)]),
    };
    const decoder = new PacketDecoder();
    decoder.onBatch(batch, 0, ctx as unknown as OperatorContext);
    return { out, malformed: decoder.malformedPackets };
  }

  it("finds the server side (the lower port) and keeps flow, event time, protocol and length", () => {
    const { out, malformed } = decode([
      [1, 2, 50_000, 443, TCP, 1500],
      [2, 1, 443, 50_000, TCP, 40],
      [3, 4, 53, 53, UDP, 28],
    ]);
    expect(malformed).toBe(0);
    expect(out).toEqual([
      [100, 0, [2, 443, TCP, 1500]],
      [101, 10, [2, 443, TCP, 40]],
      [102, 20, [4, 53, UDP, 28]],
    ]);
  });

  it("drops and counts headers that are not TCP or UDP over IPv4", () => {
    const { out, malformed } = decode([
      [1, 2, 1000, 80, 1, 100], // ICMP
      [1, 2, 70_000, 80, TCP, 100], // no such port
      [1, 2, 1000, 80, TCP, 39], // shorter than the IPv4 and TCP headers
      [1, 2, 1000, 80, UDP, 70_000], // longer than an IPv4 packet
      [1, 2, 1000, 80, UDP, 28],
    ]);
    expect(malformed).toBe(4);
    expect(out).toEqual([[104, 40, [2, 80, UDP, 28]]]);
  });
});

describe("appTrackerPlan", () => {
  const shapes: AppTrackerOptions[] = [
    {},
    { sourceParallelism: 2, decodeParallelism: 3, classifyParallelism: 3, trackParallelism: 2 },
    { sourceParallelism: 3, decodeParallelism: 1, classifyParallelism: 4, trackParallelism: 5 },
  ];
  for (const packetsPerMs of [0, 7]) {
    for (const shape of shapes) {
      it(`reports every packet and byte sent once, per class and window, like a count without the engine (${packetsPerMs} packets/ms, ${JSON.stringify(shape)})`, () => {
        const o = { seed: 3, packets: 20_000, flows: 500, packetsPerMs, trackWindowMs: 250, ...shape };
        const results = run(o);
        const sent = packetsOf(o);
        expect(sent).toHaveLength(20_000);
        expect(sum(results, "packets")).toBe(20_000);
        expect(sum(results, "bytes")).toBe(sent.reduce((n, p) => n + p.row[5], 0));
        expect(results).toEqual(bruteForce(o));
        const windows = new Set(results.map((r) => r.windowStartMs));
        if (packetsPerMs === 0) expect(windows.size).toBe(1);
        else expect(windows.size).toBeGreaterThan(1);
      });
    }
  }

  it("gives the same results for the same seed, whatever the parallelism and batch size, and others for another seed", () => {
    const o = { seed: 8, packets: 10_000, flows: 300, packetsPerMs: 5, trackWindowMs: 500 };
    const a = run(o);
    expect(run(o)).toEqual(a);
    expect(run({ ...o, classifyParallelism: 3, trackParallelism: 3 }, 17)).toEqual(a);
    expect(run({ ...o, seed: 9 })).not.toEqual(a);
  });

  it("reports several application classes whose shares of each window sum to one", () => {
    const results = run({ seed: 1, packets: 30_000, flows: 2000, packetsPerMs: 10, trackWindowMs: 1000 });
    const shares = trafficDistribution(results);
    expect(new Set(results.map((r) => r.app)).size).toBeGreaterThanOrEqual(6);
    const byWindow = new Map<number, { packets: number; bytes: number }>();
    for (const s of shares) {
      const w = byWindow.get(s.windowStartMs) ?? { packets: 0, bytes: 0 };
      byWindow.set(s.windowStartMs, { packets: w.packets + s.packetShare, bytes: w.bytes + s.byteShare });
    }
    expect(byWindow.size).toBe(3);
    for (const w of byWindow.values()) {
      expect(w.packets).toBeCloseTo(1, 12);
      expect(w.bytes).toBeCloseTo(1, 12);
    }
    const first = shares.filter((s) => s.windowStartMs === 0);
    for (let k = 1; k < first.length; k++) expect(first[k].bytes).toBeLessThanOrEqual(first[k - 1].bytes);
  });

  it("keeps the flow table and the per-class windows as keyed state that partitions by key groups", () => {
    const plan = physicalPlan(appTrackerPlan({ seed: 2, packets: 20_000, flows: 400, packetsPerMs: 4 }));
    const rt = new InProcessRuntime(plan, { batchSize: 128 });
    rt.start();
    for (let k = 0; k < 60; k++) rt.step();
    for (const name of ["classify", "track"]) {
      const op = plan.logical.operators.find((o) => o.name === name)!;
      const cp = rt.instance(instancesOf(plan, op.id)[0].id).checkpoint(1);
      const keys = [...cp.processing.entries()].map(([k]) => k).sort((a, b) => a - b);
      expect(keys.length, name).toBeGreaterThan(1);
      if (name === "track") expect(keys.every((k) => k >= 0 && k < APP_CLASSES.length)).toBe(true);
      const ranges = splitRange(cp.range, 3);
      const parts = partition(cp, ranges);
      parts.forEach((p, i) => {
        for (const [k] of p.processing.entries())
          expect(ranges[i].contains(keyGroupOf(k, op.maxKeyGroups))).toBe(true);
      });
      const back = merge(parts);
      expect([...back.processing.entries()].sort((a, b) => a[0] - b[0])).toEqual(
        [...cp.processing.entries()].sort((a, b) => a[0] - b[0]),
      );
      const decoded = decodeCheckpoint(encodeCheckpoint(cp, op.stateCodec), op.stateCodec);
      expect(JSON.stringify([...decoded.processing.entries()])).toBe(
        JSON.stringify([...cp.processing.entries()]),
      );
    }
  });
});

describe('workload "packets" parameters', () => {
  const plan = (params: Record<string, unknown>) => workloadPlan("packets", params, 1);
  const names = (params: Record<string, unknown>) => plan(params).operators.map((op) => op.name);

  it("builds the packet counter by default and AppTracker with shape apptracker", () => {
    expect(names({})).toEqual(["packets", "count", "sink"]);
    expect(names({ shape: "count", countParallelism: 2 })).toEqual(["packets", "count", "sink"]);
    const p = plan({ shape: "apptracker", classifyParallelism: 3, trackParallelism: 2, trackWindowMs: 100 });
    expect(p.operators.map((op) => [op.name, op.parallelism, op.stateful])).toEqual([
      ["packets", 1, false],
      ["decode", 1, false],
      ["classify", 3, true],
      ["track", 2, true],
      ["sink", 1, false],
    ]);
  });

  it("names the parameter that is wrong", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ shape: "dpi" }, /^workload "packets": params\.shape: /],
      [{ shape: "apptracker", trackWindowMs: 0 }, /^workload "packets": params\.trackWindowMs: /],
      [
        { shape: "apptracker", classifyParallelism: 1.5 },
        /^workload "packets": params\.classifyParallelism: /,
      ],
      [
        { shape: "apptracker", countParallelism: 2 },
        /^workload "packets": params\.countParallelism applies only to params\.shape "count"$/,
      ],
      [
        { trackWindowMs: 1000 },
        /^workload "packets": params\.trackWindowMs applies only to params\.shape "apptracker"$/,
      ],
      [{ decodeParallelism: 2 }, /^workload "packets": params\.decodeParallelism applies only/],
      [{ packets: -1 }, /^workload "packets": params\.packets: /],
    ];
    for (const [params, message] of cases) {
      expect(() => plan(params), JSON.stringify(params)).toThrow(JobError);
      expect(() => plan(params), JSON.stringify(params)).toThrow(message);
    }
  });
});
