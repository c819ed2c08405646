#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian 12 machine (as root): the real peers (chrony, ntpsec unpacked,
# ntpdig/ntpdate), capture tools, firewalls (firewalld and dbus too: test/node/lab-firewalld.test.ts runs them in
# a namespace with a private bus), libpcap for the optional `cap` module. Never starts a time daemon, nor
# firewalld or a system bus: policy-rc.d answers 101 to every service start.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: not root: skipping system packages (lab tests will print SKIPPED)" >&2
  exit 0
fi

# Installing a time daemon must not start it: policy-rc.d answering 101 (docs/architecture.md, "Real peers, never mocks").
if [ ! -x /usr/sbin/policy-rc.d ] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi

export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
need=()
for pkg in chrony tcpdump tshark nftables iptables faketime iproute2 ethtool libpcap-dev tmux \
           python3-ntp ntpsec-ntpdig ntpsec-ntpdate dbus firewalld \
           openssh-server openssh-client prometheus; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
# openssh-server (sshd for the cluster lab, started by the test in its namespaces on its own config) and prometheus
# (promtool for the exposition and alert-rule tests) ship services: policy-rc.d keeps them from starting, and this
# checks it held.
running_before=$(pgrep -x -d, 'sshd|prometheus' || true)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
running_after=$(pgrep -x -d, 'sshd|prometheus' || true)
if [ "$running_after" != "$running_before" ]; then
  echo "setup.sh: the install started sshd or prometheus (pids $running_after): policy-rc.d did not hold; stop them" >&2
  exit 1
fi

# ntpsec's ntpd conflicts with chrony as a package: unpack it (never install, never start) into /opt/ntpsec.
if [ ! -x /opt/ntpsec/usr/sbin/ntpd ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq ntpsec >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq ntpsec; })
  dpkg -x "$tmp"/ntpsec_*.deb /opt/ntpsec
  rm -rf "$tmp"
fi
# systemd-timesyncd conflicts with chrony as a package and would run as a service: unpack it (never install,
# never enable) into /opt/timesyncd. The lab runs /opt/timesyncd/lib/systemd/systemd-timesyncd by hand in a
# network + private mount namespace as user systemd-timesync without CAP_SYS_TIME (see fixtures/README.md).
# It links the host systemd's libsystemd-shared-<major>.so: the same Debian release's package fits.
if [ ! -x /opt/timesyncd/lib/systemd/systemd-timesyncd ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq systemd-timesyncd >/dev/null 2>&1 || { apt-get update -qq && apt-get download -qq systemd-timesyncd; })
  dpkg -x "$tmp"/systemd-timesyncd_*.deb /opt/timesyncd
  rm -rf "$tmp"
fi
# The lab starts it as this user (setpriv --reuid): started as root, its drop_privileges() keeps CAP_SYS_TIME,
# which the lab's bounding set removes ("Failed to drop privileges: Operation not permitted", it exits).
getent passwd systemd-timesync >/dev/null || useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin systemd-timesync
echo "setup.sh: peers ready: $(chronyd --version | head -1); $(/opt/ntpsec/usr/sbin/ntpd --version 2>&1 | head -1)"
