// ZooKeeper's leader-election recipe, for the coordinators of one run. Each candidate
// creates an ephemeral sequential node under <runPath>/election/ holding its data (its
// control address); the candidate with the lowest sequence number leads. Every other
// candidate watches only the node just before its own, so that a leader's death wakes one
// successor, not the whole herd; when the node it watches goes, it reads the children again:
// it leads if it is now the lowest, else it watches its new predecessor (the one before it
// may have left while it was not yet next).
//
// A candidate is out of the election when its session expires (ZooKeeper has deleted its
// node; another candidate may already lead) or is closed: onLost tells it with a reason, and
// a leader must step down at once. A leader cut off from ZooKeeper stays leader until then, since it
// cannot know sooner; the fencing epoch (fencingEpoch.ts) keeps a leader that is out but
// does not know it yet from acting. A node created just as the connection drops may exist
// without its creator having heard: its name carries a unique prefix, by which the
// candidate finds it again rather than leaving a ghost in the line.
//
// Those who follow the leader without running for it (the workers) use leaderWatch.ts.

import { randomUUID } from "node:crypto";
import { isSessionEnded, isZookeeperError } from "./zkErrors.js";
import type { Watcher, ZkSession } from "./zkSession.js";
import { childPath } from "./zookeeperAddress.js";

/** A candidate's node name: c-<32 hex digits, unique to it>-<ZooKeeper's sequence number>. */
const CANDIDATE_NAME = /^c-[0-9a-f]{32}-(\d{10})$/;
/** How often a candidate retries creating its node after a lost connection. */
const CREATE_ATTEMPTS = 5;

/** The folder of a run's election. */
export function electionPath(runPath: string): string {
  return childPath(runPath, "election");
}

/** The candidates' node names among `names`, lowest sequence number (the leader) first. */
export function inLine(names: readonly string[]): string[] {
  return names.filter((n) => CANDIDATE_NAME.test(n)).sort((a, b) => sequence(a) - sequence(b));
}
const sequence = (name: string) => Number(CANDIDATE_NAME.exec(name)![1]);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The `elected` promise of a candidate that left or lost before leading. */
export class ElectionLostError extends Error {
  override readonly name = "ElectionLostError";
  constructor(runPath: string, reason: string) {
    super(`out of the election of ${runPath}: ${reason}`);
  }
}

/** One candidate in a run's election (see the file's header). */
export class LeaderElection {
  private node: string | null = null;
  private joined = false;
  private leading = false;
  private outReason: string | null = null;
  private checking = false;
  private checkAgain = false;
  private predecessor: string | null = null;
  private readonly stopListening: (() => void)[] = [];
  private readonly electedListeners = new Set<() => void>();
  private readonly lostListeners = new Set<(reason: string) => void>();
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  /** Resolves when this candidate leads; rejects (ElectionLostError) if it leaves or loses first. */
  readonly elected: Promise<void>;
  private readonly recheck: Watcher = () => void this.check();

  /** A candidate of the election at `runPath` whose node will hold `candidateData` (its control address). */
  constructor(
    /** The session the candidate's node lives in: the candidate is out when it ends. */
    readonly session: ZkSession,
    readonly runPath: string,
    readonly candidateData: string,
  ) {
    this.elected = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.elected.catch(() => {}); // a rejection nobody awaits is not an error
  }

  /** Whether this candidate leads now. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** The candidate's node, once joined. */
  get nodePath(): string | null {
    return this.node;
  }

  /** The node this candidate watches (the one just before its own), or null when it leads or is out. */
  get watching(): string | null {
    return this.predecessor;
  }

  /** Calls `listener` when this candidate becomes leader (at once if it already leads). */
  onElected(listener: () => void): () => void {
    this.electedListeners.add(listener);
    if (this.leading) queueMicrotask(listener);
    return () => this.electedListeners.delete(listener);
  }

  /** Calls `listener` with a reason when this candidate is out other than by leave() (its session expired or was closed). */
  onLost(listener: (reason: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Enters the election: creates the candidate's node and resolves once it knows its place (leader or waiting). */
  async join(): Promise<void> {
    if (this.joined) throw new Error(`join() twice in ${this.runPath}`);
    this.joined = true;
    this.stopListening.push(
      this.session.onExpired((reason) => this.lose(`its ZooKeeper session expired: ${reason}`)),
      this.session.onClosed(() => this.lose("its ZooKeeper session was closed")),
      this.session.onReconnected(() => void this.check()),
    );
    try {
      await this.session.mkdirp(electionPath(this.runPath));
      const node = await this.createNode();
      if (this.outReason !== null) {
        await this.session.remove(node); // left while joining
        return;
      }
      this.node = node;
    } catch (e) {
      this.out(`joining failed: ${messageOf(e)}`);
      throw e;
    }
    await this.check();
  }

  /** Leaves the election (stepping down if leading): removes its node; onLost is not called. */
  async leave(): Promise<void> {
    const node = this.node;
    this.out("it left");
    if (node === null) return;
    try {
      await this.session.remove(node);
    } catch (e) {
      if (!isSessionEnded(e)) throw e; // an ended session's ephemeral node is gone anyway
    }
  }

  /** Creates the candidate's node, finding it again if the connection dropped as it was created. */
  private async createNode(): Promise<string> {
    const dir = electionPath(this.runPath);
    const prefix = `c-${randomUUID().replaceAll("-", "")}-`;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.session.create(
          childPath(dir, prefix),
          Buffer.from(this.candidateData),
          "ephemeralSequential",
        );
      } catch (e) {
        if (!isZookeeperError(e, "CONNECTION_LOSS") || attempt >= CREATE_ATTEMPTS) throw e;
        const mine = (await this.session.getChildren(dir)).find((n) => n.startsWith(prefix));
        if (mine !== undefined) return childPath(dir, mine);
      }
    }
  }

  /** Finds this candidate's place in line: leader, or watching its predecessor. One at a time. */
  private async check(): Promise<void> {
    if (this.node === null || this.outReason !== null) return;
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.checkAgain = false;
        await this.checkOnce(this.node);
      } while (this.checkAgain && this.outReason === null);
    } catch (e) {
      // A lost connection is checked again on reconnecting; an ended session is told by onExpired.
      if (!isZookeeperError(e, "CONNECTION_LOSS") && !isSessionEnded(e))
        this.lose(`reading the election failed: ${messageOf(e)}`);
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(node: string): Promise<void> {
    const dir = electionPath(this.runPath);
    const line = inLine(await this.session.getChildren(dir));
    const place = line.indexOf(node.slice(dir.length + 1));
    if (this.outReason !== null) return;
    if (place < 0) return this.lose(`its election node ${node} is gone`);
    if (place === 0) return this.lead();
    const before = childPath(dir, line[place - 1]);
    this.predecessor = before;
    if ((await this.session.exists(before, this.recheck)) === null) this.checkAgain = true;
  }

  private lead(): void {
    if (this.leading) return;
    this.leading = true;
    this.predecessor = null;
    this.settle.resolve();
    for (const l of [...this.electedListeners]) queueMicrotask(l);
  }

  private lose(reason: string): void {
    if (this.outReason !== null) return;
    this.out(reason);
    for (const l of [...this.lostListeners]) queueMicrotask(() => l(reason));
  }

  private out(reason: string): void {
    if (this.outReason !== null) return;
    this.outReason = reason;
    this.leading = false;
    this.predecessor = null;
    this.settle.reject(new ElectionLostError(this.runPath, reason));
    for (const stop of this.stopListening.splice(0)) stop();
  }
}
