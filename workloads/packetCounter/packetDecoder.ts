// AppTracker's decoder: parses a packet's header fields into what classification needs,
// the server endpoint of the flow (the side with the lower port: services listen on
// well-known and registered ports, clients on ephemeral ones), the protocol and the
// length. A header that cannot be a TCP or UDP packet over IPv4 is dropped and counted.
// Stateless, and allocation-free per packet: every packet is written into one row.

import type { Batch, Operator, OperatorContext } from "../../engine/index.js";
import { TCP, UDP } from "./appClassifier.js";
import { PACKET_FIELDS } from "./packetSource.js";

/** Numeric fields of a decoded packet tuple, in order. */
export const DECODED_FIELDS = ["serverIp", "serverPort", "protocol", "lengthBytes"] as const;

/** Smallest IPv4 header, and the smallest TCP and UDP headers after it. */
const IPV4_HEADER_BYTES = 20;
const TCP_HEADER_BYTES = 20;
const UDP_HEADER_BYTES = 8;
/** Largest IPv4 packet. */
const IPV4_PACKET_BYTES_MAX = 65535;

const [SRC_IP, DST_IP, SRC_PORT, DST_PORT, PROTOCOL, LENGTH] = [0, 1, 2, 3, 4, 5];
if (PACKET_FIELDS[LENGTH] !== "lengthBytes" || PACKET_FIELDS[SRC_IP] !== "srcIp") {
  throw new Error("the decoder's field positions do not match PACKET_FIELDS");
}

/** True when `port` is a TCP or UDP port number. */
function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

/** Decodes packet headers keyed by flow into (flow, [serverIp, serverPort, protocol, lengthBytes]). */
export class PacketDecoder implements Operator {
  /** Packets dropped because their header is not that of a TCP or UDP packet over IPv4. */
  malformedPackets = 0;
  private readonly row = new Float64Array(DECODED_FIELDS.length);

  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    const f = batch.fields;
    const row = this.row;
    for (let i = 0; i < batch.length; i++) {
      const protocol = f[PROTOCOL][i];
      const srcPort = f[SRC_PORT][i];
      const dstPort = f[DST_PORT][i];
      const length = f[LENGTH][i];
      const transportBytes = protocol === TCP ? TCP_HEADER_BYTES : protocol === UDP ? UDP_HEADER_BYTES : -1;
      if (
        transportBytes < 0 ||
        !isPort(srcPort) ||
        !isPort(dstPort) ||
        !(length >= IPV4_HEADER_BYTES + transportBytes && length <= IPV4_PACKET_BYTES_MAX)
      ) {
        this.malformedPackets++;
        continue;
      }
      const toServer = dstPort <= srcPort;
      row[0] = toServer ? f[DST_IP][i] : f[SRC_IP][i];
      row[1] = toServer ? dstPort : srcPort;
      row[2] = protocol;
      row[3] = length;
      ctx.emitRow(batch.keys[i], batch.eventTimesMs[i], row);
    }
  }
}
