// Example job: the k most frequent items per category over a sliding event-time window.
//
//   events (source) --key--> topk (time window per category) --key--> rank --forward--> sink
//
// A source of (category, item) events drawn from the run's seed, keyed by category; the
// engine's sliding time window with a counting aggregate (./topItems.ts) keeps, per
// category, one item count per pane in keyed state, which every fault-tolerance strategy
// checkpoints, backs up, restores and partitions like the built-in operators' state; when a
// window ends it emits its top k (ties to the lower item number), and `rank` turns that into
// one readable row per rank: { category, windowStartMs, windowEndMs, rank, item, count }.
//
// Run it: `npx seep sim examples/topk/experiment.json`, or `npx seep sim ./examples/topk/job.ts`.

import {
  DEFAULT_MAX_KEY_GROUPS,
  defineJob,
  integerIn,
  JobError,
  numberIn,
  QueryBuilder,
  type Sink,
  timeWindow,
  z,
} from "seep-testbed/engine";
import { categoryKey, categoryName, EventDraw, EventSource, itemName } from "./events.js";
import { RankRows, type TopKRow, topItems } from "./topItems.js";

/** The parameters, every one with its default: a run of about 20 s of event time. */
const params = z
  .object({
    /** Events in the stream. */
    events: integerIn(1, 1e9).default(20_000),
    /** Event time between two events (the rate), ms. */
    eventIntervalMs: numberIn(0, 86_400_000, { aboveMin: true }).default(1),
    /** Distinct categories (the keys). */
    categories: integerIn(1, 10_000).default(6),
    /** Distinct items. */
    items: integerIn(1, 100_000).default(30),
    /** Skew of item popularity: item i has weight 1 / (i + 1)^zipfExponent; 0 is uniform. */
    zipfExponent: numberIn(0, 10).default(0.7),
    /** Items reported per window and category. */
    k: integerIn(1, 1_000).default(3),
    /** Window length, ms: a multiple of windowSlideMs. */
    windowSizeMs: integerIn(1, 86_400_000).default(4_000),
    /** Distance between window starts, ms. */
    windowSlideMs: integerIn(1, 86_400_000).default(1_000),
    /** Instances of the window (and of rank). */
    parallelism: integerIn(1, DEFAULT_MAX_KEY_GROUPS).default(2),
  })
  .strict()
  .refine((p) => p.windowSizeMs % p.windowSlideMs === 0, {
    path: ["windowSizeMs"],
    error: (issue) => {
      const p = issue.input as { windowSizeMs: number; windowSlideMs: number };
      return `must be a multiple of windowSlideMs (${p.windowSlideMs}), got ${p.windowSizeMs}`;
    },
  });

/** The parameters of a run, every default filled in. */
export type TopKParams = z.output<typeof params>;

/** The sink: the runtime records what reaches it (outputs.csv, the output digest); nothing more to do. */
const discard = (): Sink => ({});

export const workload = defineJob({
  name: "topk",
  description:
    "top-k items per category over a sliding event-time window: events -> topk (window) -> rank -> sink",
  params,
  plan(p, seed) {
    const names = Array.from({ length: p.categories }, (_, c) => categoryName(c));
    const keys = names.map(categoryKey);
    const categoryOf = new Map(keys.map((key, c) => [key, names[c]]));
    if (categoryOf.size !== names.length)
      throw new JobError(`workload "topk": two category names share a key`);
    const draw = new EventDraw({ seed, ...p });
    const window = timeWindow({ sizeMs: p.windowSizeMs, slideMs: p.windowSlideMs, aggregate: topItems(p.k) });

    const q = new QueryBuilder("topk");
    const events = q.source("events", () => new EventSource(draw, keys), { outputs: [{ fields: 1 }] });
    const topk = q.operator("topk", window.create, { ...window.options, parallelism: p.parallelism });
    const rank = q.operator("rank", () => new RankRows(categoryOf, itemName), { parallelism: p.parallelism });
    // outputs.csv lists each row's fields as columns (engine/sinkTable.ts).
    const sink = q.sink("sink", discard, {
      table: {
        columns: ["category", "windowStartMs", "windowEndMs", "rank", "item", "count"],
        row: (_key, r: TopKRow) => [r.category, r.windowStartMs, r.windowEndMs, r.rank, r.item, r.count],
      },
    });
    // topk -> rank by key too (not forward): forward pairs instance i with instance i, which a
    // scale out or in of topk would unpair.
    q.connect(events, topk, "key").connect(topk, rank, "key").connect(rank, sink, "forward");
    return q.build();
  },
  size(p) {
    const streamMs = p.events * p.eventIntervalMs;
    const windows = Math.ceil(streamMs / p.windowSlideMs) + p.windowSizeMs / p.windowSlideMs;
    const rows = windows * p.categories * Math.min(p.k, p.items);
    // Each event is counted once (in its pane); each row visits rank and the sink.
    return { sourceTuples: p.events, streamMs, eventTimeStepMs: 0, tupleVisits: p.events + 2 * rows };
  },
});
