# shellcheck shell=bash
# test/rules/captures/wire-scenarios.sh — one wir_<name> function per capture of make-wire.sh (sourced after
# test/lab's lib.sh, daemons.sh and scenarios.sh). Each runs in fresh namespaces (wir_up), writes
# $LAB_DIR/<name>.pcap and the tools' output into $LAB_DIR/client.txt. fixtures/README.md ("fixtures/wire")
# says what each shows and which rule it must give.

WIRE_SCENARIOS=(
  xleave nts-healthy nts-ke-rejected nts-untrusted nts-ke-dropped nts-ke-icmp nts-ke-alpn nts-ke-tls12 peer-nopeer sport123-blocked broadcast
  ntpd-self-lo mode7-monlist mode7-default mode6-remote
)

# --- classic ntp 4.2.8 (Debian 11 .debs unpacked under $CLASSIC) -------------------------------------------

# An argv prefix (setpriv execs it, so no shell function): its libopts25/libssl1.1 come from the same .debs.
CLASSIC_ENV=(env LD_LIBRARY_PATH="$CLASSIC/usr/lib/x86_64-linux-gnu")

# wir_classic_ntpd NAME NS [WAIT_UDP] < config lines: classic ntpd 4.2.8 in the foreground (-n), with the
# lab's safety lines (`disable kernel`, ntp.conf(5)); every file it writes is under $LAB_DIR/NAME.
wir_classic_ntpd() {
  local name=$1 ns=$2 wait_udp=${3:-1}
  local dir="$LAB_DIR/$name" conf="$LAB_DIR/$name.conf"
  mkdir -p "$dir/stats"
  {
    printf '# written by test/rules/captures/wire-scenarios.sh\n'
    printf 'disable kernel\n'
    printf 'driftfile %s/drift\n' "$dir"
    printf 'statsdir %s/stats/\n' "$dir"
    cat
  } >"$conf"
  lab_spawn "$name" "$ns" "${CLASSIC_ENV[@]}" "$CLASSIC/usr/sbin/ntpd" -n -c "$conf" -p "$dir/ntpd.pid"
  local pid=$LAB_LAST_PID
  [[ $wait_udp == 1 ]] && lab_wait_udp "$ns" 123 "$pid" 15
  LAB_LAST_PID=$pid
}

# Classic ntpd's local clock driver (the seed's fix, classic syntax), polled every 8 s (classic's floor).
classic_local_clock() {
  printf 'server 127.127.1.0 minpoll 3 maxpoll 3\n'
  printf 'fudge 127.127.1.0 stratum 10\n'
  printf 'tos orphanwait 1\n'
}

classic_ntpq_synced() {
  lab_run "$1" 10 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpq" -c 'rv 0 leap' 127.0.0.1 2>/dev/null | grep -q 'leap=00'
}

# Synchronised AND root dispersion under 100 ms (as lab_ntpd_settled): right after syncing, classic ntpd
# serves ~3.9 s of root dispersion (empty clock-filter slots), which root-distance-too-large rightly flags.
# Measured here: ~50 s with the local clock polled every 8 s.
classic_settled() {
  local rv
  rv=$(lab_run "$1" 10 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpq" -c 'rv 0 leap,rootdisp' 127.0.0.1 2>/dev/null | tr -d '\n') || return 1
  [[ $rv == *leap=00* ]] || return 1
  [[ $rv =~ rootdisp=([0-9.]+) ]] || return 1
  awk -v d="${BASH_REMATCH[1]}" 'BEGIN { exit !(d < 100) }'
}

# --- NTS certificates (openssl, in $LAB_DIR only) ---------------------------------------------------------

# A private CA and a server certificate for node0's address (IP SAN: chronyd checks the name it was given,
# here the address, against the certificate). Readable by _chrony, which chronyd drops to.
nts_certs() {
  local d="$LAB_DIR/pki"
  install -d -m 0750 -g _chrony "$d"
  (
    cd "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj '/CN=ndwir test CA' \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=198.51.100.100' \
      -keyout srv.key -out srv.csr 2>/dev/null
    printf 'subjectAltName=IP:198.51.100.100,IP:2001:db8::100\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile ext.cnf -out srv.pem 2>/dev/null
    chgrp _chrony ./*; chmod 0640 ./*
  )
}

# chronyd as an NTS server (chrony.conf(5) ntsserverkey/ntsservercert; NTS-KE on TCP 4460).
nts_server() {
  local dir
  dir=$(lab_chrony_dir chronyd-srv-nts)
  {
    printf 'ntsserverkey %s/pki/srv.key\nntsservercert %s/pki/srv.pem\nntsdumpdir %s\n' "$LAB_DIR" "$LAB_DIR" "$dir"
  } | chrony_server
  lab_poll 10 "NTS-KE listening" test -n "$(ip netns exec "$LAB_SRV" ss -Hltn 'sport = :4460')"
}

# chronyd as an NTS client; TRUST=1 trusts the lab CA (ntstrustedcerts), 0 leaves only the system's CAs.
nts_client() {
  local trust=$1 dir
  dir=$(lab_chrony_dir chronyd-cli-nts)
  {
    printf 'server %s iburst nts minpoll 0 maxpoll 1\n' "$LAB_SRV_V4"
    printf 'ntsdumpdir %s\n' "$dir"
    ((trust)) && printf 'ntstrustedcerts %s/pki/ca.pem\n' "$LAB_DIR"
    true
  } | lab_chronyd chronyd-cli "$LAB_CLI" 0
}

# chronyd's own words about NTS-KE (its log: "Could not connect …", "TLS handshake … failed : …") into client.txt.
nts_log() { lab_client chronyd-log "$LAB_CLI" 5 grep -h -e NTS -e TLS -e 4460 "$LAB_DIR/chronyd-cli.log"; }

nts_capture() { lab_capture_start "$LAB_CLI" "$LAB_CLI_IF" "$(pcap)" 'udp port 123 or tcp port 4460 or icmp'; }

# --- scenarios ---------------------------------------------------------------------------------------------

# chrony's interleaved mode (chrony.conf(5) `xleave`): after the first exchange the reply's origin is the
# request's previous receive timestamp, and its transmit time is that of the previous reply.
wir_xleave() {
  chrony_server </dev/null
  capture
  printf 'server %s iburst xleave minpoll 0 maxpoll 0\n' "$LAB_SRV_V4" | lab_chronyd chronyd-cli "$LAB_CLI" 0
  lab_wait_packets 30 "$(pcap)" 16 'udp port 123'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n ntpdata
  lab_capture_stop
}

wir_nts_healthy() {
  nts_certs
  nts_server
  nts_capture
  nts_client 1
  lab_wait_packets 30 "$(pcap)" 12 'udp port 123'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n authdata
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n sources
  nts_log
  lab_capture_stop
}

# NTS-KE refused: node0's firewall answers TCP 4460 with a reset (nft(8) `reject with tcp reset`).
wir_nts_ke_rejected() {
  nts_certs
  nts_server
  nft_server <<'EOF'
table inet ndwir {
  chain input {
    type filter hook input priority 0;
    tcp dport 4460 reject with tcp reset
  }
}
EOF
  nts_capture
  nts_client 1
  # Measured: chronyd 4.3 retries NTS-KE ~17 s after "Connection refused": two SYN/RST pairs.
  lab_wait_packets 45 "$(pcap)" 4 'tcp port 4460'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n authdata
  nts_log
  lab_capture_stop
}

# NTS-KE silently dropped: node0's firewall drops TCP 4460 (nft `drop`): the client's SYNs go unanswered.
wir_nts_ke_dropped() {
  nts_certs
  nts_server
  nft_server <<'EOF'
table inet ndwir {
  chain input {
    type filter hook input priority 0;
    tcp dport 4460 drop
  }
}
EOF
  nts_capture
  nts_client 1
  # The kernel retransmits the SYN (1 s, then doubling) until chronyd gives up the KE: at least three SYNs.
  lab_wait_packets 30 "$(pcap)" 3 'tcp port 4460'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n authdata
  nts_log
  lab_capture_stop
}

# NTS-KE rejected with ICMP: node0's firewall answers TCP 4460 with admin-prohibited (ICMP 3/13), as firewalld does.
wir_nts_ke_icmp() {
  nts_certs
  nts_server
  nft_server <<'EOF'
table inet ndwir {
  chain input {
    type filter hook input priority 0;
    tcp dport 4460 reject with icmpx type admin-prohibited
  }
}
EOF
  nts_capture
  nts_client 1
  lab_wait_packets 30 "$(pcap)" 2 'icmp'
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n authdata
  nts_log
  lab_capture_stop
}

# A client that does not speak NTS-KE's ALPN (RFC 8915 §4: "ntske/1"): openssl s_client offering only "h2" to the
# chronyd NTS server, which answers with a TLS alert in clear (no_application_protocol, RFC 7301 §3.2) before any
# encrypted record. What a misconfigured client, or a port-4460 service that is not NTS-KE, looks like on the wire.
wir_nts_ke_alpn() {
  nts_certs
  nts_server
  nts_capture
  lab_client openssl "$LAB_CLI" 10 openssl s_client -connect "$LAB_SRV_V4:4460" -alpn h2 -CAfile "$LAB_DIR/pki/ca.pem" </dev/null
  lab_wait_packets 10 "$(pcap)" 1 'tcp port 4460 and tcp[tcpflags] & (tcp-fin|tcp-rst) != 0'
  # The server's own words (chronyd logs a refused NTS-KE client only with -d/-L; whatever it said is kept).
  lab_client chronyd-log "$LAB_SRV" 5 grep -h -i -e NTS -e TLS -e 4460 -e ALPN "$LAB_DIR/chronyd-srv.log"
  lab_capture_stop
}

# A client limited to TLS 1.2 (RFC 8915 §3 requires TLS 1.3 for NTS-KE): openssl s_client -tls1_2 with ALPN ntske/1.
# chronyd's GnuTLS refuses with a protocol_version alert, in clear (no key is agreed yet).
wir_nts_ke_tls12() {
  nts_certs
  nts_server
  nts_capture
  lab_client openssl "$LAB_CLI" 10 openssl s_client -connect "$LAB_SRV_V4:4460" -tls1_2 -alpn ntske/1 -CAfile "$LAB_DIR/pki/ca.pem" </dev/null
  lab_wait_packets 10 "$(pcap)" 1 'tcp port 4460 and tcp[tcpflags] & (tcp-fin|tcp-rst) != 0'
  lab_capture_stop
}

# The client does not trust the server's CA: the TLS handshake of NTS-KE fails, no UDP 123 ever follows.
wir_nts_untrusted() {
  nts_certs
  nts_server
  nts_capture
  nts_client 0
  # One failed KE (TLS alert, then the connection closed) is the evidence; chronyd retries only after a backoff.
  lab_wait_packets 30 "$(pcap)" 1 'tcp port 4460 and tcp[tcpflags] & (tcp-fin|tcp-rst) != 0'
  lab_poll 10 "chronyd's NTS-KE error" grep -qi 'tls\|certificate\|handshake' "$LAB_DIR/chronyd-cli.log"
  lab_client chronyc "$LAB_CLI" 10 chronyc -h "$(lab_chronyc_sock chronyd-cli)" -n authdata
  nts_log
  lab_capture_stop
}

# ntpd `peer` (symmetric active, mode 1) against a server with `nopeer`, while ntpdig (mode 3) from the same
# host is answered.
wir_peer_nopeer() {
  printf 'restrict default kod nomodify notrap nopeer noquery\nrestrict -6 default kod nomodify notrap nopeer noquery\n' |
    ntpd_local_clock_server 0
  lab_wait_synced ntpd-srv "$(lab_ntpd_sync_limit)" lab_ntpd_settled "$LAB_SRV"
  capture
  printf 'peer %s iburst minpoll 3 maxpoll 3\n' "$LAB_SRV_V4" | wir_classic_ntpd ntpd-peer "$LAB_CLI"
  lab_wait_packets 30 "$(pcap)" 4 'udp port 123 and (udp[8] & 7) = 1'
  lab_client ntpdig "$LAB_CLI" 20 ntpdig "$LAB_SRV_V4"
  lab_client ntpq "$LAB_CLI" 10 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpq" -n -c pe 127.0.0.1
  lab_capture_stop
}

# ntpd sends from UDP port 123; node0's firewall drops exactly those (`udp sport 123 drop`, the ISP/NAT filter
# of opnsense#1513), while ntpdig's random-port query gets through.
wir_sport123_blocked() {
  chrony_server </dev/null
  nft_server <<'EOF'
table inet ndwir {
  chain input {
    type filter hook input priority 0;
    udp sport 123 drop
  }
}
EOF
  capture
  printf 'server %s iburst minpoll 3 maxpoll 3\n' "$LAB_SRV_V4" | lab_ntpd ntpd-cli "$LAB_CLI"
  lab_wait_packets 30 "$(pcap)" 4 'udp src port 123 and udp dst port 123'
  lab_client ntpdig "$LAB_CLI" 20 ntpdig "$LAB_SRV_V4"
  lab_client ntpdate "$LAB_CLI" 20 ntpdate -q "$LAB_SRV_V4"
  lab_client ntpq "$LAB_CLI" 10 "$NTPSEC_NTPQ" -n -c pe 127.0.0.1
  lab_capture_stop
}

# Classic ntpd broadcasting (mode 5) on the LAN; a classic ntpd `broadcastclient` listens.
wir_broadcast() {
  { classic_local_clock; printf 'broadcast 198.51.100.255 minpoll 3\n'; } | wir_classic_ntpd ntpd-srv "$LAB_SRV"
  lab_wait_synced ntpd-srv 120 classic_settled "$LAB_SRV"
  capture
  printf 'broadcastclient\ndisable auth\n' | wir_classic_ntpd ntpd-cli "$LAB_CLI"
  lab_wait_packets 40 "$(pcap)" 3 'udp port 123 and (udp[8] & 7) = 5'
  lab_client ntpq "$LAB_CLI" 10 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpq" -n -c pe 127.0.0.1
  lab_capture_stop
}

# The seed's ntpd (classic 4.2.8) told `server <its own address>`, captured on node0's own lo.
wir_ntpd_self_lo() {
  lab_capture_start "$LAB_SRV" lo "$(pcap)" 'udp port 123'
  printf 'restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap\nserver %s iburst minpoll 3 maxpoll 3\n' "$LAB_SRV_V4" |
    wir_classic_ntpd ntpd-srv "$LAB_SRV"
  # Measured: classic ntpd never answers its own request (it arrives from its own address and port), so the
  # capture holds requests 198.51.100.100:123 → 198.51.100.100:123 every 8 s and no reply.
  lab_wait_packets 40 "$(pcap)" 4 'udp port 123'
  lab_client ntpq "$LAB_SRV" 10 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpq" -n -c pe 127.0.0.1
  lab_capture_stop
}

# Classic ntpd with no restrict lines at all and mode 7 on: `ntpdc -c monlist` (CVE-2013-5211) is answered.
wir_mode7_monlist() {
  { classic_local_clock; printf 'enable mode7\n'; } | wir_classic_ntpd ntpd-srv "$LAB_SRV"
  lab_wait_synced ntpd-srv 120 classic_settled "$LAB_SRV"
  capture
  lab_client ntpdig "$LAB_CLI" 20 ntpdig "$LAB_SRV_V4"
  lab_client ntpdc "$LAB_CLI" 20 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpdc" -n -c monlist "$LAB_SRV_V4"
  lab_client ntpdc "$LAB_CLI" 20 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpdc" -n -c sysinfo "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 1 'udp src port 123 and (udp[8] & 7) = 7'
  lab_capture_stop
}

# The same classic ntpd without `enable mode7`: 4.2.8 ships with mode 7 off, and ntpdc gets no answer at all.
wir_mode7_default() {
  classic_local_clock | wir_classic_ntpd ntpd-srv "$LAB_SRV"
  capture
  lab_client ntpdc "$LAB_CLI" 20 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpdc" -n -c monlist "$LAB_SRV_V4"
  lab_wait_packets 10 "$(pcap)" 1 'udp dst port 123 and (udp[8] & 7) = 7'
  lab_capture_stop
}

# ntpq answered across networks: node0 2001:db8:1::100/64, the client 2001:db8:2::130/64 (on-link routes on
# the veth, no router), so the client is outside the server's /64.
wir_env_mode6_remote() { WIR_SRV_V6=2001:db8:1::100/64 WIR_CLI_V6=2001:db8:2::130/64; }
wir_mode6_remote() {
  ip -n "$LAB_SRV" -6 route add 2001:db8:2::/64 dev "$LAB_SRV_IF"
  ip -n "$LAB_CLI" -6 route add 2001:db8:1::/64 dev "$LAB_CLI_IF"
  classic_local_clock | wir_classic_ntpd ntpd-srv "$LAB_SRV"
  lab_wait_synced ntpd-srv 120 classic_settled "$LAB_SRV"
  capture
  lab_client ntpq "$LAB_CLI" 20 "${CLASSIC_ENV[@]}" "$CLASSIC/usr/bin/ntpq" -n -c rv -c pe 2001:db8:1::100
  lab_wait_packets 10 "$(pcap)" 2 'udp src port 123'
  lab_capture_stop
}
