#!/usr/bin/env bash
# test/rules/captures/make-wire.sh — issue 13 item 8: the wire as real deployments speak it (xleave, NTS,
# symmetric, broadcast, source port 123, mode 7), recorded from real software in network namespaces.
#
#   make-wire.sh [--out DIR] [--list] SCENARIO...      (root; default --out fixtures/wire)
#
# Writes <scenario>.pcap and <scenario>.client.txt. Builds on test/lab (lib.sh, daemons.sh, scenarios.sh: the same
# veth topology, node0 = 198.51.100.100 / 2001:db8::100, client .130 / ::130, fixed MACs, tx checksum offload off),
# but in namespaces of its own: ndwir-<scenario>-srv / -cli, so it never collides with test/lab/make-fixtures.sh.
# Safety: every daemon and tool runs under setpriv without CAP_SYS_TIME (lab_spawn/lab_run), chronyd with -x,
# ntpd with `disable kernel`; traffic stays on the veth or the namespace's lo; lab_down kills what we started by
# PID and deletes the namespaces. Classic ntp 4.2.8 (ntpd, ntpdc) comes from Debian 11's .debs unpacked with
# `dpkg -x` under /opt/ntp-classic by scripts/fetch-ntp-classic.sh — never installed.
set -euo pipefail

WIRE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_HERE=$(cd "$WIRE_HERE/../../lab" && pwd)
# shellcheck source=../../lab/lib.sh
source "$LAB_HERE/lib.sh"
# shellcheck source=../../lab/daemons.sh
source "$LAB_HERE/daemons.sh"
# shellcheck source=../../lab/scenarios.sh
source "$LAB_HERE/scenarios.sh"
CLASSIC=${NTP_CLASSIC:-/opt/ntp-classic}
# shellcheck source=wire-scenarios.sh
source "$WIRE_HERE/wire-scenarios.sh"


# lab_up with this script's namespace prefix (test/lab/lib.sh's lab_up names them ndlab-*).
wir_up() {
  LAB_SCEN=$1
  LAB_SRV="ndwir-$1-srv"
  LAB_CLI="ndwir-$1-cli"
  trap lab_down EXIT
  trap 'exit 130' INT TERM HUP
  LAB_DIR=$(mktemp -d "/tmp/ndwir-$1.XXXXXX")
  local ns
  for ns in "$LAB_SRV" "$LAB_CLI"; do
    [[ -e /run/netns/$ns ]] && lab_die "namespace $ns already exists (a leftover: 'ip netns del $ns')"
    ip netns add "$ns"
    LAB_NETNS+=("$ns")
  done
  ip link add "$LAB_SRV_IF" netns "$LAB_SRV" address "$LAB_SRV_MAC" type veth \
    peer name "$LAB_CLI_IF" netns "$LAB_CLI" address "$LAB_CLI_MAC"
  ip -n "$LAB_SRV" link set lo up
  ip -n "$LAB_CLI" link set lo up
  # brd +: a broadcast address, which classic ntpd's broadcast and broadcastclient need (ip(8) "brd +").
  ip -n "$LAB_SRV" addr add "${WIR_SRV_V4:-$LAB_SRV_V4}/24" brd + dev "$LAB_SRV_IF"
  ip -n "$LAB_CLI" addr add "${WIR_CLI_V4:-$LAB_CLI_V4}/24" brd + dev "$LAB_CLI_IF"
  ip -n "$LAB_SRV" addr add "${WIR_SRV_V6:-$LAB_SRV_V6/64}" dev "$LAB_SRV_IF" nodad
  ip -n "$LAB_CLI" addr add "${WIR_CLI_V6:-$LAB_CLI_V6/64}" dev "$LAB_CLI_IF" nodad
  lab_offload "$LAB_SRV" "$LAB_SRV_IF" off
  lab_offload "$LAB_CLI" "$LAB_CLI_IF" off
  ip -n "$LAB_SRV" link set "$LAB_SRV_IF" up
  ip -n "$LAB_CLI" link set "$LAB_CLI_IF" up
  lab_poll 5 "veth up" lab_link_ready
}

if [[ ${1:-} == --one ]]; then
  name=$2 out=$3
  # Optional per-scenario addressing (wir_env_<name>), before the topology is built.
  if declare -F "wir_env_${name//-/_}" >/dev/null; then "wir_env_${name//-/_}"; fi
  wir_up "$name"
  "wir_${name//-/_}"
  (($(lab_count "$LAB_DIR/$name.pcap") > 0)) || lab_die "no packets in $name.pcap"
  install -m 0644 "$LAB_DIR/$name.pcap" "$out/"
  [[ -f $LAB_DIR/client.txt ]] && cp "$LAB_DIR/client.txt" "$out/$name.client.txt"
  exit 0
fi

out=$(cd "$WIRE_HERE/../../.." && pwd)/fixtures/wire
names=()
while (($#)); do
  case $1 in
    --out) out=${2:?--out needs a directory}; shift ;;
    --list) printf '%s\n' "${WIRE_SCENARIOS[@]}"; exit 0 ;;
    -*) sed -n '3,13p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
    *) names+=("$1") ;;
  esac
  shift
done
((${#names[@]})) || names=("${WIRE_SCENARIOS[@]}")
lab_preflight || exit 2
[[ -x $CLASSIC/usr/sbin/ntpd ]] || { echo "make-wire: classic ntpd missing at $CLASSIC (scripts/fetch-ntp-classic.sh)" >&2; exit 2; }
mkdir -p "$out"
rc=0
for n in "${names[@]}"; do
  declare -F "wir_${n//-/_}" >/dev/null || { echo "make-wire: unknown scenario '$n'" >&2; exit 2; }
  start=$SECONDS
  if bash "${BASH_SOURCE[0]}" --one "$n" "$out"; then echo "$n ok $((SECONDS - start))s"; else echo "$n FAILED"; rc=1; fi
done
exit $rc
