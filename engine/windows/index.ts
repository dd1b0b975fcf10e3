// The public surface of engine windows: aggregates, event-time and count windows.

export { type Aggregate, countAggregate, mergeAll, sumAggregate } from "./aggregate.js";
export {
  CountWindowOperator,
  type CountWindowOptions,
  type CountWindowResult,
  type CountWindowState,
  countWindow,
} from "./countWindow.js";
export { Panes } from "./panes.js";
export {
  TimeWindowOperator,
  type TimeWindowOptions,
  type TimeWindowState,
  timeWindow,
  type WindowResult,
} from "./timeWindow.js";
export type { WindowDefinition } from "./windowDefinition.js";
