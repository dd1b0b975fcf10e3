// Coordinator takeover: the coordinator's journal, and a leader that runs the engine's
// coordinator behind it or rebuilds it from it (coordinatorTakeover.ts).

export {
  type CoordinatorRuntime,
  JournaledCoordinator,
  type JournaledScalings,
  type JournaledScalingTarget,
} from "./coordinatorTakeover.js";
export {
  type CoordinatorInput,
  type CoordinatorSetup,
  type Journal,
  JournalDivergence,
  type JournalEntry,
  MemoryJournal,
  NoJournal,
} from "./journal.js";
