// Whether a worker's port accepts connections. An EC2 instance is "running" well before
// cloud-init has started its worker, so the EC2 pool hands a VM out only once this says
// yes: a VM from a pool is ready for control calls.

import { connect } from "node:net";

/** Splits "host:port"; throws on anything else. */
export function parseAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`not a host:port address: ${address}`);
  }
  return { host: address.slice(0, at), port };
}

/** Resolves true if a TCP connection to `address` (host:port) opens within `timeoutMs`, else false; never rejects. */
export function isPortOpen(address: string, timeoutMs: number): Promise<boolean> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
