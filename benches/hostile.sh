#!/usr/bin/env bash
# Under hostile input: each case of README "Under hostile input" run once, with its wall time,
# its peak memory (GNU time's maximum resident set) and the first line the user sees on stderr.
# Everything runs in a temporary folder; the API cases use `vidspec mock-server` on 127.0.0.1.
#
#   benches/hostile.sh                   # builds the release binary first
#   BIN=target/debug/vidspec benches/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. benches/common.sh
use_release_bin
need_gnu_time
WORK=$(mktemp -d)
MOCK_PID=
cleanup() {
    [[ -n $MOCK_PID ]] && kill "$MOCK_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
export XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache NO_COLOR=1
unset AISTUDIOS_APP_ID AISTUDIOS_USER_KEY
WELCOME=$ROOT/examples/welcome.yaml

printf '| case | exit | time | peak memory | what the user sees (first line) |\n'
printf '| --- | --- | --- | --- | --- |\n'
# case NAME CMD...: runs CMD (stdout to /dev/null) and prints a table row.
case_() {
    local name=$1
    shift
    set +e
    "$TIME" -f '%e %M' -o time.txt "$@" >/dev/null 2>err.txt
    local code=$?
    set -e
    read -r secs kib < <(tail -1 time.txt)
    local said
    # The first error, else the last warning (a count of the ones not shown), else nothing.
    said=$({ grep '^error:' err.txt || grep '^warning:\|^[0-9]* rows:' err.txt | tail -1 || true; } |
        head -1 | cut -c1-150 | sed 's/|/\\|/g')
    [[ -n $said ]] || said="(nothing)"
    printf '| %s | %s | %s s | %s MiB | %s |\n' "$name" "$code" "$secs" "$((kib / 1024))" "$said"
}

# 5. One 1 MB string aliased 1,000 and 10,000 times.
python3 - <<'PY'
big = "x" * (1 << 20)
for n in (1000, 10000):
    with open(f"alias-{n}.yaml", "w") as f:
        f.write("name: &a " + big + "\nscenes: [" + ", ".join(["{say: *a}"] * n) + "]\n")
open("long-line.yaml", "w").write("name: [" + "x, " * 333_000 + "x]\nscenes: [{say: hi}]\n")
open("numbers.yaml", "w").write("name: x\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: hi\n    clips:\n      - text: a\n        left: 1e309\n")
open("wide.csv", "w").write(",".join(f"c{i}" for i in range(100_000)) + ",name\n" + "," * 100_000 + "Ada\n")
PY
case_ "aliases: 1 MB × 1,000" "$BIN" check alias-1000.yaml
case_ "aliases: 1 MB × 10,000" "$BIN" check alias-10000.yaml
case_ "a 1 MB line with an error" "$BIN" check long-line.yaml
case_ "1e309 where a number goes" "$BIN" check numbers.yaml
# 6. Endless inputs.
case_ "check /dev/zero" "$BIN" check /dev/zero
case_ "--vars /dev/zero" "$BIN" check "$WELCOME" --set name=A --vars /dev/zero
case_ "batch --csv /dev/zero" "$BIN" batch "$WELCOME" --csv /dev/zero --ndjson
# 9. An unterminated quote.
printf 'name\n"Ada\nBob\nCy\n' >quote.csv
case_ "an unterminated quote" "$BIN" batch "$WELCOME" --csv quote.csv --ndjson
# 10. 100,000 columns.
case_ "100,000 unknown columns" "$BIN" batch "$WELCOME" --csv wide.csv --ndjson
# 3. Outputs that are not regular files.
mkfifo fifo
(cat fifo >/dev/null &)
case_ "build -o FIFO" "$BIN" build "$WELCOME" --set name=A -o fifo
ln -s /dev/null null.json
case_ "build -o link-to-/dev/null" "$BIN" build "$WELCOME" --set name=A -o null.json
[[ -c /dev/null ]] || echo "/dev/null was replaced!" >&2
# 4. A link inside the output folder.
mkdir -p out outside
ln -s "$WORK/outside" out/evil
printf 'name\nevil/x\nok\n' >evil.csv
case_ "row through out/evil -> outside" "$BIN" batch "$WELCOME" --csv evil.csv --out 'out/{{ name }}.json'
[[ -z $(ls outside) ]] || echo "a row escaped the output folder!" >&2
# 12. A full disk under --ndjson.
python3 -c 'print("name"); [print(f"n{i}") for i in range(300)]' >rows.csv
set +e
"$TIME" -f '%e %M' -o time.txt "$BIN" batch "$WELCOME" --csv rows.csv --ndjson >/dev/full 2>err.txt
code=$?
set -e
read -r secs kib < <(tail -1 time.txt)
printf '| --ndjson > /dev/full | %s | %s s | %s MiB | %s |\n' "$code" "$secs" "$((kib / 1024))" "$(head -1 err.txt | cut -c1-150)"
# 13. Offline and configuration.
case_ "no credentials: models" "$BIN" models --api-base http://127.0.0.1:9
AISTUDIOS_APP_ID=a AISTUDIOS_USER_KEY=key-for-the-mock case_ "unknown host: models" \
    "$BIN" models --api-base "http://$(printf 'a%.0s' {1..64}).invalid"

# 1, 2 and 8: against the mock. stats.py sums up what the mock saw.
cat >stats.py <<'PY'
import json, sys
d = json.load(sys.stdin)
if sys.argv[1] == "statuses":
    print(d["projectsCreated"], "created, HTTP statuses", d["statuses"])
else:
    names = d["projectNames"]
    twice = sum(1 for v in names.values() if v > 1)
    print(d["projectsCreated"], "created for", len(names), "rows,", twice, "created twice")
PY
"$BIN" mock-server --port 0 --rate-limit 5 >mock.txt 2>/dev/null &
MOCK_PID=$!
for _ in $(seq 50); do [[ -s mock.txt ]] && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' mock.txt)
export AISTUDIOS_APP_ID=app AISTUDIOS_USER_KEY=key-for-the-mock
python3 -c 'print("name"); [print(f"n{i}") for i in range(60)]' >sixty.csv
case_ "429s: --rate 50 --jobs 8, mock --rate-limit 5, 60 rows" \
    "$BIN" batch "$WELCOME" --csv sixty.csv --submit --rate 50 --jobs 8 --api-base "$URL" --quiet
printf '|  |  |  |  | mock: %s |\n' "$(curl -s "$URL/__mock/stats" | python3 stats.py statuses)"
kill "$MOCK_PID"
"$BIN" mock-server --port 0 --latency 30 >mock2.txt 2>/dev/null &
MOCK_PID=$!
for _ in $(seq 50); do [[ -s mock2.txt ]] && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' mock2.txt)
python3 -c 'print("name"); [print(f"m{i}") for i in range(100)]' >hundred.csv
"$BIN" batch "$WELCOME" --csv hundred.csv --submit --jobs 8 --journal j.jsonl --api-base "$URL" --quiet >/dev/null 2>&1 &
FIRST=$!
until grep -q '"created"' j.jsonl 2>/dev/null; do sleep 0.02; done
case_ "a second run on a journal in use" \
    "$BIN" batch "$WELCOME" --csv hundred.csv --submit --jobs 8 --journal j.jsonl --api-base "$URL" --quiet
wait "$FIRST" || true
printf '\xff\xfe not a record\n' >>j.jsonl
python3 -c 'print("name"); [print(f"m{i}") for i in range(120)]' >more.csv
case_ "a journal with a line that is not UTF-8" \
    "$BIN" batch "$WELCOME" --csv more.csv --submit --jobs 8 --journal j.jsonl --api-base "$URL"
printf '|  |  |  |  | mock: %s |\n' "$(curl -s "$URL/__mock/stats" | python3 stats.py twice)"
