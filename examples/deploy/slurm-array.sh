#!/usr/bin/env bash
# A campaign in N shards on Slurm: one array task per shard, then a merge once all have ended.
#
#   ./slurm-array.sh spec.yaml rows.csv        # submits the array and the merge
#
# Inside the array, SLURM_ARRAY_TASK_ID counts from the array's first index:
# `--shard auto/N` maps --array=0-7 (or 1-8, or 0-14:2) to shards 1..8, and refuses to run
# when the array has another number of tasks than N. Journals go to journals/ in the
# submission folder (a shared file system, as usual on a cluster).
#SBATCH --job-name=vidspec-shard
#SBATCH --array=0-7
#SBATCH --cpus-per-task=1
#SBATCH --output=journals/shard-%a.log
set -euo pipefail
SHARDS=8          # the number of tasks in --array above
RATE_TOTAL=4      # requests per second for the whole campaign

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    # Not in the array: submit it, and the merge after it (whatever the tasks' exit codes:
    # a merge of partial journals is still the truth to rerun from).
    spec=${1:?usage: slurm-array.sh SPEC CSV}
    csv=${2:?usage: slurm-array.sh SPEC CSV}
    mkdir -p journals
    array=$(sbatch --parsable --export=ALL,SPEC="$spec",CSV="$csv" "$0")
    echo "$array"
    sbatch --parsable --dependency=afterany:"$array" --job-name=vidspec-merge \
        --output=journals/merge.log \
        --wrap 'vidspec journal merge journals/shard-*.jsonl -o journals/all.jsonl && vidspec status --journal journals/all.jsonl'
    exit 0
fi

journal=journals/shard-$SLURM_ARRAY_TASK_ID.jsonl
# Start from what earlier runs created (duplicate lines vanish in the merge).
if [ -f journals/all.jsonl ] && [ ! -f "$journal" ]; then cp journals/all.jsonl "$journal"; fi
# VIDSPEC_API_BASE (optional): another API, e.g. a `vidspec mock-server` to try the array.
exec vidspec batch "$SPEC" --csv "$CSV" --submit --shard "auto/$SHARDS" \
    --rate-total "$RATE_TOTAL" --journal "$journal" --report "$journal.report" \
    ${VIDSPEC_API_BASE:+--api-base "$VIDSPEC_API_BASE"}
