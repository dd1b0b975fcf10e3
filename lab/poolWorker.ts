// The script each process of the run pool (lab/runPool.ts) runs: it registers the pool's
// tasks (lab/poolTasks.ts) with workerpool and waits for them. A Ctrl-C on the terminal
// reaches every process of its group: this one ignores it and leaves the decision to the
// sweep, which stops the pool itself (and this process exits once the sweep's is gone).

import workerpool from "workerpool";
import { chaosRun, sweepRun } from "./poolTasks.js";

process.on("SIGINT", () => {});
workerpool.worker({ sweepRun, chaosRun });
