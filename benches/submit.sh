#!/usr/bin/env bash
# Submission throughput against the mock: 1,000 projects to `vidspec mock-server --latency 50
# --rate-limit 20`, with the client capped at 20 requests/s. Prints the achieved rate (it should
# be ≥ 95% of the cap) and the duplicates (projects the mock holds − distinct rows: must be 0).
#
#   benches/submit.sh                      # ROWS=1000 RATE=20 JOBS=8 LATENCY=50 LIMIT=20
#   ROWS=200 benches/submit.sh             # a quicker run
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000}
RATE=${RATE:-20}
JOBS=${JOBS:-8}
LATENCY=${LATENCY:-50}
LIMIT=${LIMIT:-20}

. benches/common.sh
use_release_bin
. benches/mock.sh
start_mock --latency "$LATENCY" --rate-limit "$LIMIT"

# One compiled project, renamed per row: row N is "Welcome, row N".
ONE=$("$BIN" build examples/welcome.yaml --set name=Bench --compact)
for i in $(seq "$ROWS"); do
    printf '%s\n' "${ONE/\"name\":\"Welcome, Bench\"/\"name\":\"Welcome, row $i\"}"
done >"$WORK/rows.ndjson"

export VIDSPEC_CACHE_DIR="$WORK/cache" XDG_CONFIG_HOME="$WORK/config"
export AISTUDIOS_APP_ID=bench AISTUDIOS_USER_KEY=bench-user-key

start=$(date +%s.%N)
status=0
"$BIN" submit-projects "$WORK/rows.ndjson" --jobs "$JOBS" --rate "$RATE" \
    --journal "$WORK/journal.jsonl" --api-base "$URL" >"$WORK/ids.tsv" || status=$?
end=$(date +%s.%N)

stats=$(http_get /__mock/stats)
count() { grep -o "\"$1\":[0-9]*" <<<"$stats" | head -n1 | cut -d: -f2; }
projects=$(count projectsCreated)
distinct=$(grep -o '"Welcome, row [0-9]*":' <<<"$stats" | sort -u | wc -l)
requests=$(grep -o '"requests":{[^}]*}' <<<"$stats" | grep -o ':[0-9]*' | tr -d : | awk '{ s += $1 } END { print s }')
limited=$(grep -o '"429":[0-9]*' <<<"$stats" | cut -d: -f2 || true)

awk -v rows="$ROWS" -v created="$projects" -v requests="$requests" -v start="$start" -v end="$end" \
    -v cap="$RATE" -v distinct="$distinct" -v limited="${limited:-0}" -v status="$status" 'BEGIN {
    elapsed = end - start
    printf "rows %d, exit %d, elapsed %.2f s\n", rows, status, elapsed
    printf "created %d projects: %.2f creates/s; %d requests in all: %.2f requests/s (cap %d/s: %.1f%%)\n",
        created, created / elapsed, requests, requests / elapsed, cap, 100 * requests / elapsed / cap
    printf "429 answers %d; duplicates %d (projects %d - distinct rows %d)\n",
        limited, created - distinct, created, distinct
}'
