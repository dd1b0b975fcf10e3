// The packet counter workload's public surface.

export {
  cloneFlowCount,
  type FlowCount,
  FlowCounter,
  type PacketCounterOptions,
  packetCounterPlan,
} from "./packetCounterPlan.js";
export { PACKET_FIELDS, PacketSource, type PacketSourceOptions } from "./packetSource.js";
