#!/usr/bin/env bash
# Run `npm test` on a machine kept busy, as a laptop with a browser and a build open is:
# HOGS busy-looping node processes (default 2, one per core of a 2-core machine) run for the
# whole suite, RUNS times in a row (default 1). Prints each run's wall time and result, and
# exits non-zero if any run failed. The hogs are this script's own children, killed by PID
# when it ends, however it ends.
#   scripts/test-under-load.sh            # one run beside two hogs
#   HOGS=2 RUNS=3 scripts/test-under-load.sh
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hogs=${HOGS:-2}
runs=${RUNS:-1}
pids=()
stop_hogs() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap stop_hogs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
for _ in $(seq 1 "$hogs"); do
  node -e 'for (;;) {}' &
  pids+=("$!")
done
echo "test-under-load: ${hogs} busy-looping processes (pids ${pids[*]}), ${runs} run(s) of npm test; load $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npm test; then result=passed; else result=FAILED; failed=1; fi
  end=$(date +%s)
  echo "test-under-load: run ${i}/${runs} ${result} in $((end - start)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"
done
exit "$failed"
