#!/usr/bin/env bash
# A longer fuzz run: seeded mutations of the example specs (through `vidspec build`) and of
# examples/people.csv (through `vidspec batch --ndjson`) for a given time, each run of the
# binary killed after 10 s. Prints the inputs tried, the panics, the timeouts (the inputs are
# kept in $TMPDIR/vidspec-property-failures/), the peak memory of any one run and the slowest.
# Nothing touches the network. The mutations are those of `tests/property.rs`.
#
#   benches/fuzz.sh              # 60 s, a random first seed (printed)
#   benches/fuzz.sh 600          # ten minutes
#   SEED=42 benches/fuzz.sh 30   # reproducible
#   PROFILE=release benches/fuzz.sh 300
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN=${1:-60}
PROFILE=${PROFILE:-dev}
export VIDSPEC_FUZZ_SECONDS=$SECONDS_TO_RUN
if [[ -n ${SEED:-} ]]; then
    export VIDSPEC_FUZZ_SEED=$SEED
fi
exec cargo test --profile "$PROFILE" --quiet --test cli property::fuzz -- --ignored --nocapture --exact
