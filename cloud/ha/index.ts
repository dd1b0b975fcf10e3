// The public surface of coordinator failover on ZooKeeper: the address a user gives
// (`seep run --ha zk://...`), a session with it, the leader election of a run's
// coordinators and the following of its leader by workers, the fencing epoch that stops a
// deposed leader, and the durable record of the run that a new leader takes over from.
// A run's nodes live under <root>/runs/<runId>/: election/, epoch, record.

export {
  claimEpoch,
  EpochCorruptError,
  epochPath,
  readEpoch,
} from "./fencingEpoch.js";
export { ElectionLostError, electionPath, LeaderElection } from "./leaderElection.js";
export { currentLeader, watchLeader } from "./leaderWatch.js";
export {
  FencedError,
  listRuns,
  RECORD_CHUNK_BYTES,
  RecordCorruptError,
  RecordMismatchError,
  RunIdError,
  type RunRecord,
  RunRecordStore,
  runPath,
} from "./runRecordStore.js";
export {
  isSessionEnded,
  isZookeeperError,
  SessionClosedError,
  SessionExpiredError,
  TransactionFailedError,
  ZookeeperError,
  ZookeeperUnreachableError,
} from "./zkErrors.js";
export {
  type CreateMode,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SESSION_TIMEOUT_MS,
  type NodeData,
  type NodeStat,
  type SessionOptions,
  type SessionState,
  TRANSACTION_BYTES_MAX,
  type TransactionOp,
  type TransactionResult,
  type WatchEvent,
  type Watcher,
  ZkSession,
} from "./zkSession.js";
export {
  DEFAULT_ZOOKEEPER_PORT,
  DEFAULT_ZOOKEEPER_ROOT,
  parseZookeeperAddress,
  type ZookeeperAddress,
  ZookeeperAddressError,
} from "./zookeeperAddress.js";
