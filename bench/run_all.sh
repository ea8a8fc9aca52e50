#!/usr/bin/env bash
# Every benchmark at full size, one after the other (about 8 minutes; see BENCHMARKS.md).
# Results go to the folder given as $1 (default: a new one under /tmp) as JSON, next to a log.
#   bench/run_all.sh [results-folder]
# Each benchmark takes its own arguments: `.venv/bin/python -m bench.<name> --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh test,postgres,charts
out="${1:-$(mktemp -d /tmp/coach-bench-XXXXXX)}"
mkdir -p "$out"
py=.venv/bin/python
{
  echo "== ack latency: coach run against bare Bolt"
  $py -m bench.ack --json "$out/ack.json"
  echo
  echo "== ack latency during a 1,000-channel check-in, run by coach run's runtime process"
  $py -m bench.ack_checkin --json "$out/ack_checkin.json"
  echo
  echo "== the same with the check-in in a coach checkin process instead"
  $py -m bench.ack_checkin --checkin-in process --json "$out/ack_checkin_process.json"
  echo
  echo "== check-in at scale"
  $py -m bench.checkin_scale --json "$out/checkin_scale.json"
  echo
  echo "== chart"
  $py -m bench.chart --json "$out/chart.json"
} 2>&1 | tee "$out/bench.log"
echo "results in $out"
