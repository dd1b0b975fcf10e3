// A worker's checkpoint shelf serving one large checkpoint, run as its own process by the
// restore-on-chunks benchmark (bench/restoreOnChunks.ts), so that the source's sending and
// the receiver's decoding run on processes of their own, as between two workers. It builds
// a state of `kind` (records: one number a key; maps: a number a key in a Map per key
// group) of about `keys` keys over 128 key groups, encodes it as checkpoint 1 of instance
// 1, puts it on a worker's shelf (token `token`), prints `<port> <bytes> <keys>` on one
// line and serves fetches until it is killed or its stdin closes.

import { Worker } from "../cloud/worker.js";
import {
  type Checkpoint,
  encodeCheckpoint,
  KeyGroupRange,
  type RecordGroupSnapshot,
  StateSnapshot,
} from "../engine/index.js";
import { workloadPlan } from "../workloads/index.js";

const GROUPS = 128;

/** About `keys` keys of records (one number each) or of Maps, over GROUPS key groups. */
function stateOf(kind: string, keys: number): StateSnapshot {
  const per = Math.ceil(keys / GROUPS);
  const range = KeyGroupRange.of(0, GROUPS - 1);
  if (kind === "records") {
    const groups: RecordGroupSnapshot[] = [];
    for (let g = 0; g < GROUPS; g++) {
      // Rows of a key and its count.
      const rows = new Float64Array(2 * per);
      for (let i = 0; i < per; i++) {
        rows[2 * i] = g + GROUPS * i;
        rows[2 * i + 1] = (i * 7919) % 1000;
      }
      groups.push({ count: per, rows, extras: new Map() });
    }
    return StateSnapshot.ofRecords(GROUPS, range, 1, groups);
  }
  const groups: Map<number, unknown>[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const m = new Map<number, unknown>();
    for (let i = 0; i < per; i++) m.set(g + GROUPS * i, (i * 7919) % 1000);
    groups.push(m);
  }
  return new StateSnapshot(GROUPS, range, groups);
}

const [kind, keysText, token] = process.argv.slice(2);
const state = stateOf(kind, Number(keysText));
const cp: Checkpoint = {
  id: 1,
  instance: 1,
  operator: 1,
  range: state.range,
  inputs: [],
  processing: state,
  outputs: [],
  buffers: [],
  sourcePosition: -1,
  watermarkMs: 0,
  ended: false,
};
const bytes = encodeCheckpoint(cp);
const worker = new Worker({
  listen: "127.0.0.1:0",
  token,
  resolvePlan: (name, params, seed) => workloadPlan(name, params, seed),
  report: () => {},
});
worker.shelf.put(1, 1, bytes);
const port = await worker.start();
process.stdout.write(`${port} ${bytes.length} ${state.size}\n`);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
