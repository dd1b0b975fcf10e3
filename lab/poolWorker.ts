// The script each process of the run pool (lab/runPool.ts) runs: it registers the pool's
// tasks (lab/poolTasks.ts) with workerpool and waits for them; a sweep run's progress goes
// back to the pool as events of its task (workerpool's workerEmit). A Ctrl-C on the terminal
// reaches every process of its group: this one ignores it and leaves the decision to the
// sweep, which stops the pool itself (and this process exits once the sweep's is gone).

import workerpool from "workerpool";
import { chaosRun, sweepRun } from "./poolTasks.js";

process.on("SIGINT", () => {});
workerpool.worker({
  // A run's progress goes to the sweep as an event of its task (RunPool.sweepRun's `on`).
  sweepRun: (task: Parameters<typeof sweepRun>[0]) =>
    sweepRun(task, (fraction) => workerpool.workerEmit({ fraction })),
  chaosRun,
});
