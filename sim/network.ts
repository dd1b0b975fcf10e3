// Simulated network links between VMs: latency, bandwidth and queueing. Each directed
// link sends one message at a time (a message waits until the link is free, then takes
// bytes / bandwidth to transmit) and delivers in FIFO order, like a TCP connection.
// Delay spikes add latency to some links for a while; a partition holds every message
// on its links until it heals (TCP retransmits across short partitions; a partition
// long enough to break connections is a failure, which the fault detector handles).
// Messages between instances on the same VM skip the network.
//
// The control plane's messages (coordinator to instance, instance to instance, and the
// replies) take `controlLatencyMs` and `replyLatencyMs` one way: a call to a VM's
// runtime that waits its turn there. The first message on a link also opens its
// connection (`connectMs`: a TCP and HTTP/2 handshake and the call's setup), as a VM
// sending to another for the first time does: a replacement, a new part, a new receiver.
// The defaults are those the simulator always had (control 0.5 ms one way, replies at
// once, connections open); `sim-vs-real` sets figures measured on local worker processes
// (`npm run bench -- --only calibrate`).

import type { Environment } from "./kernel.js";

/** Link parameters of a simulated cluster. */
export interface NetworkOptions {
  /** One-way latency between two VMs (EC2, same availability zone: ~0.1-0.5 ms). */
  readonly latencyMs: number;
  /** Bandwidth of each directed link (a small EC2 instance: a few hundred Mbit/s). */
  readonly bandwidthMbps: number;
  /** Hand-over between two instances on one VM. */
  readonly localLatencyMs: number;
  /** One-way latency of a control message from the coordinator to an instance, or between instances. */
  readonly controlLatencyMs: number;
  /** One-way latency of an instance's reply to the coordinator. */
  readonly replyLatencyMs: number;
  /** Extra latency of the first message on a link between two VMs: opening its connection. */
  readonly connectMs: number;
}

/** Defaults near a cluster of small EC2 instances in one availability zone. */
export const DEFAULT_NETWORK: NetworkOptions = {
  latencyMs: 0.25,
  bandwidthMbps: 250,
  localLatencyMs: 0.01,
  controlLatencyMs: 0.5,
  replyLatencyMs: 0,
  connectMs: 0,
};

interface Held {
  readonly bytes: number;
  readonly deliver: (linkLatencyMs: number) => void;
}

interface Link {
  freeAtMs: number;
  lastArrivalMs: number;
  held: Held[];
  /** False until its first message (which opens the connection). */
  open: boolean;
}

type Groups = readonly [readonly number[], readonly number[]];

/** Between the two groups (either direction), or everywhere when groups is null. */
function applies(groups: Groups | null, a: number, b: number): boolean {
  if (groups === null) return true;
  const [g, h] = groups;
  return (g.includes(a) && h.includes(b)) || (h.includes(a) && g.includes(b));
}

/** The links of a simulated cluster. */
export class Network {
  private readonly links = new Map<number, Link>();
  private readonly delays = new Map<number, { groups: Groups | null; extraMs: number }>();
  private readonly partitions = new Map<number, Groups>();
  private nextHandle = 1;
  private readonly bytesPerMs: number;
  /** Bytes sent between VMs so far. */
  bytesSent = 0;

  constructor(
    private readonly env: Environment,
    readonly options: NetworkOptions = DEFAULT_NETWORK,
  ) {
    this.bytesPerMs = (options.bandwidthMbps * 1e6) / 8 / 1000;
  }

  private link(from: number, to: number): Link {
    const key = from * 65536 + to;
    let l = this.links.get(key);
    if (l === undefined) {
      l = { freeAtMs: 0, lastArrivalMs: 0, held: [], open: false };
      this.links.set(key, l);
    }
    return l;
  }

  private partitioned(a: number, b: number): boolean {
    for (const g of this.partitions.values()) if (applies(g, a, b)) return true;
    return false;
  }

  private extraLatencyMs(a: number, b: number): number {
    let extra = 0;
    for (const d of this.delays.values()) if (applies(d.groups, a, b)) extra += d.extraMs;
    return extra;
  }

  /**
   * Send `bytes` from VM `from` to VM `to`; `deliver` runs on arrival with the time the
   * message spent on the link.
   */
  send(from: number, to: number, bytes: number, deliver: (linkLatencyMs: number) => void): void {
    if (from === to) {
      this.env.schedule(this.options.localLatencyMs, () => deliver(this.options.localLatencyMs));
      return;
    }
    const link = this.link(from, to);
    if (link.held.length > 0 || this.partitioned(from, to)) {
      link.held.push({ bytes, deliver });
      return;
    }
    this.transmit(from, to, link, bytes, deliver);
  }

  private transmit(
    from: number,
    to: number,
    link: Link,
    bytes: number,
    deliver: (latencyMs: number) => void,
  ): void {
    const now = this.env.nowMs();
    const start = Math.max(now, link.freeAtMs);
    link.freeAtMs = start + bytes / this.bytesPerMs;
    const connect = link.open ? 0 : this.options.connectMs;
    link.open = true;
    const arrival = Math.max(
      link.freeAtMs + this.options.latencyMs + connect + this.extraLatencyMs(from, to),
      link.lastArrivalMs,
    );
    link.lastArrivalMs = arrival;
    this.bytesSent += bytes;
    this.env.scheduleAt(arrival, () => deliver(arrival - now));
  }

  /** Add `extraMs` of latency between two groups of VMs (all links when null). */
  addDelay(groups: Groups | null, extraMs: number): number {
    const h = this.nextHandle++;
    this.delays.set(h, { groups, extraMs });
    return h;
  }

  /** End a delay spike. */
  removeDelay(handle: number): void {
    this.delays.delete(handle);
  }

  /** Cut the links between two groups of VMs: messages wait until `heal`. */
  partition(groups: Groups): number {
    const h = this.nextHandle++;
    this.partitions.set(h, groups);
    return h;
  }

  /** Restore the links of a partition and send what they held, in order. */
  heal(handle: number): void {
    this.partitions.delete(handle);
    for (const [key, link] of this.links) {
      const from = Math.floor(key / 65536);
      const to = key % 65536;
      if (link.held.length === 0 || this.partitioned(from, to)) continue;
      const held = link.held;
      link.held = [];
      for (const m of held) this.transmit(from, to, link, m.bytes, m.deliver);
    }
  }

  /** Drop whatever the links to or from `vm` hold (the VM crashed). */
  forget(vm: number): void {
    for (const [key, link] of this.links) {
      if (Math.floor(key / 65536) === vm || key % 65536 === vm) link.held = [];
    }
  }
}
