// The packet counter (SAND) as a job module: shape `count` counts packets and bytes per
// flow; shape `apptracker` decodes, classifies by flow and tracks packets and bytes per
// application class. The schema resolves every default, and refuses a parameter of the
// other shape.

import { z } from "zod";
import { defineJob, integerIn, JobError, numberIn } from "../../engine/index.js";
import { checkStreamLength, parallelism, TUPLES_MAX } from "../paramRanges.js";
import { appTrackerPlan } from "./appTrackerPlan.js";
import { packetCounterPlan } from "./packetCounterPlan.js";
import { resolvePacketSourceOptions } from "./packetSource.js";

/** The plans of the packets workload, and the parameters that only one of them takes. */
const PACKET_SHAPES = {
  count: ["countParallelism"],
  apptracker: ["decodeParallelism", "classifyParallelism", "trackParallelism", "trackWindowMs"],
} as const;

const given = z
  .object({
    /** count: packets and bytes per flow; apptracker: decode, classify, track per application class. */
    shape: z.enum(["count", "apptracker"]).optional(),
    /** Packets, 1 to 10^9. */
    packets: integerIn(1, TUPLES_MAX).optional(),
    /** Flows, 1 to 10^7. */
    flows: integerIn(1, 10_000_000).optional(),
    /** Packets per ms of event time, 0 (all at time 0) to 10^6. */
    packetsPerMs: numberIn(0, 1_000_000).optional(),
    sourceParallelism: parallelism.optional(),
    countParallelism: parallelism.optional(),
    decodeParallelism: parallelism.optional(),
    classifyParallelism: parallelism.optional(),
    trackParallelism: parallelism.optional(),
    /** The tracker's tumbling windows, 1 ms to a day. */
    trackWindowMs: integerIn(1, 86_400_000).optional(),
  })
  .strict();

interface SourceParams {
  readonly packets: number;
  readonly flows: number;
  readonly packetsPerMs: number;
  readonly sourceParallelism: number;
}

/** Packet counter parameters, resolved: the shape and its own knobs. */
export type PacketParams =
  | (SourceParams & { readonly shape: "count"; readonly countParallelism: number })
  | (SourceParams & {
      readonly shape: "apptracker";
      readonly decodeParallelism: number;
      readonly classifyParallelism: number;
      readonly trackParallelism: number;
      readonly trackWindowMs: number;
    });

function resolve(p: z.output<typeof given>): PacketParams {
  const shape = p.shape ?? "count";
  for (const [other, keys] of Object.entries(PACKET_SHAPES)) {
    if (other === shape) continue;
    const key = keys.find((k) => p[k] !== undefined);
    if (key !== undefined)
      throw new JobError(`workload "packets": params.${key} applies only to params.shape "${other}"`);
  }
  const { packets, flows, packetsPerMs } = resolvePacketSourceOptions(p);
  if (packetsPerMs > 0) {
    checkStreamLength(
      "packets",
      packets / packetsPerMs,
      `params.packets (${packets}) at params.packetsPerMs (${packetsPerMs})`,
    );
  }
  const sourceParallelism = p.sourceParallelism ?? 1;
  const source = { packets, flows, packetsPerMs, sourceParallelism };
  if (shape === "count") return { shape, ...source, countParallelism: p.countParallelism ?? 1 };
  return {
    shape,
    ...source,
    decodeParallelism: p.decodeParallelism ?? sourceParallelism,
    classifyParallelism: p.classifyParallelism ?? 1,
    trackParallelism: p.trackParallelism ?? 1,
    trackWindowMs: p.trackWindowMs ?? 1000,
  };
}

export const workload = defineJob<PacketParams>({
  name: "packets",
  description:
    "packet counter (SAND): packet headers -> count packets and bytes per flow -> sink; " +
    "or, with shape apptracker: decode -> classify by flow -> packets and bytes per application class",
  params: given.transform(resolve),
  plan: (p, seed) =>
    p.shape === "count" ? packetCounterPlan({ ...p, seed }) : appTrackerPlan({ ...p, seed }),
  size(p) {
    // count: one count per packet, a result per flow; apptracker: decode, classify and track each.
    const hops = p.shape === "count" ? 1 : 3;
    return {
      sourceTuples: p.packets,
      streamMs: p.packetsPerMs > 0 ? p.packets / p.packetsPerMs : 0,
      eventTimeStepMs: 0,
      tupleVisits: p.packets * hops + p.flows,
    };
  },
});
