# shellcheck shell=bash
# test/lab/daemons.sh — start real chronyd / ntpsec ntpd in a scenario's namespace (sourced after lib.sh).
# Every file a daemon writes lives in $LAB_DIR; nothing touches /run/chrony, /var/lib/chrony or /etc.
# Safety: chronyd always with -x (never touches the clock); ntpd always with `disable kernel` (NOT
# `disable ntp`, which makes it serve leap 3 for ever); both under setpriv without CAP_SYS_TIME (lab_spawn).

# lab_chrony_dir NAME: a state dir chronyd may write after it drops to _chrony (its command socket dir must
# be owned by that user and closed to others, chronyd(8) "bindcmdaddress"); prints the path.
lab_chrony_dir() {
  local dir="$LAB_DIR/$1"
  chmod 0711 "$LAB_DIR"
  install -d -m 0770 -o _chrony -g _chrony "$dir"
  printf '%s\n' "$dir"
}

# lab_chronyd NAME NS [WAIT_UDP] [-- FAKETIME_OFFSET] < config lines (stdin)
# Appends pidfile/driftfile/bindcmdaddress in the state dir; starts `chronyd -x -d -f CONF`.
# WAIT_UDP=1 waits until UDP 123 is bound (a server with `allow`); 0 does not (a client binds no port 123,
# and chronyd without `allow` never opens it). PID in LAB_LAST_PID; socket in LAB_CHRONYC_SOCK_<NAME>.
lab_chronyd() {
  local name=$1 ns=$2 wait_udp=${3:-0} fake=${4:-}
  local dir conf
  dir=$(lab_chrony_dir "$name")
  conf="$LAB_DIR/$name.conf"
  {
    cat
    printf 'pidfile %s/chronyd.pid\n' "$dir"
    printf 'driftfile %s/drift\n' "$dir"
    printf 'bindcmdaddress %s/chronyd.sock\n' "$dir"
    printf 'cmdport 0\n'
  } >"$conf"
  if [[ -n $fake ]]; then
    lab_spawn_faketime "$name" "$ns" "$fake" chronyd -x -d -f "$conf"
  else
    lab_spawn "$name" "$ns" chronyd -x -d -f "$conf"
  fi
  local pid=$LAB_LAST_PID
  if [[ $wait_udp == 1 ]]; then
    lab_wait_udp "$ns" 123 "$pid" 10
  else
    lab_poll 10 "$name command socket" test -S "$dir/chronyd.sock"
  fi
  LAB_LAST_PID=$pid
}

lab_chronyc_sock() { printf '%s/%s/chronyd.sock\n' "$LAB_DIR" "$1"; }

# lab_chronyc NAME NS ARGS...: chronyc talking to daemon NAME over its private Unix socket.
lab_chronyc() {
  local name=$1 ns=$2
  shift 2
  lab_run "$ns" 5 chronyc -h "$(lab_chronyc_sock "$name")" "$@"
}

# lab_chrony_synced NAME NS: chronyd NAME has selected a source and its leap status is normal.
lab_chrony_synced() {
  lab_chronyc "$1" "$2" tracking 2>/dev/null | grep -q '^Leap status *: Normal'
}

# lab_ntpd NAME NS [WAIT_UDP] [FAKETIME_OFFSET] < config lines (stdin)
# Prepends the safety and housekeeping lines and starts ntpsec `ntpd -n -c CONF -p PIDFILE` (foreground,
# ntpd(8)). ntpd binds UDP 123 on every address even as a pure client, so WAIT_UDP defaults to 1.
lab_ntpd() {
  local name=$1 ns=$2 wait_udp=${3:-1} fake=${4:-}
  local dir="$LAB_DIR/$name" conf="$LAB_DIR/$name.conf"
  mkdir -p "$dir/stats"
  {
    printf '# written by test/lab/daemons.sh\n'
    # ntp.conf(5): `disable kernel` keeps the kernel PLL off; never `disable ntp` (leap 3 for ever).
    printf 'disable kernel\n'
    printf 'driftfile %s/drift\n' "$dir"
    printf 'statsdir %s/stats/\n' "$dir"
    # ntpq from the daemon's own namespace (loopback) reads its state; ntp.conf(5) "restrict".
    printf 'restrict 127.0.0.1\n'
    printf 'restrict ::1\n'
    cat
  } >"$conf"
  if [[ -n $fake ]]; then
    lab_spawn_faketime "$name" "$ns" "$fake" "$NTPSEC_NTPD" -n -c "$conf" -p "$dir/ntpd.pid"
  else
    lab_spawn "$name" "$ns" "$NTPSEC_NTPD" -n -c "$conf" -p "$dir/ntpd.pid"
  fi
  local pid=$LAB_LAST_PID
  [[ $wait_udp == 1 ]] && lab_wait_udp "$ns" 123 "$pid" 15
  LAB_LAST_PID=$pid
}

# lab_ntpq NS ARGS...: ntpsec ntpq (mode 6) against the ntpd in NS, over loopback.
lab_ntpq() {
  local ns=$1
  shift
  lab_run "$ns" 10 "$NTPSEC_NTPQ" "$@" 127.0.0.1
}

# lab_ntpd_synced NS: the ntpd in NS reports leap 00 (synchronised); read over loopback with ntpq.
lab_ntpd_synced() {
  lab_ntpq "$1" -c 'rv 0 leap' 2>/dev/null | grep -q 'leap=00'
}

# lab_wait_synced WHAT SECONDS CHECK...: bounded poll (1 s interval: each check starts a Python ntpq or a
# chronyc) until CHECK succeeds; logs how long it took.
lab_wait_synced() {
  local what=$1 limit=$2
  shift 2
  local start=$SECONDS deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < deadline)) || lab_die "timed out after ${limit}s waiting for $what to synchronise"
    sleep 1
  done
  lab_log "$what synchronised after $((SECONDS - start)) s"
}

# The seed's fix, in ntpsec's words: the local clock driver at stratum 10 (ntp.conf(5) "refclock";
# classic ntpd: `server 127.127.1.0` + `fudge 127.127.1.0 stratum 10`). Replies then carry stratum 11 and
# refid 127.127.1.0.
# Measured here (ntpsec 1.2.2): with the defaults ntpd serves leap 3 / stratum 16 / refid INIT for 301-321 s
# after start, whatever the poll interval or drift file: that is `tos orphanwait` (default 300 s,
# ntp.conf(5)), before which the local clock is never selected. Right after it syncs, its replies carry a
# root dispersion of ~3.9 s (the clock filter still holds empty 16 s slots, RFC 5905 §10), falling by half
# each poll: with the default 64 s poll that is minutes past root distance 1.5 s (MAXDIST).
# lab_ntpd_local_clock_lines [MINPOLL]: the lab sets orphanwait to 1 s and polls the local clock every
# 2^MINPOLL s (default 0: synced in ~5 s, root dispersion down to the driver's 10 ms in ~17 s).
# LAB_NTPD_REALISTIC=1 keeps ntpd's defaults (and the 5+ minute wait).
lab_ntpd_local_clock_lines() {
  local minpoll=${1:-0}
  if [[ ${LAB_NTPD_REALISTIC:-} == 1 ]]; then
    printf 'refclock local stratum 10\n'
  else
    printf 'refclock local stratum 10 minpoll %s maxpoll %s\n' "$minpoll" "$minpoll"
    printf 'tos orphanwait 1\n'
  fi
}

lab_ntpd_sync_limit() {
  if [[ ${LAB_NTPD_REALISTIC:-} == 1 ]]; then echo 900; else echo 60; fi
}

# lab_ntpd_settled NS: synchronised AND root dispersion under 100 ms, so clients see a healthy server.
lab_ntpd_settled() {
  local rv
  rv=$(lab_ntpq "$1" -c 'rv 0 leap,rootdisp' 2>/dev/null | tr -d '\n') || return 1
  [[ $rv == *leap=00* ]] || return 1
  [[ $rv =~ rootdisp=([0-9.]+) ]] || return 1
  awk -v d="${BASH_REMATCH[1]}" 'BEGIN { exit !(d < 100) }'
}
