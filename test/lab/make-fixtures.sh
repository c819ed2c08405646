#!/usr/bin/env bash
# test/lab/make-fixtures.sh — regenerate the capture fixtures in a real lab (network namespaces, veth,
# chronyd, ntpsec ntpd, nftables/iptables, tcpdump/dumpcap). Must run as root.
#
#   make-fixtures.sh [--update | --out DIR] [-j N] [--list] [SCENARIO...]
#
#   --out DIR   write <scenario>.pcap[ng] and <scenario>.client.txt into DIR (default: a new temp dir)
#   --update    write into the project's fixtures/ directory
#   -j N        run at most N scenarios at once (default 8; each has its own namespaces)
#   --list      print the scenario names and exit
#
# Prints one line per scenario (name, status, seconds) and the total; exits 1 if any scenario failed,
# 2 on a usage error or when the lab cannot run here (not root, no `ip netns`, a tool missing).
# Safety: see lib.sh — no daemon can change the clock, traffic stays in ndlab-* namespaces.
set -euo pipefail

LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$LAB_HERE/lib.sh"
# shellcheck source=daemons.sh
source "$LAB_HERE/daemons.sh"
# shellcheck source=scenarios.sh
source "$LAB_HERE/scenarios.sh"

# --one NAME OUTDIR: internal; one scenario in this process, so its EXIT trap cleans up only its own lab.
if [[ ${1:-} == --one ]]; then
  name=$2 out=$3
  fn="scn_${name//-/_}"
  lab_up "$name"
  "$fn"
  shopt -s nullglob
  for f in "$LAB_DIR/$name".pcap "$LAB_DIR/$name".pcapng "$LAB_DIR/$name"-*.pcap; do
    [[ -e $f ]] || continue
    (($(lab_count "$f") > 0)) || lab_die "no packets in $f"
    install -m 0644 "$f" "$out/"
  done
  [[ -f $LAB_DIR/client.txt ]] && cp "$LAB_DIR/client.txt" "$out/$name.client.txt"
  exit 0
fi

usage() { sed -n '3,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

out='' jobs=8 names=()
while (($#)); do
  case $1 in
    --update) out=$(cd "$LAB_HERE/../.." && pwd)/fixtures ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    -j) jobs=${2:?-j needs a number}; shift ;;
    --list) printf '%s\n' "${LAB_SCENARIOS[@]}"; exit 0 ;;
    -h | --help) usage ;;
    -*) echo "make-fixtures: unknown option $1" >&2; usage ;;
    *) names+=("$1") ;;
  esac
  shift
done
((${#names[@]})) || names=("${LAB_SCENARIOS[@]}")
for n in "${names[@]}"; do
  declare -F "scn_${n//-/_}" >/dev/null || { echo "make-fixtures: unknown scenario '$n' (see --list)" >&2; exit 2; }
done

lab_preflight || { echo "make-fixtures: cannot run the lab here (see above)" >&2; exit 2; }

[[ -n $out ]] || out=$(mktemp -d /tmp/ndlab-fixtures.XXXXXX)
mkdir -p "$out"
logs=$(mktemp -d /tmp/ndlab-logs.XXXXXX)

declare -A started=() pid_of=()
children=()
stop_children() {
  local p
  for p in "${children[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${children[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "lab: interrupted; every scenario cleaned up its namespaces" >&2
  rm -rf "$logs"
  exit 130
}
trap stop_children INT TERM HUP

t0=$SECONDS
failed=0
report() {
  local n=$1 rc=$2
  local took=$((SECONDS - started[$n]))
  if ((rc == 0)); then
    printf 'lab: %-28s ok   %4ds\n' "$n" "$took"
  else
    failed=$((failed + 1))
    printf 'lab: %-28s FAIL %4ds (exit %d); log follows\n' "$n" "$took" "$rc"
    sed 's/^/    /' "$logs/$n.log"
  fi
}

running=0
finish_one() {
  local done_pid rc=0 n
  wait -n -p done_pid "${children[@]}" || rc=$?
  for n in "${!pid_of[@]}"; do
    if [[ ${pid_of[$n]} == "$done_pid" ]]; then
      report "$n" "$rc"
      unset "pid_of[$n]"
    fi
  done
  local keep=()
  for p in "${children[@]}"; do [[ $p == "$done_pid" ]] || keep+=("$p"); done
  children=("${keep[@]}")
  running=$((running - 1))
}

for n in "${names[@]}"; do
  while ((running >= jobs)); do finish_one; done
  started[$n]=$SECONDS
  bash "${BASH_SOURCE[0]}" --one "$n" "$out" >"$logs/$n.log" 2>&1 &
  pid_of[$n]=$!
  children+=("$!")
  running=$((running + 1))
done
while ((running > 0)); do finish_one; done

printf 'lab: %d scenario(s), %d failed, total %ds; output in %s\n' "${#names[@]}" "$failed" "$((SECONDS - t0))" "$out"
if ((failed)); then
  echo "lab: scenario logs kept in $logs" >&2
  exit 1
fi
rm -rf "$logs"
