#!/usr/bin/env bash
# tests/multihost_test.sh - one MPI job across two "hosts" on one machine.
#
# Two network namespaces, mcpiA<pid> and mcpiB<pid>, joined by a bridge and a
# veth pair each, with addresses in a private test subnet (10.213.77.0/24:
# the traffic never leaves the machine; the root namespace gets no address).
# Their names go into /etc/hosts for the run (removed again on exit; the file
# is rewritten in place, so a bind-mounted /etc/hosts works too). mpirun runs
# inside host A; Open MPI reaches host B through an rsh agent script that
# enters B's network namespace and a fresh UTS namespace carrying B's own
# hostname (without distinct hostnames Open MPI mixes up the two "nodes").
# TCP only (btl tcp,self), out-of-band and MPI traffic restricted to the test
# subnet. mcpi -n 1e6 --seed 42 on 4 ranks, 2 per host, must give exactly
# 785856 hits, with per-rank records naming both hosts.
#
# Exit 0 pass, 1 fail, 77 skip (not root / no network namespaces here).
# Environment: MCPI_BIN (required), MPIEXEC (default mpirun),
# MCPI_MULTIHOST_WORK (work directory), MCPI_MULTIHOST_RUNS (default 1: repeat
# the job this many times on the same two hosts).
set -uo pipefail

SKIP=77
T0=$SECONDS
MCPI_BIN=${MCPI_BIN:?MCPI_BIN must name the mcpi binary}
MPIEXEC=${MPIEXEC:-mpirun}
WORK=${MCPI_MULTIHOST_WORK:-$PWD/multihost-test}
RUNS=${MCPI_MULTIHOST_RUNS:-1}
WANT_HITS=785856
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
PATH=$PATH:/usr/sbin:/sbin

NET=10.213.77
PREFIX=24
A=mcpiA$$
B=mcpiB$$
BR=mcbr$$
ADDR_A=$NET.11
ADDR_B=$NET.12
MARK="# mcpi-multihost-test $$"
HOSTS=/etc/hosts

log() { echo "multihost_test: $*"; }
skip() { log "SKIP: $*"; exit $SKIP; }
fail() { log "FAIL: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces, bridge, /etc/hosts)"
for c in ip unshare "$MPIEXEC"; do
  command -v "$c" >/dev/null 2>&1 || skip "'$c' not found"
done
MCPI_BIN=$(readlink -f "$MCPI_BIN")

# Leftovers of an earlier run that was killed before its cleanup (its PID is
# gone): namespaces, bridge and /etc/hosts lines carry that PID in their names.
sweep_stale() {
  local ns p pid br
  for ns in $(ip netns list 2>/dev/null | sed -n 's/^\(mcpi[AB][0-9][0-9]*\).*/\1/p'); do
    pid=${ns#mcpi?}
    kill -0 "$pid" 2>/dev/null && continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null && log "removed stale namespace $ns"
  done
  for br in $(ip -o link show type bridge 2>/dev/null | sed -n 's/^[0-9]*: \(mcbr[0-9][0-9]*\)[:@].*/\1/p'); do
    kill -0 "${br#mcbr}" 2>/dev/null || { ip link del "$br" 2>/dev/null && log "removed stale bridge $br"; }
  done
  local stale=()
  for pid in $(sed -n 's/.*# mcpi-multihost-test \([0-9][0-9]*\)$/\1/p' "$HOSTS" | sort -u); do
    kill -0 "$pid" 2>/dev/null || stale+=("# mcpi-multihost-test $pid")
  done
  if ((${#stale[@]})); then
    local pats=()
    for m in "${stale[@]}"; do pats+=(-e "$m"); done
    grep -v -F "${pats[@]}" "$HOSTS" >"$WORK/hosts.clean" && cat "$WORK/hosts.clean" >"$HOSTS" &&
      log "removed stale $HOSTS entries (${stale[*]})"
  fi
}

rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
sweep_stale
WORK=$(cd "$WORK" && pwd)
made_a=0 made_b=0 made_br=0 hosts_added=0

cleanup() {
  local rc=$? ns p
  trap - EXIT INT TERM HUP
  # Whatever still runs inside the namespaces (a hung orted or rank), by PID.
  for ns in "$A" "$B"; do
    ip netns list 2>/dev/null | grep -qw "$ns" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  done
  ((made_a)) && ip netns del "$A" 2>/dev/null
  ((made_b)) && ip netns del "$B" 2>/dev/null
  ((made_br)) && ip link del "$BR" 2>/dev/null
  if ((hosts_added)); then
    # Remove exactly our lines, in place (no rename: /etc/hosts may be a bind mount).
    if grep -v -F "$MARK" "$HOSTS" >"$WORK/hosts.new"; then cat "$WORK/hosts.new" >"$HOSTS"; fi
    if ! cmp -s "$HOSTS" "$WORK/hosts.orig"; then
      log "note: $HOSTS differs from its copy at start (changed by someone else meanwhile?)"
    fi
  fi
  ((rc == 0)) && rm -rf "$WORK"
  log "done in $((SECONDS - T0)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---------------------------------------------------------------- the two hosts
ip netns add "$A" 2>"$WORK/err" || skip "cannot create a network namespace: $(cat "$WORK/err") (needs CAP_SYS_ADMIN)"
made_a=1
ip netns add "$B" 2>"$WORK/err" || skip "cannot create a network namespace: $(cat "$WORK/err")"
made_b=1
ip netns exec "$A" unshare --uts true 2>"$WORK/err" || skip "cannot create a UTS namespace: $(cat "$WORK/err")"
ip link add "$BR" type bridge 2>"$WORK/err" || skip "cannot create a bridge: $(cat "$WORK/err")"
made_br=1
# No netfilter on this private bridge (with br_netfilter loaded, a host
# firewall would otherwise see - and may drop - the bridged test traffic).
ip link set "$BR" type bridge nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 2>/dev/null || true
ip link set "$BR" up || fail "bridge up"
for h in A B; do
  ns=${!h}; addr=ADDR_$h; addr=${!addr}
  ip link add "v$ns" type veth peer name eth0 netns "$ns" 2>"$WORK/err" ||
    skip "cannot create a veth pair: $(cat "$WORK/err")"
  ip link set "v$ns" master "$BR" up || fail "veth to bridge"
  ip -n "$ns" link set lo up || fail "lo up in $ns"
  ip -n "$ns" addr add "$addr/$PREFIX" dev eth0 || fail "address in $ns"
  ip -n "$ns" link set eth0 up || fail "eth0 up in $ns"
done

cp -p "$HOSTS" "$WORK/hosts.orig" || fail "cannot copy $HOSTS"
hosts_added=1
printf '%s %s %s\n%s %s %s\n' "$ADDR_A" "$A" "$MARK" "$ADDR_B" "$B" "$MARK" >>"$HOSTS" ||
  skip "cannot write $HOSTS"

# Host A reaches host B over the bridge (TCP, by name): otherwise skip, the
# machine does not let us build the test network.
ip netns exec "$B" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 47113)); s.listen(1); s.settimeout(15)
c, _ = s.accept(); c.sendall(b"ok"); c.close()' "$ADDR_B" >"$WORK/listen.out" 2>&1 &
listener=$!
reach=""
for _ in $(seq 50); do
  reach=$(ip netns exec "$A" "$PY" -c '
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], 47113), timeout=1); print(c.recv(2).decode())
except OSError:
    pass' "$B" 2>/dev/null)
  [[ $reach == ok ]] && break
  sleep 0.2
done
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
[[ $reach == ok ]] || skip "host $A cannot reach $B over the test bridge ($(cat "$WORK/listen.out"))"
log "hosts $A ($ADDR_A) and $B ($ADDR_B) up in $((SECONDS - T0)) s"

# ---------------------------------------------------------------- Open MPI
# The rsh agent: Open MPI calls it as `agent HOST COMMAND...`; COMMAND is a
# shell command line (it sets PATH and starts orted).
AGENT=$WORK/netns-rsh
cat >"$AGENT" <<'EOF'
#!/bin/sh
# "ssh" to a network-namespace host: enter its network namespace and a fresh
# UTS namespace that carries the host's own name, then run the command line.
host=$1; shift
exec ip netns exec "$host" unshare --uts sh -c 'hostname "$0" && exec sh -c "$1"' "$host" "$*"
EOF
chmod 755 "$AGENT"
printf '%s slots=2\n%s slots=2\n' "$A" "$B" >"$WORK/hostfile"

run_once() {   # N: one job, checked
  local out=$WORK/run$1.json
  rm -f "$out"
  ip netns exec "$A" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$A" \
    timeout -k 5 60 "$MPIEXEC" -n 4 --hostfile "$WORK/hostfile" \
      --mca plm_rsh_agent "$AGENT" --mca plm_rsh_no_tree_spawn 1 \
      --mca pml ob1 --mca btl tcp,self \
      --mca btl_tcp_if_include "$NET.0/$PREFIX" --mca oob_tcp_if_include "$NET.0/$PREFIX" \
      -x HWLOC_COMPONENTS \
      "$MCPI_BIN" -n 1e6 --seed 42 -b serial -r 1 -w 0 --format json --output "$out" \
      >"$WORK/run$1.log" 2>&1
  local rc=$?
  if ((rc != 0)); then
    cat "$WORK/run$1.log"
    log "FAIL: run $1: mpirun exited $rc"; return 1
  fi
  "$PY" - "$out" "$WANT_HITS" "$A" "$B" <<'PY' || { cat "$WORK/run$1.log"; log "FAIL: run $1: wrong result"; return 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
want, ha, hb = int(sys.argv[2]), sys.argv[3], sys.argv[4]
assert doc["config"]["ranks"] == 4, doc["config"]
row = doc["results"][0]
assert row["hits"] == want and row["samples"] == 10**6, (row["hits"], row["samples"])
ranks = doc["ranks"]
assert sorted(r["rank"] for r in ranks) == [0, 1, 2, 3], ranks
assert sum(r["hits"] for r in ranks) == want
hosts = {r["rank"]: r["hostname"] for r in ranks}
assert set(hosts.values()) == {ha, hb}, hosts          # two distinct hostnames
assert hosts[0] == hosts[1] == ha and hosts[2] == hosts[3] == hb, hosts  # 2 per host, by slot
assert sorted(r["local_rank"] for r in ranks) == [0, 0, 1, 1], ranks
print(f"hits {row['hits']} on 4 ranks: " + ", ".join(f"{k}@{v}" for k, v in sorted(hosts.items())))
PY
}

export HWLOC_COMPONENTS=${HWLOC_COMPONENTS:--opencl}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for ((i = 1; i <= RUNS; i++)); do
  t=$SECONDS
  run_once "$i" >"$WORK/check$i.out" || { cat "$WORK/check$i.out"; exit 1; }
  log "run $i: $(cat "$WORK/check$i.out") ($((SECONDS - t)) s)"
done
log "PASS"
exit 0
