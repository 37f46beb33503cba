#!/usr/bin/env bash
# Opt-in (not part of .ci/run): runs examples/deploy/slurm-array.sh on a single-node Slurm
# (Debian's slurm-wlm and munge, as root) against `vidspec mock-server`, waits for the array
# and its merge, and checks that the mock created each row exactly once.
#   apt-get install -y slurm-wlm munge && bash .ci/slurm-array-test.sh [path/to/vidspec]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$repo/target/debug/vidspec}")
work=$(mktemp -d)
mkdir -p "$work"/{state,spool,log,bin,run/journals}
ln -s "$bin" "$work/bin/vidspec"
export PATH="$work/bin:$PATH" SLURM_CONF="$work/slurm.conf"
host=$(hostname)
cat > "$SLURM_CONF" <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6917
SlurmdPort=6918
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

mock_pid=
cleanup() {
    for pid in "$(cat "$work/slurmd.pid" 2>/dev/null)" "$(cat "$work/slurmctld.pid" 2>/dev/null)" "$mock_pid"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

munge -n >/dev/null 2>&1 || munged --force
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %T | grep -q idle || { echo "slurm did not start"; cat "$work"/log/*; exit 1; }

vidspec mock-server --port 0 > "$work/mock.out" &
mock_pid=$!
for _ in $(seq 50); do grep -q listening "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/mock.out")

cd "$work/run"
cat > spec.yaml <<'SPEC'
name: "{{ name }}"
vars:
  name: { type: string, required: true }
avatar:
  preset: anna-navy-suit
scenes:
  - say: "Hello {{ name }}"
SPEC
rows=40
{ echo name; for i in $(seq $rows); do echo "n$i"; done; } > rows.csv
export AISTUDIOS_APP_ID=slurm-test AISTUDIOS_USER_KEY=slurm-test VIDSPEC_API_BASE=$url
export HOME=$work XDG_CACHE_HOME=$work/cache XDG_CONFIG_HOME=$work/config
started=$(date +%s)
ids=$(bash "$repo/examples/deploy/slurm-array.sh" spec.yaml rows.csv)
merge_job=$(echo "$ids" | tail -1)
while squeue -h -j "$merge_job" 2>/dev/null | grep -q .; do sleep 1; done
echo "array and merge done in $(( $(date +%s) - started )) s"
cat journals/merge.log
created=$(curl -s "$url/__mock/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); n=s["projectNames"]; assert all(v == 1 for v in n.values()), n; print(s["projectsCreated"], len(n))')
echo "mock: projects created, distinct names: $created"
[ "$created" = "$rows $rows" ] || { echo "FAIL: expected $rows rows created once each"; exit 1; }
grep -q "$rows rows: $rows created" journals/merge.log || { echo "FAIL: the merged journal"; exit 1; }
echo "ok: $rows rows in 8 array tasks, each created once, one merged journal"
