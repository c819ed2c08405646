#!/bin/bash
# Usage (root): test/rules/captures/make-no-ntp.sh test/rules/captures/no-ntp-pings.pcap
# Capture of non-NTP traffic over a veth: ICMP echo (python raw socket; no ping here), ARP, UDP 5353, TCP SYN to a closed port.
NS=nsn-ping$$; A=nsnA$$; B=nsnB$$
cleanup() { [ -n "$TD" ] && kill $TD 2>/dev/null; ip link del $A 2>/dev/null; ip netns del $NS 2>/dev/null; }
trap cleanup EXIT
set -e
ip netns add $NS; ip link add $A type veth peer name $B; ip link set $B netns $NS
ip addr add 198.51.100.1/24 dev $A; ip link set $A up
ip -n $NS addr add 198.51.100.2/24 dev $B; ip -n $NS link set $B up; ip -n $NS link set lo up
ip netns exec $NS tcpdump -i $B -w "$1" 'not ip6' 2>/tmp/nsn-td.err & TD=$!
for i in $(seq 1 100); do grep -q listening /tmp/nsn-td.err && break; sleep 0.1; done
python3 - <<'PY'
import socket, struct, time
def csum(b):
    s=sum(struct.unpack('!%dH'%(len(b)//2),b)); s=(s>>16)+(s&0xffff); s+=s>>16; return (~s)&0xffff
r=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_ICMP); r.settimeout(2)
for seq in range(4):
    h=struct.pack('!BBHHH',8,0,0,0x4e53,seq)+b'ntpdoctor-noseen'; h=h[:2]+struct.pack('!H',csum(h))+h[4:]
    r.sendto(h,('198.51.100.2',0))
    try: r.recvfrom(1500)
    except Exception: pass
    time.sleep(0.1)
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.sendto(b'q'*20,('198.51.100.2',5353))
t=socket.socket(); t.settimeout(2)
try: t.connect(('198.51.100.2',8080))
except Exception: pass
PY
sleep 1
kill $TD; wait $TD || true; TD=
