#!/bin/bash
# Real captures for the rule tests (test/rules/captures.test.ts): chronyd and NTPsec serving, ntpdig asking, tcpdump
# on the client's side of a veth pair between two network namespaces of our own (198.51.100.0/24 only).
# Run as root from the repository root:  bash test/rules/captures/make-captures.sh
# Safety: no daemon or client may set the clock — all run without CAP_SYS_TIME (setpriv), chronyd with -x,
# NTPsec with `disable kernel`, ntpdig without -s/-S. Namespaces are removed on exit, whatever happens.
set -u
OUT=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/ndrul-caps.XXXXXX)
C=ndrul-cap-c; S=ndrul-cap-s
NOCAP="setpriv --bounding-set -sys_time --inh-caps -sys_time --"
NTPSEC_NTPD=${NTPSEC_NTPD:-/opt/ntpsec/usr/sbin/ntpd}
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
start_ntpsec() { # $1: configuration lines
  printf 'disable kernel\ndriftfile %s/ntpsec.drift\n%s\n' "$W" "$1" > "$W/ntpsec.conf"
  ip netns exec $S $NOCAP "$NTPSEC_NTPD" -n -c "$W/ntpsec.conf" -l "$W/ntpsec.log" > "$W/ntpsec.out" 2>&1 &
  SRV=$!
}
stop_server() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=; sleep 0.3; }

# chrony-no-allow: chronyd without any allow line never opens UDP 123 → ICMP port unreachable.
start_chrony 'local stratum 10'; sleep 1
capture_start chrony-no-allow; ask; ask; ask; capture_stop; stop_server

# chrony-unsync: chronyd serving (allow) with no source and no local clock → leap 3, stratum 0, refid 0.
start_chrony 'allow 198.51.100.0/24'; wait_port
capture_start chrony-unsync; ask; ask; ask; capture_stop; stop_server

# ntpsec-init: NTPsec right after start → leap 3, stratum 0 on the wire, refid INIT.
start_ntpsec 'restrict default nomodify nopeer noquery'; wait_port
capture_start ntpsec-init; ask; ask; ask; capture_stop; stop_server

# chrony-ratelimit: chronyd ratelimit (silent drops) against 16 back-to-back queries.
start_chrony 'allow 198.51.100.0/24
local stratum 10
ratelimit interval 1 burst 2 leak 2'; wait_port; sleep 1
capture_start chrony-ratelimit; for _ in $(seq 1 16); do ask > /dev/null; done; capture_stop; stop_server

# chrony-healthy: chronyd local stratum 10, four queries 2 s apart.
start_chrony 'allow 198.51.100.0/24
local stratum 10'; wait_port; sleep 1
capture_start chrony-healthy; for _ in 1 2 3 4; do ask; sleep 1; done; capture_stop; stop_server

# nft-drop: an nftables drop rule in the server's namespace → silence. Five queries: the analysis does not count
# the last one as unanswered (its answer could still have been on the way when the capture ended).
ip netns exec $S nft add table inet ndrulcap
ip netns exec $S nft add chain inet ndrulcap input '{ type filter hook input priority 0; }'
ip netns exec $S nft add rule inet ndrulcap input udp dport 123 drop
start_chrony 'allow 198.51.100.0/24
local stratum 10'; wait_port
capture_start nft-drop; for _ in 1 2 3 4 5; do ask > /dev/null; done; capture_stop; stop_server
ip netns exec $S nft delete table inet ndrulcap

# ntpsec-rate: NTPsec synchronised to its local clock, `limited kod`, 12 back-to-back queries → KoD RATE.
# NTPsec serves its local clock only ~300 s after start (measured: 305 s); until then it answers stratum 0 INIT.
start_ntpsec 'restrict default nomodify nopeer noquery limited kod
refclock local stratum 10 minpoll 4 maxpoll 4'; wait_port
synced=
for _ in $(seq 1 90); do  # bounded: 90 × 5 s
  if ask | grep -q ' s11 '; then synced=1; break; fi
  sleep 5
done
[ -n "$synced" ] || { echo "NTPsec did not synchronise to its local clock in 450 s" >&2; exit 1; }
sleep 5
capture_start ntpsec-rate; for _ in $(seq 1 12); do ask > /dev/null; done; capture_stop; stop_server
echo "captures written to $OUT"
