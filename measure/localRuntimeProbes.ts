// The probes of the runtime figures (measure/localRuntime.ts): each times one kind of call
// of the real runtime on a word count running on local workers and standbys, and returns
// its samples (ms). A sample that got no answer in time is NaN.

import { ChannelCredentials, credentials, type Metadata } from "@grpc/grpc-js";
import type { CloudRun } from "../cloud/cloudRun.js";
import { CONTROL_CHANNEL_OPTIONS } from "../cloud/controlForwarder.js";
import { specMessage } from "../cloud/deployment.js";
import { encodeFrame, FrameDataPlaneClient } from "../cloud/frameCodec.js";
import { ControlClient } from "../cloud/gen/seep/v1/seep.js";
import type { LocalProcessPool } from "../cloud/localProcessPool.js";
import type { CloudVm } from "../cloud/vmPool.js";
import { BatchBuilder, type PhysicalPlan } from "../engine/index.js";
import { nowMs, sleep } from "./clock.js";

/** What the probed run's replies and failure detections call: set by the probe waiting for them. */
export interface ProbeHooks {
  /** What each instance's next `paused` reply calls. */
  readonly paused: Map<number, () => void>;
  /** What the coordinator's next failure detection calls. */
  onDetected: () => void;
}

/** `probes` pause/paused round trips (then resume), round robin over the instances `ids`. */
export async function controlRoundTrips(
  run: CloudRun,
  hooks: ProbeHooks,
  ids: readonly number[],
  probes: number,
): Promise<number[]> {
  const controlRoundTripMs: number[] = [];
  for (let k = 0; k < probes; k++) {
    const id = ids[k % ids.length];
    const t0 = nowMs();
    const answered = new Promise<number>((resolve) => hooks.paused.set(id, () => resolve(nowMs())));
    run.sendControl(id, { type: "pause" });
    const t1 = await Promise.race([answered, sleep(2000).then(() => Number.NaN)]);
    hooks.paused.delete(id);
    run.sendControl(id, { type: "resume" });
    controlRoundTripMs.push(t1 - t0);
    await sleep(20);
  }
  return controlRoundTripMs;
}

/** An empty redeploy call on `c`, until answered. */
function emptyRedeploy(c: ControlClient, metadata: Metadata): Promise<number> {
  return new Promise<number>((resolve) => {
    const t0 = nowMs();
    c.redeploy(
      { instances: [], addresses: {}, incarnations: {}, fresh: [] },
      metadata,
      { deadline: Date.now() + 5000 },
      (err) => resolve(err ? Number.NaN : nowMs() - t0),
    );
  });
}

/**
 * `calls` rounds of an empty redeploy to each worker at `addresses` on a new connection
 * (its first call) and again on it; the first round's clients are kept open, for the fan-out.
 */
export async function redeployCalls(
  addresses: readonly string[],
  metadata: Metadata,
  calls: number,
): Promise<{ clients: ControlClient[]; firstCallMs: number[]; callMs: number[] }> {
  const clients: ControlClient[] = [];
  const firstCallMs: number[] = [];
  const callMs: number[] = [];
  for (let r = 0; r < calls; r++) {
    for (const address of addresses) {
      // A connection of its own, as a worker's first call to another opens one.
      const c = new ControlClient(address, credentials.createInsecure(), {
        ...CONTROL_CHANNEL_OPTIONS,
        "grpc.use_local_subchannel_pool": 1,
      });
      firstCallMs.push(await emptyRedeploy(c, metadata));
      await sleep(5);
      callMs.push(await emptyRedeploy(c, metadata));
      if (r === 0) clients.push(c);
      else c.close();
      await sleep(5);
    }
  }
  return { clients, firstCallMs, callMs };
}

/** `deploys` times, empty redeploys to every client but one at once, until the last answers. */
export async function fanOuts(
  clients: readonly ControlClient[],
  metadata: Metadata,
  deploys: number,
): Promise<number[]> {
  const fanOutMs: number[] = [];
  for (let k = 0; k < deploys; k++) {
    const left = k % clients.length;
    const t0 = nowMs();
    await Promise.all(clients.filter((_, i) => i !== left).map((c) => emptyRedeploy(c, metadata)));
    fanOutMs.push(nowMs() - t0);
    await sleep(20);
  }
  return fanOutMs;
}

/** `calls` rounds of a new data stream to each worker at `addresses`: its opening and 3 round trips. */
export async function dataStreams(
  addresses: readonly string[],
  metadata: Metadata,
  calls: number,
): Promise<{ streamOpenMs: number[]; dataRoundTripMs: number[] }> {
  const dataRoundTripMs: number[] = [];
  const streamOpenMs: number[] = [];
  for (let r = 0; r < calls; r++) {
    for (const address of addresses) {
      const [open, trips] = await dataProbe(address, metadata, 3);
      streamOpenMs.push(open);
      dataRoundTripMs.push(...trips);
    }
  }
  return { streamOpenMs, dataRoundTripMs };
}

/** A receiver id no worker hosts: a worker returns a frame for it its credit at once. */
const NOBODY = 0x7fffffff;

/**
 * A new data stream to the worker at `address` (its connection opened first): the time
 * until its first credit, and `trips` round trips of a small frame for an instance the
 * worker does not host and its credit.
 */
async function dataProbe(address: string, metadata: Metadata, trips: number): Promise<[number, number[]]> {
  const client = new FrameDataPlaneClient(address, ChannelCredentials.createInsecure());
  try {
    await new Promise<void>((resolve) => client.waitForReady(Date.now() + 5000, () => resolve()));
    const b = new BatchBuilder(0, 8);
    for (let i = 0; i < 8; i++) b.push(i, 0, i + 1);
    const frame = encodeFrame(0, 0, NOBODY, b.build(0));
    let credited: () => void = () => {};
    const t0 = nowMs();
    const call = client.stream(metadata);
    call.on("error", () => credited());
    call.on("data", () => credited());
    const credit = () => new Promise<number>((resolve) => (credited = () => resolve(nowMs())));
    const open = (await Promise.race([credit(), sleep(2000).then(() => Number.NaN)])) - t0;
    const rtts: number[] = [];
    for (let k = 0; k < trips; k++) {
      await sleep(5);
      const answered = credit();
      const t = nowMs();
      call.write(frame);
      rtts.push((await Promise.race([answered, sleep(2000).then(() => Number.NaN)])) - t);
    }
    call.end();
    return [open, rtts];
  } finally {
    client.close();
  }
}

/**
 * Each standby takes a copy of a count instance (no other worker knows of it), as a
 * replacement would: its first instance, built by code it never ran. The standbys are the
 * run's VMs after its `workers`.
 */
export async function coldDeploys(
  run: CloudRun,
  physical: PhysicalPlan,
  workers: number,
  metadata: Metadata,
): Promise<number[]> {
  const count = physical.instances.find((i) => physical.logical.operators[i.operator].name === "count");
  const coldDeployMs: number[] = [];
  for (const [k, standby] of run.vms.slice(workers).entries()) {
    if (count === undefined) break;
    const c = new ControlClient(standby.address, credentials.createInsecure(), CONTROL_CHANNEL_OPTIONS);
    const t0 = nowMs();
    await new Promise<void>((resolve) =>
      c.redeploy(
        {
          instances: [specMessage({ ...count, vm: workers + k })],
          addresses: { [count.id]: standby.address },
          incarnations: { [count.id]: 1_000_000 },
          fresh: [count.id],
        },
        metadata,
        { deadline: Date.now() + 5000 },
        () => resolve(),
      ),
    );
    coldDeployMs.push(nowMs() - t0);
    c.close();
  }
  return coldDeployMs;
}

/** Each of `standbys` SIGKILLed, until the coordinator detects its loss. */
export async function detections(
  pool: LocalProcessPool,
  hooks: ProbeHooks,
  standbys: readonly CloudVm[],
): Promise<number[]> {
  // The standbys host nothing the run knows of: their loss stops nothing.
  const detectionMs: number[] = [];
  for (const standby of standbys) {
    const lost = new Promise<number>((resolve) => {
      hooks.onDetected = () => resolve(nowMs());
    });
    const killedAt = nowMs();
    pool.kill(standby);
    detectionMs.push((await Promise.race([lost, sleep(5000).then(() => Number.NaN)])) - killedAt);
    await sleep(100);
  }
  return detectionMs;
}
