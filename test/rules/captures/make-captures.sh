#!/bin/bash
# Real captures for the rule tests (test/rules/captures.test.ts) that fixtures/ does not have: chronyd serving, ntpdig asking, tcpdump
# on the client's side of a veth pair between two network namespaces of our own (198.51.100.0/24 only).
# Run as root from the repository root:  bash test/rules/captures/make-captures.sh
# Safety: no daemon or client may set the clock — all run without CAP_SYS_TIME (setpriv), chronyd with -x,
# ntpdig without -s/-S. Namespaces are removed on exit, whatever happens.
set -u
OUT=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/ndrul-caps.XXXXXX)
C=ndrul-cap-c; S=ndrul-cap-s
NOCAP="setpriv --bounding-set -sys_time --inh-caps -sys_time --"
SRV=; TD=
cleanup() {
  [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
  [ -n "$TD" ] && kill "$TD" 2>/dev/null
  ip netns del $C 2>/dev/null; ip netns del $S 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
ip netns add $C && ip netns add $S || exit 1
ip link add ndrulcap0 netns $C type veth peer name ndrulcap1 netns $S
ip -n $C addr add 198.51.100.130/24 dev ndrulcap0; ip -n $S addr add 198.51.100.100/24 dev ndrulcap1
ip -n $C link set ndrulcap0 up; ip -n $S link set ndrulcap1 up; ip -n $C link set lo up; ip -n $S link set lo up

capture_start() { # $1: output name. Client side of the veth, NTP and ICMP only.
  rm -f "$OUT/$1.pcap" "$W/td.out"
  ip netns exec $C tcpdump -i ndrulcap0 -w "$OUT/$1.pcap" -U --immediate-mode -Z root 'udp port 123 or icmp' > "$W/td.out" 2>&1 &
  TD=$!
  for _ in $(seq 1 50); do grep -q listening "$W/td.out" 2>/dev/null && return 0; sleep 0.1; done
  echo "tcpdump did not start" >&2; exit 1
}
capture_stop() { sleep 0.5; kill "$TD"; wait "$TD" 2>/dev/null; TD=; }
wait_port() { for _ in $(seq 1 50); do ip netns exec $S ss -ulpn | grep -q ':123 ' && return 0; sleep 0.1; done; echo "server did not open UDP 123" >&2; exit 1; }
ask() { ip netns exec $C $NOCAP timeout 3 ntpdig -t 1 198.51.100.100 2>&1; }
start_chrony() { # $1: configuration lines
  printf '%s\npidfile %s/chronyd.pid\ndriftfile %s/chrony.drift\ncmdport 0\n' "$1" "$W" "$W" > "$W/chrony.conf"
  ip netns exec $S $NOCAP chronyd -x -f "$W/chrony.conf" -n > "$W/chronyd.out" 2>&1 &
  SRV=$!
}
stop_server() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=; sleep 0.3; }

# chrony-unsync: chronyd serving (allow) with no source and no local clock → leap 3, stratum 0, refid 0.
# (fixtures/ from test/lab/make-fixtures.sh covers the other scenarios; this is chronyd's form of "unsynchronised".)
start_chrony 'allow 198.51.100.0/24'; wait_port
capture_start chrony-unsync; ask; ask; ask; capture_stop; stop_server
echo "captures written to $OUT"
