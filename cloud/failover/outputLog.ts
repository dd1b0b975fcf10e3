// The sinks' outputs as a leader logs them with its journal (zkJournal.ts `logOutput`): each
// output event of a worker, framed as [worker u32][seq f64][length u32][SinkOutput proto],
// little-endian, so that a new leader can take again, in the order the old one took them,
// those its restored output snapshot does not cover.

import { SinkOutput } from "../gen/seep/v1/seep.js";

/** An output as logged: the worker (by index) and event seq it came with. */
export interface LoggedOutput {
  readonly worker: number;
  readonly seq: number;
  readonly output: SinkOutput;
}

const HEADER_BYTES = 16;

/** One output event of worker `worker`, framed for the log. */
export function encodeLoggedOutput(worker: number, seq: number, output: SinkOutput): Uint8Array {
  const body = SinkOutput.encode(output).finish();
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32LE(worker, 0);
  frame.writeDoubleLE(seq, 4);
  frame.writeUInt32LE(body.length, 12);
  frame.set(body, HEADER_BYTES);
  return frame;
}

/** The outputs in `objects` (the log's objects, in order); throws one line on a torn or bad frame. */
export function decodeLoggedOutputs(objects: readonly Uint8Array[]): LoggedOutput[] {
  const out: LoggedOutput[] = [];
  for (const [k, object] of objects.entries()) {
    const b = Buffer.from(object.buffer, object.byteOffset, object.byteLength);
    for (let at = 0; at < b.length; ) {
      if (at + HEADER_BYTES > b.length)
        throw new Error(`coordinator journal: output object ${k} ends inside a frame header at byte ${at}`);
      const worker = b.readUInt32LE(at);
      const seq = b.readDoubleLE(at + 4);
      const length = b.readUInt32LE(at + 12);
      const end = at + HEADER_BYTES + length;
      if (end > b.length || !Number.isSafeInteger(seq))
        throw new Error(`coordinator journal: output object ${k} has a bad frame at byte ${at}`);
      out.push({ worker, seq, output: SinkOutput.decode(b.subarray(at + HEADER_BYTES, end)) });
      at = end;
    }
  }
  return out;
}
