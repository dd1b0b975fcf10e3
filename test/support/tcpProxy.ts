// A TCP proxy on 127.0.0.1 in front of one port, that a test can cut: every connection
// through it is dropped and new ones are refused until it is restored. A ZooKeeper session
// made through a proxy can thus be kept from reconnecting while something is done to it
// (zookeeperSessions.ts), or be cut off from ZooKeeper as by a partition.

import { connect, createServer, type Socket } from "node:net";

/** A proxy to one port on 127.0.0.1. */
export interface TcpProxy {
  readonly port: number;
  /** Drops every connection through the proxy and refuses new ones. */
  cut(): void;
  /** Lets connections through again. */
  restore(): void;
  /** Cuts and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 to 127.0.0.1:`targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let passing = true;
  const live = new Set<Socket>();
  const server = createServer((client) => {
    if (!passing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    const end = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        live.delete(s);
      }
    };
    for (const s of [client, upstream]) {
      live.add(s);
      s.on("error", end);
      s.on("close", end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const cut = () => {
    passing = false;
    for (const s of live) s.destroy();
    live.clear();
  };
  return {
    port: (server.address() as { port: number }).port,
    cut,
    restore: () => {
      passing = true;
    },
    close: () => {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
