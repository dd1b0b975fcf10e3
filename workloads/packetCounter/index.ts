// The packet counter workload's public surface.

export {
  cloneFlowCount,
  FlowCounter,
  type FlowCount,
  type PacketCounterOptions,
  packetCounterPlan,
} from "./packetCounterPlan.js";
export { PACKET_FIELDS, PacketSource, type PacketSourceOptions } from "./packetSource.js";
