// The readiness probe against a real listening socket on 127.0.0.1.

import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { isPortOpen, parseAddress } from "../../cloud/tcpProbe.js";

describe("isPortOpen", () => {
  it("is true while a server listens on the port and false once it is closed", async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    expect(await isPortOpen(`127.0.0.1:${port}`, 1_000)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isPortOpen(`127.0.0.1:${port}`, 1_000)).toBe(false);
  });
});

describe("parseAddress", () => {
  it("splits host and port, and rejects anything else", () => {
    expect(parseAddress("10.0.0.1:7070")).toEqual({ host: "10.0.0.1", port: 7070 });
    for (const bad of ["10.0.0.1", ":7070", "h:0", "h:70000", "h:x"])
      expect(() => parseAddress(bad)).toThrow();
  });
});
