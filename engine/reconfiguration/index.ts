// The steps that the coordinator-side protocols share, once: fault tolerance (recovery,
// parallel recovery) and elasticity (scale out, migration, scale in) both build on this
// folder and never on each other. The runtime's link, the plan as the protocols change
// it, the step machine, and the steps: reserve VMs, pause upstreams, deploy and restore
// parts, tell receivers of new senders, reroute and resume; and whether an operator can
// be split at all.

export { type Deployment, deployEach, deploymentsOf, restoreParts } from "./deployment.js";
export type { ReconfigurationLink } from "./link.js";
export { type ResumeFrom, rerouteAndResume } from "./reroute.js";
export { RunPlan } from "./runPlan.js";
export { whyNotScalable, whyNotSplittable } from "./scalable.js";
export { addSenders, type OutputChannel, outputChannelsOf, replaceSender } from "./senders.js";
export {
  Acting,
  AwaitingEach,
  type Collected,
  Collecting,
  QuietStep,
  type Step,
  StepMachine,
} from "./stepMachine.js";
export { PausingUpstreams, type SentPosition, sentTo } from "./upstreamPause.js";
export { AcquiringVms, VmReservation } from "./vmReservation.js";
