// Linear Road's queries: the public surface.

export { type Account, Accounts } from "./accounts.js";
export { type CarState, Cars, type TollLookup } from "./cars.js";
export { type LrbPlanOptions, lrbPlan } from "./lrbPlan.js";
export { RecordSource, type RecordStream } from "./recordSource.js";
export { Segments, type XwayDirState } from "./segments.js";
