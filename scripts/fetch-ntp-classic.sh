#!/usr/bin/env bash
# Unpacks classic ntp 4.2.8 (ntpd, ntpq, ntpdc) from Debian 11 bullseye under /opt/ntp-classic — never installs it,
# never starts it. Only test/rules/captures/make-wire.sh needs it (to regenerate fixtures/wire: broadcast, mode 7
# monlist, `peer`, the seed's ntpd on its own lo); no test needs it at run time. Debian 12 has no classic ntp
# (ntpsec replaced it), so a private apt configuration aimed at bullseye fetches the .debs: the machine's own apt
# sources and state are not touched. libopts25 and libssl1.1 come along (bookworm has neither); run the binaries
# with LD_LIBRARY_PATH=/opt/ntp-classic/usr/lib/x86_64-linux-gnu.
set -euo pipefail
dest=${1:-/opt/ntp-classic}
if [[ -x $dest/usr/sbin/ntpd && -x $dest/usr/bin/ntpdc ]]; then
  echo "fetch-ntp-classic: already there: $dest"
  exit 0
fi
[[ $(id -u) == 0 ]] || { echo "fetch-ntp-classic: must run as root (writes $dest)" >&2; exit 1; }
apt=$(mktemp -d /tmp/ntp-classic-apt.XXXXXX)
trap 'rm -rf "$apt"' EXIT
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main' >"$apt/sources.list"
cat >"$apt/apt.conf" <<C
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Sandbox::User "root";
C
export APT_CONFIG=$apt/apt.conf
apt-get update -qq
(cd "$apt/debs" && apt-get download -qq ntp libopts25 libssl1.1)
mkdir -p "$dest"
for deb in "$apt"/debs/*.deb; do dpkg -x "$deb" "$dest"; done
LD_LIBRARY_PATH=$dest/usr/lib/x86_64-linux-gnu "$dest/usr/sbin/ntpd" --version
