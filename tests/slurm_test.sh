#!/usr/bin/env bash
# tests/slurm_test.sh - the batch templates on a real single-node Slurm.
#
# Starts a private MUNGE and Slurm (munged, slurmctld, slurmd) whose config,
# key, socket, state, spool, logs and pid files all live in a work directory
# under the build tree, with its own ports; submits scripts/slurm/mcpi-mpi.sbatch
# (2 ranks on 1 node, srun --mpi=pmix) and scripts/slurm/mcpi-array.sbatch (3
# parts) with sbatch, waits for them, and checks the exact hits in their JSON
# (seed 42, N = 10^6 -> 785856), then runs the ReFrame check through it
# (scripts/reframe/run --system slurm; skipped where ReFrame cannot be had).
# The daemons and anything they started are
# stopped by PID on every exit. The system's /etc/slurm, /etc/munge and any
# system munged are never used or touched.
#
# Exit 0 pass, 1 fail, 77 skip (Slurm or MUNGE missing, or the daemons could
# not start here: the message says why).
#
# Environment (set by tests/slurm.cmake): MCPI_BIN, MCPI_SOURCE_DIR,
# MCPI_SLURM_WORK (work directory, recreated), MCPI_SLURM_KEEP=1 keeps it.
set -uo pipefail

SKIP=77
T0=$SECONDS
MCPI_BIN=$(readlink -f "${MCPI_BIN:?MCPI_BIN must name the mcpi binary}")
SRC=${MCPI_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
WORK=${MCPI_SLURM_WORK:-$PWD/slurm-test}
WANT_HITS=785856            # seed 42, N = 10^6
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { echo "slurm_test: $*"; }
skip() { log "SKIP: $*"; exit $SKIP; }

# ---------------------------------------------------------------- prerequisites
missing=()
for c in munged slurmctld slurmd sbatch sinfo squeue scontrol scancel srun; do
  command -v "$c" >/dev/null 2>&1 || [[ -x /usr/sbin/$c ]] || missing+=("$c")
done
[[ ${#missing[@]} -eq 0 ]] || skip "not installed: ${missing[*]} (install with: scripts/deps slurm)"
PATH=$PATH:/usr/sbin:/sbin
[[ $(id -u) -eq 0 ]] || skip "needs root (SlurmUser=root, slurmd runs jobs as root here)"

# ---------------------------------------------------------------- work directory
rm -rf "$WORK"
mkdir -p "$WORK"/{etc,state,spool,log,run,jobs,munge-key} || exit 1
chmod 755 "$WORK"
WORK=$(cd "$WORK" && pwd)
TOKEN="mcpi-slurm-test-$$-$RANDOM"
PIDS=()      # daemons we started, in start order

# The MUNGE socket must fit sun_path (108 bytes); fall back to a private /tmp dir.
SOCKDIR=$WORK/munge-socket
if (( ${#SOCKDIR} > 90 )); then
  SOCKDIR=$(mktemp -d /tmp/mcpi-munge.XXXXXX) || exit 1
  EXTRA_RM=$SOCKDIR
fi
mkdir -p "$SOCKDIR" && chmod 711 "$SOCKDIR"
SOCK=$SOCKDIR/munge.socket

# ---------------------------------------------------------------- cleanup
# Every process whose environment carries our token: the daemons, slurmstepd
# (started by slurmd with its environment) and the job's tasks.
token_pids() {
  local f p
  for f in /proc/[0-9]*/environ; do
    p=${f#/proc/}; p=${p%/environ}
    [[ $p == "$$" || $p == "$BASHPID" ]] && continue
    if { tr '\0' '\n' <"$f"; } 2>/dev/null | grep -qx "MCPI_SLURM_TEST_TOKEN=$TOKEN"; then
      echo "$p"
    fi
  done
}

cleanup() {
  local rc=$? p i left
  trap - EXIT INT TERM HUP
  if [[ -n ${CTLD:-} ]] && kill -0 "$CTLD" 2>/dev/null; then
    timeout 10 scancel --quiet --user=root >/dev/null 2>&1 || true
  fi
  # slurmd, slurmctld, then munged, each by PID: TERM, then KILL after 10 s.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    p=${PIDS[i]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  # munged forks: it was started with --foreground, but be sure via its pid file.
  if [[ -s $WORK/run/munged.pid ]]; then
    p=$(cat "$WORK/run/munged.pid"); kill -TERM "$p" 2>/dev/null || true
  fi
  for _ in 1 2 3; do
    left=$(token_pids)
    [[ -z $left ]] && break
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
    sleep 0.5
  done
  [[ -n ${EXTRA_RM:-} ]] && rm -rf "$EXTRA_RM"
  if ((rc != 0 && rc != SKIP)); then
    for f in "$WORK"/log/*.log "$WORK"/jobs/*.out; do
      [[ -f $f ]] || continue
      echo "----- tail of $f"; tail -n 25 "$f"
    done
  fi
  if ((rc == 0)) && [[ -z ${MCPI_SLURM_KEEP:-} ]]; then rm -rf "$WORK"; fi
  log "done in $((SECONDS - T0)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---------------------------------------------------------------- config
free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
CTLD_PORT=$(free_port) && SLURMD_PORT=$(free_port) || skip "cannot find free TCP ports"
[[ $CTLD_PORT != "$SLURMD_PORT" ]] || SLURMD_PORT=$(free_port)

# The node: as slurmd itself sees the hardware (slurmd -C), named localhost.
hw=$(slurmd -C 2>/dev/null | head -n 1)
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$hw"; }
CPUS=$(field CPUs); SOCKETS=$(field SocketsPerBoard); CORES=$(field CoresPerSocket)
THREADS=$(field ThreadsPerCore); BOARDS=$(field Boards)
[[ -n $CPUS && -n $SOCKETS && -n $CORES && -n $THREADS ]] || {
  CPUS=$(nproc); BOARDS=1; SOCKETS=1; CORES=$CPUS; THREADS=1; }
NODE_HW="CPUs=$CPUS Boards=${BOARDS:-1} SocketsPerBoard=$SOCKETS CoresPerSocket=$CORES ThreadsPerCore=$THREADS"
if (( CPUS < 2 )); then
  # The MPI job needs 2 tasks: declare 2 cores (config_overrides trusts the config).
  NODE_HW="CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1"
fi
NODE=localhost
CTLD_HOST=localhost

SLURM_CONF=$WORK/etc/slurm.conf
: >"$WORK/etc/plugstack.conf"
cat >"$SLURM_CONF" <<EOF
# private single-node Slurm for mcpi's tests (generated by tests/slurm_test.sh)
ClusterName=mcpitest
SlurmctldHost=$CTLD_HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$WORK/etc/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 $NODE_HW State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=10 State=UP
EOF
export SLURM_CONF
export MCPI_SLURM_TEST_TOKEN=$TOKEN
# Never pick up a surrounding job's settings.
unset SLURM_JOB_ID SLURM_JOBID SLURM_NODELIST SLURM_TASKS_PER_NODE SLURM_NTASKS 2>/dev/null || true

# ---------------------------------------------------------------- start daemons
dead_or_skip() {   # NAME PID LOG
  if ! kill -0 "$2" 2>/dev/null; then
    echo "----- $3"; tail -n 30 "$3" 2>/dev/null
    echo "----- ${3%.log}.stdout"; tail -n 10 "${3%.log}.stdout" 2>/dev/null
    skip "$1 exited at start-up (log above): this machine cannot run a private Slurm"
  fi
}

# A fresh key, readable by root only, in a directory of its own.
chmod 700 "$WORK/munge-key"
dd if=/dev/urandom of="$WORK/munge-key/munge.key" bs=1024 count=1 status=none
chmod 600 "$WORK/munge-key/munge.key"
munged --foreground --force \
  --socket="$SOCK" --key-file="$WORK/munge-key/munge.key" --pid-file="$WORK/run/munged.pid" \
  --log-file="$WORK/log/munged.log" --seed-file="$WORK/munge-key/munged.seed" \
  >>"$WORK/log/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [[ -S $SOCK ]] && break; dead_or_skip munged "${PIDS[0]}" "$WORK/log/munged.log"; sleep 0.1; done
[[ -S $SOCK ]] || skip "munged did not create its socket $SOCK"
if command -v munge >/dev/null && command -v unmunge >/dev/null; then
  munge --socket="$SOCK" -n | unmunge --socket="$SOCK" >/dev/null 2>&1 ||
    skip "munged does not answer on $SOCK (see $WORK/log/munged.log)"
fi

slurmctld -D -i >"$WORK/log/slurmctld.stdout" 2>&1 &
CTLD=$!; PIDS+=("$CTLD")
for _ in $(seq 100); do
  scontrol ping 2>/dev/null | grep -q UP && break
  dead_or_skip slurmctld "$CTLD" "$WORK/log/slurmctld.log"; sleep 0.2
done
scontrol ping 2>/dev/null | grep -q UP || skip "slurmctld did not answer within 20 s"

slurmd_args=(-D)
[[ $(hostname -s 2>/dev/null || hostname) == "$NODE" ]] || slurmd_args+=(-N "$NODE")
slurmd "${slurmd_args[@]}" >"$WORK/log/slurmd.stdout" 2>&1 &
SLURMD=$!; PIDS+=("$SLURMD")
state=""
for _ in $(seq 150); do
  state=$(sinfo -h -n "$NODE" -o %t 2>/dev/null | head -n 1)
  [[ $state == idle ]] && break
  dead_or_skip slurmd "$SLURMD" "$WORK/log/slurmd.log"
  dead_or_skip slurmctld "$CTLD" "$WORK/log/slurmctld.log"
  sleep 0.2
done
[[ $state == idle ]] || {
  sinfo -N -l 2>&1; scontrol show node "$NODE" 2>&1 | sed -n '/Reason/p'
  skip "node $NODE did not become idle within 30 s (state '$state')"
}
log "Slurm up in $((SECONDS - T0)) s: node $NODE ($NODE_HW), ports $CTLD_PORT/$SLURMD_PORT"
if ! srun --mpi=list 2>&1 | grep -qw pmix; then
  srun --mpi=list 2>&1
  echo "slurm_test: FAIL: srun has no pmix plugin (Debian: slurm-wlm-basic-plugins + libpmix2)"
  exit 1
fi

# ---------------------------------------------------------------- submit
cd "$WORK/jobs" || exit 1
export MCPI="$MCPI_BIN" MCPI_SAMPLES=1000000 MCPI_SEED=42 MCPI_ARGS="-b serial -r 1 -w 0"

mpi_job=$(sbatch --parsable -N 1 --ntasks-per-node=2 --cpus-per-task=1 --time=5 \
  "$SRC/scripts/slurm/mcpi-mpi.sbatch") || { echo "slurm_test: FAIL: sbatch mcpi-mpi.sbatch"; exit 1; }
array_job=$(sbatch --parsable --array=0-2 --cpus-per-task=1 --time=5 \
  "$SRC/scripts/slurm/mcpi-array.sbatch") || { echo "slurm_test: FAIL: sbatch mcpi-array.sbatch"; exit 1; }
mpi_job=${mpi_job%%;*}; array_job=${array_job%%;*}
log "submitted: MPI job $mpi_job, array job $array_job"

deadline=$((SECONDS + 120))
while :; do
  active=$(squeue -h -j "$mpi_job,$array_job" -o %i 2>/dev/null | wc -l)
  ((active == 0)) && break
  if ((SECONDS > deadline)); then
    squeue 2>&1; echo "slurm_test: FAIL: jobs still queued/running after 120 s"; exit 1
  fi
  sleep 0.5
done
log "jobs finished in $((SECONDS - T0)) s"

fail=0
states=$(scontrol -o show job "$mpi_job" 2>/dev/null; scontrol -o show job "$array_job" 2>/dev/null)
while read -r line; do
  [[ -z $line ]] && continue
  id=$(sed -n 's/^JobId=\([0-9]*\).*/\1/p' <<<"$line")
  task=$(sed -n 's/.* ArrayTaskId=\([0-9]*\).*/\1/p' <<<"$line")
  [[ -n $task ]] && id="${id} (array task $task)"
  st=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
  ex=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")
  log "job $id: $st exit $ex"
  [[ $st == COMPLETED && $ex == 0:0 ]] || fail=1
done <<<"$states"
((fail == 0)) || { echo "slurm_test: FAIL: a job did not complete"; exit 1; }

# ---------------------------------------------------------------- check results
mpi_json=$WORK/jobs/mcpi-$mpi_job.json
[[ -f $WORK/jobs/mcpi-$mpi_job.out && -f $mpi_json ]] ||
  { ls -l "$WORK/jobs"; echo "slurm_test: FAIL: mcpi-$mpi_job.out/.json not in the submit directory"; exit 1; }
"$PY" - "$mpi_json" "$WANT_HITS" <<'PY' || { echo "slurm_test: FAIL: MPI job result"; exit 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
assert doc["config"]["ranks"] == 2, doc["config"]
row = doc["results"][0]
assert row["hits"] == want and row["samples"] == 10**6, row
ranks = doc["ranks"]
assert sorted(r["rank"] for r in ranks) == [0, 1], ranks
assert sum(r["hits"] for r in ranks) == want
print(f"slurm_test: MPI job: hits {row['hits']} on {len(ranks)} ranks "
      f"({', '.join(sorted({r['hostname'] for r in ranks}))}): ok")
PY

parts=("$WORK"/jobs/mcpi-array-"${array_job}"_*.json)
[[ ${#parts[@]} -eq 3 && -f ${parts[0]} ]] || { ls "$WORK/jobs"; echo "slurm_test: FAIL: expected 3 array parts"; exit 1; }
"$PY" - "$WANT_HITS" "${parts[@]}" <<'PY' || { echo "slurm_test: FAIL: array parts"; exit 1; }
import json, sys
want = int(sys.argv[1])
rows = [json.load(open(f))["results"][0] for f in sys.argv[2:]]
rows.sort(key=lambda r: r["range"]["begin"])
assert rows[0]["range"]["begin"] == 0 and rows[-1]["range"]["end"] == 10**6, rows
for a, b in zip(rows, rows[1:]):
    assert a["range"]["end"] == b["range"]["begin"], (a["range"], b["range"])
hits = sum(r["hits"] for r in rows)
assert hits == want, (hits, want)
print(f"slurm_test: array: {len(rows)} parts, summed hits {hits}: ok")
PY

# `mcpi merge` (the documented way to combine parts), where this build has it.
"$MCPI_BIN" merge "${parts[@]}" --cover 1000000 --format json --output "$WORK/jobs/merged.json" \
  2>"$WORK/jobs/merge.err"
mrc=$?
if ((mrc == 0)); then
  "$PY" - "$WORK/jobs/merged.json" "$WANT_HITS" <<'PY' || { echo "slurm_test: FAIL: merged result"; exit 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
hits = doc["results"][0]["hits"]
assert hits == int(sys.argv[2]), hits
print(f"slurm_test: mcpi merge --cover 1000000: hits {hits}: ok")
PY
elif grep -qiE "not implemented|unknown (command|option)|unrecognized" "$WORK/jobs/merge.err"; then
  log "mcpi merge not available in this build ($(head -n 1 "$WORK/jobs/merge.err")): parts summed instead"
else
  cat "$WORK/jobs/merge.err"
  echo "slurm_test: FAIL: mcpi merge of the array parts exited $mrc"
  exit 1
fi
# The ReFrame check through this Slurm (sbatch, srun --mpi=pmix): its own
# skip (77: ReFrame cannot be had here, e.g. no PyPI) is reported, not failed.
"$SRC/scripts/reframe/run" --system slurm --build-dir "$(dirname "$MCPI_BIN")" --mcpi "$MCPI_BIN"
rrc=$?
case $rrc in
  0) log "ReFrame check under --system slurm: pass" ;;
  77) log "ReFrame check under --system slurm: skipped (the line above says why)" ;;
  *) echo "slurm_test: FAIL: scripts/reframe/run --system slurm exited $rrc"; exit 1 ;;
esac
log "PASS"
exit 0
