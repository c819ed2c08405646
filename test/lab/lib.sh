# shellcheck shell=bash
# test/lab/lib.sh — the lab's building blocks, sourced by make-fixtures.sh (one scenario per process).
#
# A scenario is two network namespaces joined by one veth pair:
#
#   ndlab-<scenario>-srv  ndv-srv 198.51.100.100/24 2001:db8::100/64   ("node0" of the seed)
#            |  veth
#   ndlab-<scenario>-cli  ndv-cli 198.51.100.130/24 2001:db8::130/64
#
# Safety (see docs/architecture.md, "Real peers, never mocks"): every daemon and client tool runs under
# `setpriv --bounding-set -sys_time --inh-caps -sys_time --`, so the kernel refuses any clock write (the
# namespaces share the host clock); traffic stays inside these namespaces; lab_down (an EXIT trap) kills
# every PID we started and every process left inside our namespaces, by PID, and deletes the namespaces.
#
# Interface names live only inside the namespaces (the pair is created directly there), so they never
# collide with other runs; they must still be <= 15 characters (IFNAMSIZ).

# The last command of a pipeline runs in this shell (`printf … | lab_chronyd …` must record the PID here).
shopt -s lastpipe

LAB_SETPRIV=(setpriv --bounding-set -sys_time --inh-caps -sys_time --)
NTPSEC_NTPD=${NTPSEC_NTPD:-/opt/ntpsec/usr/sbin/ntpd}
NTPSEC_NTPQ=${NTPSEC_NTPQ:-/opt/ntpsec/usr/bin/ntpq}
LIBFAKETIME=${LIBFAKETIME:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}

LAB_SRV_V4=198.51.100.100
LAB_CLI_V4=198.51.100.130
LAB_SRV_V6=2001:db8::100
LAB_CLI_V6=2001:db8::130
LAB_SRV_IF=ndv-srv
LAB_CLI_IF=ndv-cli
# Fixed, locally administered MACs (02:…, c6:33:64 = 198.51.100) so captures are stable from run to run.
LAB_SRV_MAC=02:00:c6:33:64:64
LAB_CLI_MAC=02:00:c6:33:64:82

LAB_PIDS=()
LAB_NETNS=()
LAB_DIR=''
LAB_LAST_PID=''

lab_log() { printf '[%s %s] %s\n' "${LAB_SCEN:-lab}" "$(date +%T)" "$*" >&2; }
lab_die() { lab_log "FAIL: $*"; exit 1; }

# Refuse to run unless we are root and `ip netns` works; prints one clear line and returns 1 otherwise.
lab_preflight() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "lab: must run as root (network namespaces, veth, nftables, tcpdump)" >&2
    return 1
  fi
  local probe="ndlab-preflight-$$"
  if ! ip netns add "$probe" 2>/dev/null; then
    echo "lab: 'ip netns add' does not work here (no CAP_SYS_ADMIN or no netns support)" >&2
    return 1
  fi
  ip netns del "$probe"
  local tool
  for tool in setpriv tcpdump chronyd chronyc ntpdig ntpdate nft ethtool ss tshark; do
    command -v "$tool" >/dev/null || { echo "lab: missing tool: $tool" >&2; return 1; }
  done
  [[ -x $NTPSEC_NTPD ]] || { echo "lab: missing ntpsec ntpd at $NTPSEC_NTPD" >&2; return 1; }
}

# lab_up SCENARIO: build the two namespaces and the veth pair; installs the cleanup trap.
# Checksum offload is switched OFF on both ends (tx), so captures carry the checksums a real NIC would put
# on the wire; the checksum scenarios turn it back on where they need it.
lab_up() {
  LAB_SCEN=$1
  LAB_SRV="ndlab-$1-srv"
  LAB_CLI="ndlab-$1-cli"
  trap lab_down EXIT
  trap 'exit 130' INT TERM HUP
  LAB_DIR=$(mktemp -d "/tmp/ndlab-$1.XXXXXX")
  local ns
  for ns in "$LAB_SRV" "$LAB_CLI"; do
    if [[ -e /run/netns/$ns ]]; then
      lab_die "namespace $ns already exists (another lab run, or a leftover: 'ip netns del $ns')"
    fi
    ip netns add "$ns"
    LAB_NETNS+=("$ns")
  done
  ip link add "$LAB_SRV_IF" netns "$LAB_SRV" address "$LAB_SRV_MAC" type veth \
    peer name "$LAB_CLI_IF" netns "$LAB_CLI" address "$LAB_CLI_MAC"
  ip -n "$LAB_SRV" link set lo up
  ip -n "$LAB_CLI" link set lo up
  ip -n "$LAB_SRV" addr add "$LAB_SRV_V4/24" dev "$LAB_SRV_IF"
  ip -n "$LAB_CLI" addr add "$LAB_CLI_V4/24" dev "$LAB_CLI_IF"
  # nodad: usable at once, no 1-2 s of duplicate address detection (RFC 4862 §5.4).
  ip -n "$LAB_SRV" addr add "$LAB_SRV_V6/64" dev "$LAB_SRV_IF" nodad
  ip -n "$LAB_CLI" addr add "$LAB_CLI_V6/64" dev "$LAB_CLI_IF" nodad
  lab_offload "$LAB_SRV" "$LAB_SRV_IF" off
  lab_offload "$LAB_CLI" "$LAB_CLI_IF" off
  ip -n "$LAB_SRV" link set "$LAB_SRV_IF" up
  ip -n "$LAB_CLI" link set "$LAB_CLI_IF" up
  lab_poll 5 "veth up" lab_link_ready
}

lab_link_ready() {
  ip -n "$LAB_SRV" -br link show "$LAB_SRV_IF" | grep -q LOWER_UP &&
    ip -n "$LAB_CLI" -br link show "$LAB_CLI_IF" | grep -q LOWER_UP
}

# lab_offload NS IF on|off: tx checksum offload (veth has it on by default: the sender hands the skb over
# with CHECKSUM_PARTIAL and tcpdump prints "bad udp cksum").
lab_offload() {
  ip netns exec "$1" ethtool -K "$2" tx "$3" >/dev/null 2>&1 || ip netns exec "$1" ethtool -K "$2" tx "$3"
}

# lab_ours PID: PID is still a child of this shell (so not a reused PID of someone else's process).
lab_ours() { [[ $(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ') == "$$" ]]; }

lab_down() {
  local rc=$?
  trap - EXIT INT TERM HUP
  local pid ns ours=()
  for pid in "${LAB_PIDS[@]}"; do lab_ours "$pid" && ours+=("$pid"); done
  LAB_PIDS=("${ours[@]}")
  for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Anything else still running inside OUR namespaces was started by this scenario (ip netns pids).
  for ns in "${LAB_NETNS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  local i
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for pid in "${LAB_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    for ns in "${LAB_NETNS[@]}"; do [[ -n $(ip netns pids "$ns" 2>/dev/null) ]] && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${LAB_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for ns in "${LAB_NETNS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for ns in "${LAB_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ -n $LAB_DIR && -d $LAB_DIR ]]; then
    # Kept for a post-mortem when the scenario failed (not when it was interrupted) or when asked.
    if ((rc != 0 && rc < 128)) || [[ ${LAB_KEEP:-} == 1 ]]; then
      lab_log "work dir kept: $LAB_DIR"
    else
      rm -rf "$LAB_DIR"
    fi
  fi
  exit "$rc"
}

# lab_poll SECONDS WHAT CMD...: run CMD every 0.1 s until it succeeds; die after SECONDS.
lab_poll() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || lab_die "timed out after ${limit}s waiting for: $what"
    sleep 0.1
  done
}

# lab_spawn NAME NS CMD...: start CMD in NS without CAP_SYS_TIME, in the background; output in
# $LAB_DIR/NAME.log; PID in LAB_LAST_PID (ip netns exec and setpriv both exec, so it is CMD's PID).
lab_spawn() {
  local name=$1 ns=$2
  shift 2
  ip netns exec "$ns" "${LAB_SETPRIV[@]}" "$@" >"$LAB_DIR/$name.log" 2>&1 </dev/null &
  LAB_LAST_PID=$!
  LAB_PIDS+=("$LAB_LAST_PID")
}

# lab_spawn_faketime NAME NS OFFSET CMD...: as lab_spawn, with libfaketime preloaded (FAKETIME=OFFSET, e.g.
# '+3h'): only the process's view of the clock moves. LD_PRELOAD directly (not the faketime wrapper,
# which forks) so LAB_LAST_PID is the daemon itself.
lab_spawn_faketime() {
  local name=$1 ns=$2 offset=$3
  shift 3
  lab_spawn "$name" "$ns" env LD_PRELOAD="$LIBFAKETIME" FAKETIME="$offset" FAKETIME_DONT_RESET=1 "$@"
}

# lab_run NS SECONDS CMD...: run CMD in NS without CAP_SYS_TIME, in the foreground, bounded by SECONDS.
lab_run() {
  local ns=$1 limit=$2
  shift 2
  ip netns exec "$ns" "${LAB_SETPRIV[@]}" timeout "$limit" "$@"
}

# lab_client NAME NS SECONDS CMD...: run a client tool, append "$ CMD", its output and exit status to
# $LAB_DIR/client.txt (becomes fixtures/<scenario>.client.txt). Never fails the scenario by itself.
lab_client() {
  local name=$1 ns=$2 limit=$3
  shift 3
  local out="$LAB_DIR/client.txt" rc=0 role=client
  [[ $ns == "$LAB_SRV" ]] && role=server
  {
    # The per-run temp dir is printed as $LAB_DIR so transcripts stay comparable from run to run.
    printf '%s$ %s\n' "$role" "${*//"$LAB_DIR"/\$LAB_DIR}"
    lab_run "$ns" "$limit" "$@" 2>&1 || rc=$?
    printf '[exit %d]\n\n' "$rc"
  } >>"$out"
  lab_log "$name: exit $rc"
}

lab_alive() { kill -0 "$1" 2>/dev/null; }

# lab_wait_udp NS PORT PID [SECONDS]: wait until a socket is bound to UDP PORT in NS, failing fast if the
# daemon PID died (its log is printed).
lab_wait_udp() {
  local ns=$1 port=$2 pid=$3 limit=${4:-10}
  local deadline=$((SECONDS + limit))
  until [[ -n $(ip netns exec "$ns" ss -Hlun "sport = :$port") ]]; do
    if ! lab_alive "$pid"; then
      lab_log "daemon $pid exited; its log:"
      tail -n 30 "$LAB_DIR"/*.log >&2 || true
      lab_die "daemon exited before binding UDP $port in $ns"
    fi
    ((SECONDS < deadline)) || lab_die "timed out after ${limit}s waiting for UDP $port in $ns"
    sleep 0.1
  done
}

# lab_capture_start NS IF FILE [BPF...]: tcpdump -w FILE (pcap, -U: each packet flushed at once);
# returns once tcpdump says it is listening. PID in LAB_CAPTURE_PID.
lab_capture_start() {
  local ns=$1 ifname=$2 file=$3
  shift 3
  local err="$LAB_DIR/tcpdump.$(basename "$file").err"
  # -Z root: Debian's tcpdump would otherwise drop to user tcpdump, which cannot write our 0700 dir.
  ip netns exec "$ns" "${LAB_SETPRIV[@]}" tcpdump -i "$ifname" -n -U --immediate-mode -Z root -w "$file" "$@" \
    >/dev/null 2>"$err" </dev/null &
  LAB_CAPTURE_PID=$!
  LAB_PIDS+=("$LAB_CAPTURE_PID")
  lab_poll 10 "tcpdump listening on $ifname" grep -qs 'listening on' "$err"
}

# lab_dumpcap_start NS IF FILE: dumpcap -w FILE.pcapng; PID in LAB_CAPTURE_PID.
lab_dumpcap_start() {
  local ns=$1 ifname=$2 file=$3
  local err="$LAB_DIR/dumpcap.$(basename "$file").err"
  ip netns exec "$ns" "${LAB_SETPRIV[@]}" dumpcap -i "$ifname" -w "$file" >/dev/null 2>"$err" </dev/null &
  LAB_CAPTURE_PID=$!
  LAB_PIDS+=("$LAB_CAPTURE_PID")
  lab_poll 10 "dumpcap capturing on $ifname" grep -qs 'Capturing on' "$err"
}

# lab_capture_stop [PID]: SIGINT the capture (it writes its trailer) and wait for it, bounded.
lab_capture_stop() {
  local pid=${1:-$LAB_CAPTURE_PID}
  kill -INT "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do
    lab_alive "$pid" || break
    sleep 0.1
  done
  lab_alive "$pid" && lab_die "capture $pid did not stop"
  wait "$pid" 2>/dev/null || true
  # Reaped: forget it, its PID may be reused by anyone from now on.
  local keep=() p
  for p in "${LAB_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  LAB_PIDS=("${keep[@]}")
}

# lab_count FILE BPF...: packets in a (possibly still growing) capture matching BPF.
lab_count() {
  local file=$1
  shift
  tcpdump -n -r "$file" "$@" 2>/dev/null | wc -l
}

# lab_wait_packets SECONDS FILE N BPF...: bounded poll until FILE holds at least N packets matching BPF.
lab_wait_packets() {
  local limit=$1 file=$2 want=$3
  shift 3
  lab_poll "$limit" "$want packets matching '$*' in $(basename "$file")" lab_count_at_least "$file" "$want" "$@"
}

lab_count_at_least() {
  local file=$1 want=$2
  shift 2
  (($(lab_count "$file" "$@") >= want))
}
