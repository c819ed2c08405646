#!/bin/bash
# Usage (root): test/rules/captures/make-self-sync-lo.sh test/rules/captures/self-sync-lo.pcap
# chronyd (-x, without CAP_SYS_TIME) in a namespace of its own told `server <its own address>`; tcpdump on its lo.
NS=nsn-self$$; D=$(mktemp -d /tmp/nsn-self.XXXX); CH=; TD=
cleanup() { [ -n "$TD" ] && kill $TD 2>/dev/null; [ -n "$CH" ] && kill $CH 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
set -e
ip netns add $NS; ip -n $NS link set lo up
ip -n $NS link add nsv0 type veth peer name nsv1; ip -n $NS addr add 198.51.100.7/24 dev nsv0; ip -n $NS link set nsv0 up; ip -n $NS link set nsv1 up
cat > $D/chrony.conf <<C
server 198.51.100.7 iburst minpoll -2 maxpoll -2
allow 198.51.100.0/24
pidfile $D/chronyd.pid
driftfile $D/drift
cmdport 0
C
ip netns exec $NS tcpdump -i lo -w "$1" udp port 123 2>$D/td.err & TD=$!
for i in $(seq 1 100); do grep -q listening $D/td.err && break; sleep 0.1; done
ip netns exec $NS setpriv --bounding-set -sys_time --inh-caps -sys_time -- chronyd -x -d -f $D/chrony.conf >$D/ch.log 2>&1 & CH=$!
for i in $(seq 1 80); do [ "$(tcpdump -nr "$1" 2>/dev/null | wc -l)" -ge 8 ] && break; sleep 0.25; done
kill $CH; wait $CH 2>/dev/null || true; CH=
sleep 0.3; kill $TD; wait $TD 2>/dev/null || true; TD=
