// What a session (zkSession.ts) needs of the client library's connection beyond its API:
// dropping the current connection, stopping the client for good, and a watchdog for the
// read timeout the library lacks. The library pings only an idle connection and never
// waits for the answer, so a server that stops answering without closing its socket (a
// hung machine, a partition) leaves the client "connected" forever, and a connection
// attempt to such a server hangs. The watchdog sends a probe every third of the session
// timeout and drops a connection whose probe is still unanswered after two thirds, and a
// connection attempt still going after two of its ticks; the library then tries the next
// server. Dropping reaches into the library's connection manager for its socket: it is the
// one thing here that is not the library's public API.

import type { Client } from "node-zookeeper-client";

/** The library's insides reached into: the current socket, to drop it. */
interface ClientInternals {
  readonly connectionManager?: { readonly socket?: { destroy(): void } };
}

/** Drops the client's current connection; the library reconnects, unless it is closing. */
export function dropConnection(client: Client): void {
  (client as unknown as ClientInternals).connectionManager?.socket?.destroy();
}

/** Stops the client for good: no reconnection, no socket left to keep the process alive. */
export function stopClient(client: Client): void {
  client.close();
  dropConnection(client);
}

/** The watchdog of one client's connection (see the file's header); stop() it when the session ends. */
export class ConnectionWatchdog {
  private readonly timer: NodeJS.Timeout;
  private probeSentAtMs: number | null = null;
  private ticksDisconnected = 0;

  /** Watches `client`, whose session times out after `sessionTimeoutMs`; `connected` says whether it is connected now. */
  constructor(
    private readonly client: Client,
    private readonly sessionTimeoutMs: number,
    private readonly connected: () => boolean,
  ) {
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(sessionTimeoutMs / 3)));
    this.timer.unref();
  }

  /** Forgets the probe and the ticks counted so far: the connection has just changed. */
  reset(): void {
    this.probeSentAtMs = null;
    this.ticksDisconnected = 0;
  }

  /** Stops watching. */
  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (!this.connected()) {
      if (++this.ticksDisconnected >= 2) dropConnection(this.client);
      return;
    }
    if (this.probeSentAtMs === null) {
      this.probeSentAtMs = performance.now();
      this.client.exists("/", () => {
        this.probeSentAtMs = null;
      });
    } else if (performance.now() - this.probeSentAtMs >= (2 * this.sessionTimeoutMs) / 3) {
      this.probeSentAtMs = null;
      dropConnection(this.client);
    }
  }
}
