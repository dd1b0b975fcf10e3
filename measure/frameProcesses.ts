// The bare gRPC processes that measurements of the data plane stream frames between, each a
// process of its own so that its CPU time is its end's alone: a receiver that decodes frames
// (measure/grpcSinkServer.ts) and a sender that encodes and writes them
// (measure/grpcFrameSender.ts). Each is this file's sibling of the same kind: the .ts source
// (through tsx) in a clone, the built .js in an installed package.

import { spawn } from "node:child_process";
import { dirname, extname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const here = dirname(self);

/** The sibling program `name` (grpcSinkServer, grpcFrameSender), with this file's extension. */
function sibling(name: string): string {
  return `${here}/${name}${extname(self)}`;
}

/** A running receiver: its port, how to kill it, and the CPU time it reports at each stream's end. */
export interface SinkServer {
  readonly port: number;
  kill(): void;
  /** The CPU time (us) the receiver spent on the next stream to end. */
  cpuUs(): Promise<number>;
}

/**
 * Start measure/grpcSinkServer.ts (a bare receiver that decodes frames and reports its CPU
 * time), with a worker's HTTP/2 windows or, with `defaultWindows`, grpc-js's defaults.
 */
export function startSinkServer(defaultWindows = false): Promise<SinkServer> {
  const args = [
    "--import",
    "tsx",
    sibling("grpcSinkServer"),
    ...(defaultWindows ? ["--default-windows"] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: here, stdio: ["ignore", "pipe", "inherit"] });
  // Lines as they come, and those waited for: a line may come before it is asked for.
  const queued: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const w = waiting.shift();
    if (w === undefined) queued.push(line);
    else w(line);
  });
  const next = () =>
    new Promise<string>((resolve) => {
      const line = queued.shift();
      if (line === undefined) waiting.push(resolve);
      else resolve(line);
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
    void next().then((line) =>
      resolve({
        kill: () => child.kill("SIGKILL"),
        port: Number(line),
        cpuUs: () => next().then((l) => Number(l.split(" ")[1])),
      }),
    );
  });
}

/** Run measure/grpcFrameSender.ts to the receiver on `port`: its CPU time (us) and the bytes it sent. */
export function sendFrames(port: number, frames: number, batchSize: number): Promise<[number, number]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", sibling("grpcFrameSender"), String(port), String(frames), String(batchSize)],
    { cwd: here, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => {
      const [, cpu, , bytes] = line.split(" ");
      resolve([Number(cpu), Number(bytes)]);
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the frame sender exited with ${code}`));
    });
  });
}
