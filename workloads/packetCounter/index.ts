// The packet workloads' public surface: SAND's packet counter and its AppTracker.

export { APP_CLASSES, type AppClass, AppClassifier, TCP, UDP } from "./appClassifier.js";
export { type AppTrackerOptions, appTrackerPlan, appTrafficTable } from "./appTrackerPlan.js";
export { CLASSIFIED_FIELDS, FlowClassifier } from "./flowClassifier.js";
export {
  FlowCounter,
  flowCountTable,
  type PacketCounterOptions,
  packetCounterPlan,
} from "./packetCounterPlan.js";
export { DECODED_FIELDS, PacketDecoder } from "./packetDecoder.js";
export {
  addPacketSource,
  FLOW_FIELDS,
  flowHeader,
  PACKET_FIELDS,
  PacketSource,
  type PacketSourceOptions,
  resolvePacketSourceOptions,
} from "./packetSource.js";
export {
  type AppShare,
  type AppTraffic,
  type Traffic,
  trafficAggregate,
  trafficDistribution,
} from "./trafficTracker.js";
