#!/usr/bin/env bash
# `vidspec build examples/welcome.yaml --set name=Ada` start to finish, as a process: wall time
# (hyperfine, or a plain loop without it), CPU time and page faults (perf stat), instructions
# (callgrind, which the load does not change) and the load average around each figure.
# Usage: bash benches/build.sh [path/to/vidspec]   (default: a fresh release build)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
BIN=${1:-${BIN:-}}
use_release_bin
bin=$BIN
args=(build examples/welcome.yaml --set name=Ada)
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

load
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 "$bin ${args[*]}"
else
  runs=300
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$bin" "${args[@]}" >/dev/null; done
  echo "mean wall: $(( ($(date +%s%N) - start) / runs / 1000 )) µs over $runs runs"
fi
load
if command -v perf >/dev/null; then
  perf stat -r 100 -e task-clock,page-faults "$bin" "${args[@]}" 2>&1 >/dev/null |
    grep -E "task-clock|page-faults|elapsed"
  load
fi
if command -v valgrind >/dev/null; then
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "${args[@]}" 2>&1 >/dev/null |
    grep "refs"
fi
