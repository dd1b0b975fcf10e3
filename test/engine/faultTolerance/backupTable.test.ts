// The backups the coordinator knows of, and the acks a backup releases.

import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../../../engine/checkpoint.js";
import { STORE } from "../../../engine/faultTolerance/backupPlacement.js";
import { BackupTable } from "../../../engine/faultTolerance/backupTable.js";
import { newCounts } from "../../../engine/faultTolerance/counts.js";
import { InstanceStatus } from "../../../engine/faultTolerance/instanceStatus.js";
import { fakeLink } from "../reconfiguration/fakeLink.js";

/** A checkpoint of instance 2 covering 5 tuples from each of upstreams 0 and 1 (only its positions matter here). */
const cp = {
  id: 1,
  instance: 2,
  inputs: [
    { edge: 0, sender: 0, seq: 5, watermarkMs: 0 },
    { edge: 0, sender: 1, seq: 5, watermarkMs: 0 },
  ],
  outputs: [],
} as unknown as Checkpoint;

function table() {
  const { link, sent } = fakeLink();
  const status = new InstanceStatus();
  const counts = newCounts();
  return { backups: new BackupTable(link, status, counts), status, counts, sent };
}

describe("backup table", () => {
  it("a backup in the store acks every upstream that runs; one kept by a holder, the others", () => {
    const t = table();
    t.status.down.add(1);
    t.backups.keepInStore(cp);
    expect(t.sent).toEqual([[0, { type: "ack", edge: 0, receiver: 2, seq: 5 }]]);
    expect(t.backups.get(2)?.holder).toBe(STORE);
    t.status.down.delete(1);
    t.backups.keptBy(0, cp);
    expect(t.sent.slice(1)).toEqual([[1, { type: "ack", edge: 0, receiver: 2, seq: 5 }]]);
    expect(t.counts).toMatchObject({ backups: 2, acks: 2 });
  });

  it("an instance is unrecoverable once its upstreams trimmed for it and its backup is lost with its holder", () => {
    const t = table();
    t.backups.keptBy(0, cp);
    expect(t.backups.unrecoverable(2)).toBe(false);
    expect(t.backups.dropHeldBy((h) => h === 1)).toEqual([]);
    expect(t.backups.dropHeldBy((h) => h === 0)).toEqual([2]);
    expect(t.backups.unrecoverable(2)).toBe(true);
  });
});
