// Benchmark: restore starting on the first chunk. A checkpoint on a worker's shelf, in a
// process of its own (measure/shelfServer.ts), is fetched over loopback
// (cloud/checkpointFetch.ts, 1 MiB chunks) and decoded as its chunks come (engine
// CheckpointDecoder, what a worker's restore by reference does) or after the last one
// (decodeCheckpoint on the assembled bytes, as before), alternating. Figures: fetch start
// -> checkpoint decoded, for a state of records (about a million keys, one number a key:
// 16 MB; its groups decode as views, so there is little to overlap) and for a state of
// Maps (a quarter of a million keys: each group's values are parsed, the cost decoding as
// the chunks come can hide). The machine's load is printed beside them.

import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, extname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CheckpointFetcher } from "../cloud/checkpointFetch.js";
import type { CheckpointRef } from "../cloud/gen/seep/v1/seep.js";
import { CheckpointDecoder, decodeCheckpoint } from "../engine/index.js";
import { nowMs } from "../measure/clock.js";
import { median } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

const TOKEN = "restore-on-chunks";
const self = fileURLToPath(import.meta.url);
/** measure/shelfServer, with this file's extension (.ts through tsx in a clone). */
const SHELF_SERVER = `${dirname(self)}/../measure/shelfServer${extname(self)}`;

/** A shelf server of `kind` holding about `keys` keys: its checkpoint's reference, size, keys, and how to stop it. */
function startShelfServer(kind: string, keys: number) {
  const child = spawn(process.execPath, ["--import", "tsx", SHELF_SERVER, kind, String(keys), TOKEN], {
    cwd: dirname(self),
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise<{ ref: CheckpointRef; bytes: number; keys: number; stop: () => void }>(
    (resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the shelf server exited with ${code}`)));
      createInterface({ input: child.stdout! }).once("line", (line) => {
        const [port, bytes, held] = line.split(" ").map(Number);
        const ref: CheckpointRef = {
          worker: `127.0.0.1:${port}`,
          instance: 1,
          checkpointId: 1,
          byteCount: bytes,
          range: { first: 0, last: 127 },
          parts: [],
          part: 0,
          metaJson: "",
          partFieldsJson: "",
        };
        resolve({ ref, bytes, keys: held, stop: () => child.kill("SIGKILL") });
      });
    },
  );
}

/** Fetch `ref` and decode it as its chunks come, or after the last one: milliseconds from the fetch's start. */
async function fetchAndDecode(
  fetcher: CheckpointFetcher,
  ref: CheckpointRef,
  asTheyCome: boolean,
): Promise<number> {
  const t0 = nowMs();
  let decoder: CheckpointDecoder | null = null;
  const bytes = await fetcher.fetch(
    ref,
    asTheyCome
      ? (all, filled) => {
          decoder ??= new CheckpointDecoder(all, () => undefined, true);
          decoder.advanceTo(filled);
        }
      : undefined,
  );
  const cp = asTheyCome
    ? (decoder as CheckpointDecoder | null)!.finish()
    : decodeCheckpoint(bytes, undefined, true);
  const ms = nowMs() - t0;
  if (cp.processing.size === 0) throw new Error("decoded no keys");
  return ms;
}

/** Medians of fetch -> decoded both ways, `runs` each, alternating in ABBA order (neither always follows the other). */
async function compare(fetcher: CheckpointFetcher, ref: CheckpointRef, runs: number) {
  const asTheyCome: number[] = [];
  const afterLast: number[] = [];
  await fetchAndDecode(fetcher, ref, true); // warm up: connection, code
  await fetchAndDecode(fetcher, ref, false);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const way of order) (way ? asTheyCome : afterLast).push(await fetchAndDecode(fetcher, ref, way));
  }
  return { asTheyCome: median(asTheyCome), afterLast: median(afterLast) };
}

/** Run the restore-on-chunks benchmark. */
export async function benchRestoreOnChunks(quick: boolean): Promise<BenchResult[]> {
  const fetcher = new CheckpointFetcher(TOKEN, undefined);
  const runs = quick ? 4 : 10;
  const shapes = [
    { what: "records", keys: quick ? 250_000 : 1_000_000 },
    { what: "Maps", keys: quick ? 60_000 : 250_000 },
  ];
  const out: BenchResult[] = [];
  try {
    for (const { what, keys } of shapes) {
      const server = await startShelfServer(what === "records" ? "records" : "maps", keys);
      try {
        const load = loadavg()[0].toFixed(2);
        const { asTheyCome, afterLast } = await compare(fetcher, server.ref, runs);
        const mb = (server.bytes / 1e6).toFixed(1);
        out.push({
          name: `fetch -> decoded as the chunks come, ${server.keys} keys of ${what}, ${mb} MB (load 1-min ${load})`,
          value: asTheyCome,
          unit: "ms",
          baseline: { name: "decoded after the last chunk", value: afterLast, unit: "ms" },
        });
      } finally {
        server.stop();
      }
    }
  } finally {
    fetcher.close();
  }
  return out;
}
