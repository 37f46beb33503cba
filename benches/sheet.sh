#!/usr/bin/env bash
# The contact sheet at scale: `vidspec preview --rows all` of ROWS rows (default 1,000) of a
# two-scene Korean listing spec (benches/sheet-listing.yaml), one row in fifty with a name that
# overflows its box and row 120 with a word for its number of rooms (it fails). Prints the
# wall time and peak memory of the command (GNU time), the page's size, and — when Chromium
# is there — how long headless Chromium takes to start on an empty page, to open the sheet and
# lay it out (--dump-dom), and to screenshot its top.
#
#   benches/sheet.sh                       # builds the release binary first; 1,000 rows
#   ROWS=5000 BIN=target/debug/vidspec benches/sheet.sh
#   ROWS=200 SCREENSHOT=docs/contact-sheet.png benches/sheet.sh   # keeps the screenshot
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROWS=${ROWS:-1000}
SHOT=${SCREENSHOT:+$(realpath -m "$SCREENSHOT")}
. benches/common.sh
use_release_bin
need_gnu_time
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

cp "$ROOT/benches/sheet-listing.yaml" listing.yaml
awk -v rows="$ROWS" 'BEGIN {
    split("김 이 박 최 정", family, " "); split("민수 서연 지훈 하은 도윤", given, " ");
    print "name,rooms";
    for (r = 1; r <= rows; r++) {
        if (r % 50 == 17) name = "Maximilian Alexander von Hohenzollern-Sigmaringen " r;
        else name = family[r % 5 + 1] given[int(r / 5) % 5 + 1];
        print name "," (r == 120 ? "many" : r % 4 + 1);
    }
}' > rows.csv

echo "rows: $ROWS"
$TIME -f 'vidspec preview --rows all: %e s wall, %M KiB peak memory' \
    "$BIN" preview listing.yaml --csv rows.csv --rows all -o sheet.html 2> stderr.txt || true
grep -E 'contact sheet|wall' stderr.txt
echo "page: $(stat -c %s sheet.html) bytes ($(grep -c '<svg class="frame"' sheet.html) frames)"

BROWSER=${VIDSPEC_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [[ -n $BROWSER ]]; then
    FLAGS=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
           --disable-component-update --disable-sync --user-data-dir="$WORK/profile")
    echo '<!DOCTYPE html><title>empty</title>' > empty.html
    $TIME -f 'chromium --dump-dom of an empty page (start-up alone): %e s wall, %M KiB peak memory' \
        "$BROWSER" "${FLAGS[@]}" --dump-dom "file://$WORK/empty.html" > /dev/null 2> chromium.txt
    grep wall chromium.txt
    $TIME -f 'chromium --dump-dom (open, parse, lay out): %e s wall, %M KiB peak memory' \
        "$BROWSER" "${FLAGS[@]}" --dump-dom "file://$WORK/sheet.html" > dom.html 2> chromium.txt
    grep wall chromium.txt
    $TIME -f 'chromium --screenshot (1200x1300): %e s wall' \
        "$BROWSER" "${FLAGS[@]}" --window-size=1200,1300 --screenshot="$WORK/sheet.png" \
        "file://$WORK/sheet.html" 2> chromium.txt > /dev/null
    grep wall chromium.txt
    if [[ -n $SHOT ]]; then
        cp sheet.png "$SHOT"
        echo "screenshot: $SHOT ($(stat -c %s "$SHOT") bytes)"
    fi
fi
