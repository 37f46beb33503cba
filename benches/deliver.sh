#!/usr/bin/env bash
# From a CSV to videos on disk against the mock: ROWS rows of examples/welcome.yaml through
# `batch --submit --download` (create, wait for each export, download) with the client at
# --rate RATE against `vidspec mock-server --latency 50 --rate-limit LIMIT`. Every request the
# client makes — token, creates, progress polls, video downloads — takes its turn from the one
# --rate pacer, so the ideal wall time is requests / RATE; prints the wall time against it,
# the 429s, and the duplicates (projects the mock holds − distinct rows: must be 0), and checks
# that every row's file is on disk.
#
#   benches/deliver.sh                     # ROWS=1000 RATE=20 LIMIT=20 JOBS=8 EXPORT=0.5
#   ROWS=200 benches/deliver.sh            # a quicker run
#   BIN=path/to/vidspec benches/deliver.sh # a binary already built
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000}
RATE=${RATE:-20}
LIMIT=${LIMIT:-20}
JOBS=${JOBS:-8}
LATENCY=${LATENCY:-50}
EXPORT=${EXPORT:-0.5}

. benches/common.sh
use_release_bin
. benches/mock.sh
start_mock --latency "$LATENCY" --rate-limit "$LIMIT" \
    --export-seconds "$EXPORT"

{
    echo "name,plan,seats"
    for i in $(seq "$ROWS"); do echo "Person $i,Pro,$((i % 9 + 1))"; done
} >"$WORK/rows.csv"

export VIDSPEC_CACHE_DIR="$WORK/cache" XDG_CONFIG_HOME="$WORK/config"
export AISTUDIOS_APP_ID=bench AISTUDIOS_USER_KEY=bench-user-key

start=$(date +%s.%N)
status=0
"$BIN" batch examples/welcome.yaml --csv "$WORK/rows.csv" --submit --jobs "$JOBS" --rate "$RATE" \
    --journal "$WORK/journal.jsonl" --download "$WORK/videos/{{ row }}.mp4" \
    --api-base "$URL" >"$WORK/ids.tsv" 2>"$WORK/stderr" || status=$?
end=$(date +%s.%N)
grep -E '^[0-9]+ rows: ' "$WORK/stderr" || tail -n 5 "$WORK/stderr"

stats=$(http_get /__mock/stats)
count() { grep -o "\"$1\":[0-9]*" <<<"$stats" | head -n1 | cut -d: -f2; }
projects=$(count projectsCreated)
distinct=$(grep -o '"Welcome, Person [0-9]*":' <<<"$stats" | sort -u | wc -l)
api=$(grep -o '"requests":{[^}]*}' <<<"$stats" | grep -o ':[0-9]*' | tr -d : | awk '{ s += $1 } END { print s }')
videos=$(grep -o '"videos":{[^}]*}' <<<"$stats" | grep -o '"requests":[0-9]*' | cut -d: -f2)
limited=$(grep -o '"429":[0-9]*' <<<"$stats" | cut -d: -f2 || true)
files=$(find "$WORK/videos" -name '*.mp4' -type f | wc -l)
others=$(find "$WORK/videos" -type f ! -name '[0-9]*.mp4' | wc -l)
bytes=$(du -sb "$WORK/videos" | cut -f1)

awk -v rows="$ROWS" -v created="$projects" -v api="$api" -v videos="${videos:-0}" \
    -v start="$start" -v end="$end" -v rate="$RATE" -v distinct="$distinct" \
    -v limited="${limited:-0}" -v status="$status" -v files="$files" -v others="$others" \
    -v bytes="$bytes" 'BEGIN {
    elapsed = end - start
    requests = api + videos
    ideal = requests / rate
    printf "rows %d, exit %d, elapsed %.1f s\n", rows, status, elapsed
    printf "requests %d (API %d, video GETs %d): ideal at %d/s %.1f s; elapsed / ideal %.2f (%.1f%% of the rate)\n",
        requests, api, videos, rate, ideal, elapsed / ideal, 100 * ideal / elapsed
    printf "per row %.2f requests; 429 answers %d; duplicates %d (projects %d - distinct rows %d)\n",
        requests / rows, limited, created - distinct, created, distinct
    printf "files %d (%.1f MB), other files left %d\n", files, bytes / 1e6, others
}'
