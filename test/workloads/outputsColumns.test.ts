// Each built-in workload's outputs.csv, from a small simulated run: its sink's columns,
// every tuple's row parsed back (a strict RFC 4180 parser) and held against the tuple it
// came from, the original key where the workload has one (the word, the application, the
// flow's 5-tuple), and no JSON in any cell.

import { describe, expect, it } from "vitest";
import { OutputsTable } from "../../cli/outputsTable.js";
import { type Emitter, emitColumnsAsRows, type OutputRecord } from "../../engine/index.js";
import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";
import { formatAnswer, type LrAnswer } from "../../workloads/linearRoad/index.js";
import { APP_CLASSES, PacketSource } from "../../workloads/packetCounter/index.js";
import { wordKey } from "../../workloads/wordCount/index.js";
import { parseCsv } from "../cli/csvParse.js";

/** A small simulated run of workload `name` with `params`: the file its outputs make, and the tuples. */
function outputsOf(name: string, params: Record<string, unknown>) {
  const e = parseExperiment(
    { name, seed: 5, workload: { name, params }, cluster: { vms: 3 }, fidelity: { batchSize: 512 } },
    "test",
  );
  const plan = workloadPlan(name, e.workload.params, e.seed);
  const table = new OutputsTable(plan);
  const records: OutputRecord[] = [];
  let text = `${table.header()}\n`;
  const sim = new Simulation(e, plan, (r) => {
    records.push(r);
    text += table.lines(r);
  });
  const summary = sim.run();
  const [header, ...rows] = parseCsv(text);
  expect(rows).toHaveLength(summary.tuplesOut);
  expect(records).toHaveLength(summary.tuplesOut);
  expect(header.slice(0, 4)).toEqual(["timeMs", "sink", "instance", "eventTimeMs"]);
  for (const [i, row] of rows.entries()) {
    const r = records[i];
    expect(row.slice(0, 4)).toEqual([String(r.timeMs), r.sink, String(r.instance), String(r.eventTimeMs)]);
    for (const cell of row) expect(cell).not.toMatch(/[{}[\]]/);
  }
  const objects = rows.map((row) => Object.fromEntries(header.slice(4).map((h, i) => [h, row[i + 4]])));
  return { columns: header.slice(4), objects, records };
}

describe("the built-in workloads' outputs.csv", () => {
  it("word count: the word, its window and its count", () => {
    const { columns, objects, records } = outputsOf("wordcount", { lines: 400, windowSizeMs: 2000 });
    expect(columns).toEqual(["word", "windowStartMs", "windowEndMs", "count"]);
    expect(objects.length).toBeGreaterThan(20);
    for (const [i, o] of objects.entries()) {
      const { key, value } = records[i] as OutputRecord & {
        value: { windowStartMs: number; result: number };
      };
      expect(wordKey(o.word)).toBe(key);
      expect(Number(o.windowStartMs)).toBe(value.windowStartMs);
      expect(Number(o.windowEndMs) - Number(o.windowStartMs)).toBe(2000);
      expect(Number(o.count)).toBe(value.result);
    }
  });

  it("Linear Road: each answer's fields, those of other answer types empty", () => {
    const { columns, objects, records } = outputsOf("lrb", { xways: 1, durationS: 120 });
    expect(columns).toEqual([
      "type",
      "time",
      "vid",
      "lav",
      "toll",
      "seg",
      "xway",
      "dir",
      "resultTime",
      "qid",
      "bal",
    ]);
    const types = new Set(objects.map((o) => o.type));
    expect([...types].sort()).toEqual(["0", "2", "3"]);
    for (const [i, o] of objects.entries()) {
      const answer = { ...(records[i].value as LrAnswer), emit: 0 } as LrAnswer;
      // Its fields, in the benchmark's own format, are the answer's; the others are empty.
      const fields = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ""));
      const again = {
        ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Number(v)])),
        emit: 0,
      };
      expect(formatAnswer(again as unknown as LrAnswer)).toBe(formatAnswer(answer));
      expect(Object.keys(fields).sort()).toEqual(Object.keys(records[i].value as object).sort());
    }
  });

  it("packets: each flow with its 5-tuple, packets and bytes", () => {
    const { columns, objects, records } = outputsOf("packets", { packets: 5000, flows: 50 });
    expect(columns).toEqual(["flow", "srcIp", "dstIp", "srcPort", "dstPort", "protocol", "packets", "bytes"]);
    expect(objects.length).toBeGreaterThan(10);
    // The 5-tuple is the one the source gives the flow's packets.
    const emitted = new Map<number, number[]>();
    const emitter: Emitter = {
      emit: () => {},
      emitRow: (flow: number, _t: number, row: ArrayLike<number>) =>
        emitted.set(flow, Array.from(row).slice(0, 5)),
      emitColumns: (...columns) => emitColumnsAsRows(emitter, ...columns),
    };
    new PacketSource({ seed: 5, packets: 5000, flows: 50, packetsPerMs: 0 }).next(emitter, 5000, 0);
    for (const [i, o] of objects.entries()) {
      expect(Number(o.flow)).toBe(records[i].key);
      expect([o.srcIp, o.dstIp, o.srcPort, o.dstPort, o.protocol].map(Number)).toEqual(
        emitted.get(records[i].key),
      );
      expect([Number(o.packets), Number(o.bytes)]).toEqual(records[i].value);
    }
  });

  it("apptracker: the application class by name, its window, packets and bytes", () => {
    const { columns, objects, records } = outputsOf("packets", {
      shape: "apptracker",
      packets: 5000,
      flows: 200,
      packetsPerMs: 5,
    });
    expect(columns).toEqual(["app", "windowStartMs", "windowEndMs", "packets", "bytes"]);
    expect(objects.length).toBeGreaterThan(3);
    for (const [i, o] of objects.entries()) {
      const value = records[i].value as { windowStartMs: number; result: [number, number] };
      expect(APP_CLASSES.indexOf(o.app as (typeof APP_CLASSES)[number])).toBe(records[i].key);
      expect(Number(o.windowStartMs)).toBe(value.windowStartMs);
      expect([Number(o.packets), Number(o.bytes)]).toEqual(value.result);
    }
  });
});
