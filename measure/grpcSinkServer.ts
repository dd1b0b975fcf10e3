// A bare gRPC data-plane receiver, run as its own process (measure/frameProcesses.ts) by
// the packet counter's measurement, for the loopback ceiling, and by the calibration, for
// the receiving end's CPU per byte: it accepts DataPlane streams, with the same
// HTTP/2 windows as a worker, decodes each frame and its batch (as a worker does) and counts
// tuples, granting no credits. It prints its port on the first line; on each stream's
// end it grants the tuples it received as credits and prints `cpu <us>`, the CPU time
// (user and system, microseconds) this process spent from the stream's start.

import { Server, ServerCredentials, type ServerDuplexStream } from "@grpc/grpc-js";
import { FrameDataPlaneService } from "../cloud/frameCodec.js";
import type { Credit, DataFrame } from "../cloud/gen/seep/v1/seep.js";
import { widenReceiveWindows } from "../cloud/worker.js";
import { decodeBatch } from "../engine/index.js";

const server = new Server();
server.addService(FrameDataPlaneService, {
  stream: (call: ServerDuplexStream<DataFrame, Credit>) => {
    let tuples = 0;
    const start = process.cpuUsage();
    call.on("data", (f: DataFrame) => {
      tuples += decodeBatch(f.batch).length;
    });
    call.on("end", () => {
      call.write({ frames: tuples });
      call.end();
      const cpu = process.cpuUsage(start);
      process.stdout.write(`cpu ${cpu.user + cpu.system}\n`);
    });
  },
});
server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  // The same HTTP/2 windows as a worker's, unless asked for grpc-js's defaults.
  if (!process.argv.includes("--default-windows")) widenReceiveWindows(server);
  process.stdout.write(`${port}\n`);
});
