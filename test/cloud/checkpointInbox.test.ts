// A worker's messages that name a checkpoint on another worker's shelf: each is handed to
// its instance once its checkpoint is fetched, decoded as if it had come inline; the
// messages to that instance behind it wait, in order, those to other instances do not; a
// fetch that fails drops its message (said, as if lost) and the messages behind it go on.
// A restore of a new instance's part is decoded as its chunks come, its part fields set:
// exactly the part the engine makes of the decoded checkpoint.
// The source is a real worker server on 127.0.0.1, shut down after each test.

import { afterEach, describe, expect, it } from "vitest";
import { CheckpointFetcher } from "../../cloud/checkpointFetch.js";
import { CheckpointInbox } from "../../cloud/checkpointInbox.js";
import { fromControlRequest, toControlRequest } from "../../cloud/controlWire.js";
import { needsFetch } from "../../cloud/remoteCheckpoint.js";
import {
  asNewInstancePart,
  type Checkpoint,
  type ControlMessage,
  encodeCheckpoint,
  KeyGroupRange,
  partition,
  withSuppression,
} from "../../engine/index.js";
import { countCheckpointBytes, remoteOn, shelfWorker } from "./checkpointFixtures.js";

const TOKEN = "inbox-token";
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A source worker whose shelf holds a count checkpoint; a backup naming it, as a holder's worker receives it. */
async function backupByReference() {
  const { worker, address } = await shelfWorker(TOKEN, closers);
  const { cp, codec } = countCheckpointBytes(3_000);
  const remote = remoteOn(worker.shelf, address, cp, codec);
  const received = (m: ControlMessage) =>
    fromControlRequest(toControlRequest(0, m, codec), () => codec).message;
  const fetcher = new CheckpointFetcher(TOKEN, undefined);
  closers.push(() => fetcher.close());
  return { worker, original: cp, codec, remote, received, fetcher };
}

/** An inbox whose instances' messages and drops are recorded, in order. */
function recordingInbox(fetcher: CheckpointFetcher, codec: ReturnType<typeof countCheckpointBytes>["codec"]) {
  const applied: { instance: number; message: ControlMessage; incarnation: number }[] = [];
  const dropped: { instance: number; type: string; error: string }[] = [];
  let settled: () => void = () => {};
  const inbox = new CheckpointInbox(fetcher, () => codec, {
    apply: (instance, message, incarnation) => {
      applied.push({ instance, message, incarnation });
      settled();
    },
    dropped: (instance, message, error) => {
      dropped.push({ instance, type: message.type, error: error.message });
      settled();
    },
  });
  /** Resolves once the inbox holds nothing back. */
  const idle = async () => {
    while (inbox.waiting > 0) await new Promise<void>((r) => (settled = r));
  };
  return { inbox, applied, dropped, idle };
}

describe("CheckpointInbox", () => {
  it("hands a backup on once its checkpoint is fetched, decoded as if it had come inline", async () => {
    const { original, codec, remote, received, fetcher } = await backupByReference();
    const { inbox, applied, idle } = recordingInbox(fetcher, codec);
    const backup = received({ type: "backup", checkpoint: remote });
    expect(needsFetch((backup as { checkpoint: Checkpoint }).checkpoint)).toBe(true);
    inbox.deliver(2, backup, 3);
    expect(applied).toHaveLength(0); // waits for its fetch
    await idle();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ instance: 2, incarnation: 3, message: { type: "backup" } });
    const got = (applied[0].message as { checkpoint: Checkpoint }).checkpoint;
    expect(needsFetch(got)).toBe(false);
    expect(got.id).toBe(original.id);
    expect(got.processing.size).toBe(original.processing.size);
    expect([...got.processing.entries()]).toEqual([...original.processing.entries()]);
  });

  it("restores a new instance's part by reference: cut at the source, decoded as it comes, its part fields set", async () => {
    const { original, codec, remote, received, fetcher } = await backupByReference();
    const { inbox, applied, dropped, idle } = recordingInbox(fetcher, codec);
    const r = remote.range;
    const ranges = [KeyGroupRange.of(r.first, r.first + 3), KeyGroupRange.of(r.first + 4, r.last)];
    const cut = [{ edge: null, receiver: null, processed: remote.inputs, watermarkMs: 99 }];
    const part = withSuppression(asNewInstancePart(partition(remote, ranges)[1]), cut);
    inbox.deliver(6, received({ type: "restore", checkpoint: part, resent: true }), 0);
    await idle();
    expect(dropped).toEqual([]);
    const got = (applied[0].message as { checkpoint: Checkpoint }).checkpoint;
    const expected = withSuppression(asNewInstancePart(partition(original, ranges)[1]), cut);
    expect(Buffer.from(encodeCheckpoint(got, codec))).toEqual(Buffer.from(encodeCheckpoint(expected, codec)));
    // Decoded for this restore alone: the instance adopts the decoded maps.
    expect(got.processing.adopt()).not.toBeNull();
  });

  it("keeps the order of an instance's messages behind a fetch, and lets other instances' through", async () => {
    const { codec, remote, received, fetcher } = await backupByReference();
    const { inbox, applied, idle } = recordingInbox(fetcher, codec);
    inbox.deliver(2, received({ type: "backup", checkpoint: remote }), 0);
    inbox.deliver(2, { type: "restoreBackup", instance: remote.instance }, 0);
    inbox.deliver(5, { type: "start" }, 0);
    // The other instance's message went at once; this one's wait behind its fetch.
    expect(applied.map((a) => [a.instance, a.message.type])).toEqual([[5, "start"]]);
    expect(inbox.waiting).toBe(2);
    await idle();
    expect(applied.map((a) => [a.instance, a.message.type])).toEqual([
      [5, "start"],
      [2, "backup"],
      [2, "restoreBackup"],
    ]);
  });

  it("drops a message whose checkpoint cannot be fetched, says why, and goes on with those behind it", async () => {
    const { worker, codec, remote, received, fetcher } = await backupByReference();
    const { inbox, applied, dropped, idle } = recordingInbox(fetcher, codec);
    worker.stop(); // the source is gone
    inbox.deliver(2, received({ type: "backup", checkpoint: remote }), 0);
    inbox.deliver(2, { type: "start" }, 0);
    await idle();
    expect(dropped).toEqual([
      {
        instance: 2,
        type: "backup",
        error: expect.stringMatching(/^fetch of checkpoint 7 of instance 1 from 127\.0\.0\.1:/),
      },
    ]);
    expect(applied.map((a) => a.message.type)).toEqual(["start"]);
    expect(inbox.dropped).toBe(1);
  });
});
