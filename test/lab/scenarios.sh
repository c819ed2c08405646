# shellcheck shell=bash
# test/lab/scenarios.sh — one function per fixture scenario (sourced after lib.sh and daemons.sh).
#
# Each scn_<name> runs inside a fresh topology (lab_up <name>), writes its captures into $LAB_DIR as
# <name>.pcap / <name>.pcapng / <name>-any.pcap and its client transcript into $LAB_DIR/client.txt;
# make-fixtures.sh copies them out only when the scenario succeeded. Captures are taken on the CLIENT side
# of the veth (where the seed's admin ran tcpdump) unless a scenario says otherwise.
# Keep LAB_SCENARIOS in step with the functions; test/lab/expected.ts holds each fixture's verdict.

LAB_SCENARIOS=(
  firewall-reject-hostprohib firewall-reject-iptables firewall-reject-adminprohib firewall-drop
  no-daemon chrony-no-allow self-sync local-clock-healthy local-clock-fresh local-clock-mismatch
  healthy-chrony healthy-ntpd-client ipv6-healthy rate-limit-kod rate-limit-chrony restrict-notrust
  server-hours-off client-year-off checksum-offload checksum-offload-veth checksum-offload-off
  mode6-exposed
)

# --- shared pieces -------------------------------------------------------------------------------------

# The seed's node0 as a chronyd server: local clock at stratum 10, open to the lab's networks.
chrony_server() {
  {
    printf 'local stratum 10\n'
    printf 'allow 198.51.100.0/24\n'
    printf 'allow 2001:db8::/32\n'
    cat
  } | lab_chronyd chronyd-srv "$LAB_SRV" 1 "${1:-}"
}

# A chronyd client polling node0 every 1-2 s (minpoll 0 maxpoll 1), so a capture of a few seconds holds
# several exchanges. chrony.conf(5): iburst = 4-8 requests in quick succession at start.
chrony_client() {
  printf 'server %s iburst minpoll 0 maxpoll 1\n' "${1:-$LAB_SRV_V4}" | lab_chronyd chronyd-cli "$LAB_CLI" 0
}

capture() { lab_capture_start "$LAB_CLI" "$LAB_CLI_IF" "$LAB_DIR/$LAB_SCEN${1:-}.pcap"; }
pcap() { printf '%s/%s%s.pcap\n' "$LAB_DIR" "$LAB_SCEN" "${1:-}"; }

# The two one-shot clients of the seed: ntpdig (SNTP, RFC 4330) and ntpsec's ntpdate shim, ONLY with -q
# (without it the shim runs `ntpdig -s -S`, which sets the clock; setpriv would refuse, but never try).
probe_clients() {
  local target=${1:-$LAB_SRV_V4}
  lab_client ntpdig "$LAB_CLI" 20 ntpdig "$target"
  lab_client ntpdate "$LAB_CLI" 20 ntpdate -q "$target"
}

# chronyc's view on the client: the seed's `^?`, Reach 0, NP 0, Std Dev 4000ms.
chronyc_report() {
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n sources
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n sourcestats
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n ntpdata
}

ntpq_report() {
  local ns=$1
  lab_client ntpq "$ns" 15 "$NTPSEC_NTPQ" -n -c 'rv 0 leap,stratum,refid,rootdisp' -c pe 127.0.0.1
}

ntpd_local_clock_server() {
  { lab_ntpd_local_clock_lines "${1:-0}"; cat; } | lab_ntpd ntpd-srv "$LAB_SRV"
}

# A firewall scenario: chronyd serves, the rule applied by "$@" rejects; ntpdig, ntpdate -q and a chronyd
# client all try. Waits until at least WANT ICMP errors are captured.
firewall_scenario() {
  local bpf=$1 want=$2
  shift 2
  chrony_server </dev/null
  "$@"
  capture
  local cap
  cap=$(pcap)
  probe_clients
  chrony_client
  lab_wait_packets 20 "$cap" $((want + 3)) "$bpf"
  chronyc_report
  lab_capture_stop
}

nft_server() { ip netns exec "$LAB_SRV" nft -f -; }

# --- scenarios -----------------------------------------------------------------------------------------

# firewalld on CentOS 7 rejects with icmp-host-prohibited (ICMP 3/10): the seed's `ICMP host 192.168.1.100
# unreachable - admin prohibited`.
scn_firewall_reject_hostprohib() {
  chrony_server </dev/null
  nft_server <<'EOF'
table ip ndlab {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 123 reject with icmp type host-prohibited
  }
}
EOF
  capture
  local pcap_pid=$LAB_CAPTURE_PID
  # The same traffic as pcapng too (dumpcap, Wireshark's capture engine).
  lab_dumpcap_start "$LAB_CLI" "$LAB_CLI_IF" "$LAB_DIR/$LAB_SCEN.pcapng"
  local dumpcap_pid=$LAB_CAPTURE_PID
  probe_clients
  chrony_client
  lab_wait_packets 20 "$(pcap)" 5 'icmp[0] = 3'
  lab_wait_packets 10 "$LAB_DIR/$LAB_SCEN.pcapng" 5 'icmp[0] = 3'
  chronyc_report
  lab_capture_stop "$dumpcap_pid"
  lab_capture_stop "$pcap_pid"
}

scn_firewall_reject_iptables() {
  firewall_scenario 'icmp[0] = 3' 2 iptables_reject
}
iptables_reject() {
  ip netns exec "$LAB_SRV" iptables -A INPUT -p udp --dport 123 -j REJECT --reject-with icmp-host-prohibited
}

# icmpx admin-prohibited: ICMP 3/13 for IPv4, ICMPv6 1/1 for IPv6 (nft(8) "REJECT STATEMENT").
scn_firewall_reject_adminprohib() {
  chrony_server </dev/null
  nft_server <<'EOF'
table inet ndlab {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 123 reject with icmpx type admin-prohibited
  }
}
EOF
  capture
  probe_clients "$LAB_SRV_V4"
  probe_clients "$LAB_SRV_V6"
  lab_wait_packets 10 "$(pcap)" 2 'icmp[0] = 3'
  lab_wait_packets 10 "$(pcap)" 2 'icmp6 and ip6[40] = 1'
  lab_capture_stop
}

scn_firewall_drop() {
  chrony_server </dev/null
  nft_server <<'EOF'
table inet ndlab {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 123 drop
  }
}
EOF
  capture
  probe_clients
  chrony_client
  lab_wait_packets 20 "$(pcap)" 5 'udp dst port 123'
  chronyc_report
  lab_capture_stop
}

# Nothing listens on UDP 123 on node0: ICMP 3/3 port unreachable.
scn_no_daemon() {
  capture
  probe_clients
  chrony_client
  lab_wait_packets 20 "$(pcap)" 5 'icmp[0] = 3'
  chronyc_report
  lab_capture_stop
}

# chronyd running as a client only (no `allow`): it never opens UDP 123, so clients get port unreachable
# exactly as if no daemon ran (chrony.conf(5) "allow").
scn_chrony_no_allow() {
  printf 'local stratum 10\n' | lab_chronyd chronyd-srv "$LAB_SRV" 0
  capture
  probe_clients
  lab_wait_packets 10 "$(pcap)" 2 'icmp[0] = 3'
  lab_capture_stop
}

# The seed's node0: ntpd told `server <its own address>`; it never synchronises and serves stratum 16,
# leap 3 ("Server dropped: strata too high"). restrict line as in the seed.
scn_self_sync() {
  printf 'restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap\nserver %s iburst\n' "$LAB_SRV_V4" |
    lab_ntpd ntpd-srv "$LAB_SRV"
  capture
  probe_clients
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123'
  ntpq_report "$LAB_SRV"
  lab_capture_stop
}

# The seed's fix, after ntpd has synchronised to its local clock and settled (root dispersion 10 ms).
scn_local_clock_healthy() {
  printf 'restrict default kod nomodify notrap nopeer noquery\nrestrict 198.51.100.0 mask 255.255.255.0 nomodify notrap\n' |
    ntpd_local_clock_server 0
  lab_wait_synced ntpd-srv "$(lab_ntpd_sync_limit)" lab_ntpd_settled "$LAB_SRV"
  capture
  probe_clients
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123'
  ntpq_report "$LAB_SRV"
  lab_capture_stop
}

# Right after ntpd first selects its local clock, its replies carry root dispersion ~3.9 s (empty clock
# filter slots): root distance past MAXDIST 1.5 s (RFC 5905 §11.2.1), which an ntpd client rejects. The
# seed's server replies showed root dispersion 7.9 s. Local clock polled every 16 s so the window is wide.
scn_local_clock_fresh() {
  printf 'restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap\n' | ntpd_local_clock_server 4
  lab_wait_synced ntpd-srv "$(lab_ntpd_sync_limit)" lab_ntpd_synced "$LAB_SRV"
  capture
  probe_clients
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123'
  ntpq_report "$LAB_SRV"
  lab_capture_stop
}

# The seed's final config: `server 127.127.1.1` + `fudge 127.127.1.0 stratum 10`. The fudge names another
# unit, so it does not apply: the local clock keeps its default stratum 5 and node0 serves stratum 6.
# Packets alone look healthy; only the config shows the mismatch (rule local-clock-mismatch).
scn_local_clock_mismatch() {
  printf 'restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap\nserver 127.127.1.1 minpoll 0 maxpoll 0\nfudge 127.127.1.0 stratum 10\ntos orphanwait 1\n' |
    lab_ntpd ntpd-srv "$LAB_SRV"
  lab_wait_synced ntpd-srv 90 lab_ntpd_settled "$LAB_SRV"
  capture
  probe_clients
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123'
  ntpq_report "$LAB_SRV"
  lab_capture_stop
}

# chronyd server + chronyd client, synchronised. Recorded three ways at once: tcpdump on the veth (pcap),
# dumpcap on the veth (pcapng) and tcpdump -i any in the client namespace (LINUX_SLL2 link type).
scn_healthy_chrony() {
  chrony_server </dev/null
  capture
  local pcap_pid=$LAB_CAPTURE_PID
  lab_dumpcap_start "$LAB_CLI" "$LAB_CLI_IF" "$LAB_DIR/$LAB_SCEN.pcapng"
  local dumpcap_pid=$LAB_CAPTURE_PID
  lab_capture_start "$LAB_CLI" any "$(pcap -any)"
  local any_pid=$LAB_CAPTURE_PID
  chrony_client
  lab_wait_synced chronyd-cli 30 lab_chrony_synced chronyd-cli "$LAB_CLI"
  lab_wait_packets 20 "$(pcap)" 6 'udp src port 123'
  lab_wait_packets 10 "$(pcap -any)" 6 'udp src port 123'
  lab_wait_packets 10 "$LAB_DIR/$LAB_SCEN.pcapng" 6 'udp src port 123'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n sources
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" tracking
  lab_capture_stop "$any_pid"
  lab_capture_stop "$dumpcap_pid"
  lab_capture_stop "$pcap_pid"
}

# ntpsec ntpd as a client of a chronyd server, synchronised (system peer '*').
scn_healthy_ntpd_client() {
  chrony_server </dev/null
  capture
  printf 'restrict default kod nomodify notrap nopeer noquery\nserver %s iburst minpoll 3 maxpoll 4\n' "$LAB_SRV_V4" |
    lab_ntpd ntpd-cli "$LAB_CLI"
  lab_wait_synced ntpd-cli 60 lab_ntpd_synced "$LAB_CLI"
  lab_wait_packets 20 "$(pcap)" 4 'udp src port 123'
  ntpq_report "$LAB_CLI"
  lab_capture_stop
}

scn_ipv6_healthy() {
  chrony_server </dev/null
  capture
  chrony_client "$LAB_SRV_V6"
  lab_wait_synced chronyd-cli 30 lab_chrony_synced chronyd-cli "$LAB_CLI"
  lab_client ntpdig "$LAB_CLI" 20 ntpdig -6 "$LAB_SRV_V6"
  lab_wait_packets 20 "$(pcap)" 6 'ip6 and udp src port 123'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n sources
  lab_capture_stop
}

# ntpd with `limited kod` (ntp.conf(5): average 1 packet/s, bursts of 20): a client sending 40 requests
# 20 ms apart gets ~20 answers, then KoD RATE (leap 3, stratum 0, refid "RATE", RFC 5905 §7.4).
scn_rate_limit_kod() {
  printf 'restrict default limited kod nomodify notrap nopeer noquery\n' | ntpd_local_clock_server 0
  lab_wait_synced ntpd-srv "$(lab_ntpd_sync_limit)" lab_ntpd_settled "$LAB_SRV"
  capture
  lab_client ntpdig "$LAB_CLI" 60 ntpdig -t 1 -p 40 -g 20 "$LAB_SRV_V4"
  lab_client ntpdate "$LAB_CLI" 20 ntpdate -q "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 3 'udp src port 123 and udp[9] = 0'
  lab_capture_stop
}

# chronyd `ratelimit interval 1 burst 1` (at most one answer per 2 s, chrony.conf(5)): excess requests are
# dropped silently — chrony never sends KoD for rate limiting.
scn_rate_limit_chrony() {
  printf 'ratelimit interval 1 burst 1\n' | chrony_server
  capture
  lab_client ntpdig "$LAB_CLI" 60 ntpdig -t 1 -p 12 -g 100 "$LAB_SRV_V4"
  lab_client ntpdate "$LAB_CLI" 20 ntpdate -q "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 13 'udp dst port 123'
  lab_capture_stop
}

# The second write-up: `restrict ... notrust` means "authenticated packets only" since ntp 4.2; an
# unauthenticated client gets nothing at all (no KoD DENY from ntpsec 1.2.2 either).
scn_restrict_notrust() {
  printf 'restrict default kod notrust nomodify notrap nopeer noquery\n' | ntpd_local_clock_server 0
  lab_wait_synced ntpd-srv "$(lab_ntpd_sync_limit)" lab_ntpd_settled "$LAB_SRV"
  capture
  probe_clients
  lab_wait_packets 10 "$(pcap)" 2 'udp dst port 123'
  lab_capture_stop
}

# node0's clock 3 hours ahead (libfaketime in chronyd only: the host clock is untouched).
scn_server_hours_off() {
  chrony_server +3h </dev/null
  capture
  probe_clients
  chrony_client
  lab_wait_packets 20 "$(pcap)" 6 'udp src port 123'
  chronyc_report
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" tracking
  lab_capture_stop
}

# The seed's item 6: a client one year behind asks a healthy server (ntpdig under libfaketime -365d):
# offset ~ +31536000 s, far past ntpd's panic threshold (1000 s).
scn_client_year_off() {
  chrony_server </dev/null
  capture
  lab_client ntpdig "$LAB_CLI" 20 env LD_PRELOAD="$LIBFAKETIME" FAKETIME=-365d ntpdig "$LAB_SRV_V4"
  lab_client ntpdate "$LAB_CLI" 20 env LD_PRELOAD="$LIBFAKETIME" FAKETIME=-365d ntpdate -q "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123'
  lab_capture_stop
}

# Checksum offload (the seed's `bad udp cksum`): the client's veth hands its UDP packets over with only the
# pseudo-header sum in the checksum field (CHECKSUM_PARTIAL); tcpdump on the sender prints "bad udp cksum".
# Server side offload off, so only the packets the capturing host SENT are bad, as on a real NIC.
checksum_scenario() {
  lab_offload "$LAB_SRV" "$LAB_SRV_IF" "$1"
  lab_offload "$LAB_CLI" "$LAB_CLI_IF" "$2"
  chrony_server </dev/null
  capture
  lab_client ntpdig "$LAB_CLI" 20 ntpdig "$LAB_SRV_V4"
  lab_client ntpdig "$LAB_CLI" 20 ntpdig "$LAB_SRV_V6"
  lab_client ntpdate "$LAB_CLI" 20 ntpdate -q "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 3 'udp src port 123'
  lab_capture_stop
}
scn_checksum_offload() { checksum_scenario off on; }
# veth's default (tx offload on at both ends): measured here, the partial checksum shows in BOTH
# directions on either end, and every exchange still works.
scn_checksum_offload_veth() { checksum_scenario on on; }
scn_checksum_offload_off() { checksum_scenario off off; }

# Mode 6 answered from the network: ntpd without `noquery` for the clients' network (the seed's
# `restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap`). ntpsec 1.2.2 measured: the implicit default
# entry does NOT answer remote ntpq; the explicit network entry does.
scn_mode6_exposed() {
  printf 'restrict default kod nomodify notrap nopeer noquery\nrestrict 198.51.100.0 mask 255.255.255.0 nomodify notrap\n' |
    ntpd_local_clock_server 0
  lab_wait_synced ntpd-srv "$(lab_ntpd_sync_limit)" lab_ntpd_settled "$LAB_SRV"
  capture
  lab_client ntpq "$LAB_CLI" 20 "$NTPSEC_NTPQ" -c rv "$LAB_SRV_V4"
  lab_client ntpq "$LAB_CLI" 20 "$NTPSEC_NTPQ" -n -c peers "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123 and (udp[8] & 7) = 6'
  lab_capture_stop
}
