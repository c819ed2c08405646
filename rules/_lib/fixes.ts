/**
 * Fix building blocks shared by the rules: where each daemon keeps its configuration, how to restart it, and the
 * firewall openings for UDP 123. Commands are exact and copy-pasteable; ntpdoctor prints them, never runs them.
 * Config lines are appended with `echo '…' >> FILE` so the command is exact, and the title says what it does.
 */
import type { Fix, Platform } from '../../src/diagnose/types.js';

/** A fix before ranking: rules list them in the order they recommend, `ranked` numbers them 1, 2, 3… */
export type Draft = Omit<Fix, 'rank'>;

export function ranked(drafts: readonly Draft[]): Fix[] {
  return drafts.map((d, i) => ({ rank: i + 1, ...d }));
}

export function draft(platform: Platform, title: string, commands: string[], verify: string): Draft {
  return { platform, title, commands, verify };
}

/** Classic ntpd as CentOS/RHEL ship it (the seed's platform); Debian's unit is `ntp`. */
export const NTPD = { conf: '/etc/ntp.conf', restart: 'systemctl restart ntpd', unit: 'ntpd' } as const;
/** NTPsec as Debian/Ubuntu ship it. */
export const NTPSEC = { conf: '/etc/ntpsec/ntp.conf', restart: 'systemctl restart ntpsec', unit: 'ntpsec' } as const;
/** chrony on RHEL/CentOS/Fedora; Debian/Ubuntu keep /etc/chrony/chrony.conf (their unit answers to chronyd too). */
export const CHRONY = { conf: '/etc/chrony.conf', restart: 'systemctl restart chronyd', unit: 'chronyd' } as const;
export const CHRONY_DEBIAN_CONF = '/etc/chrony/chrony.conf';

/** `echo 'LINE' >> FILE`: the exact way to add a configuration line. */
export function append(file: string, line: string): string {
  return `echo '${line}' >> ${file}`;
}

/** The usual verify step: ask the server again, the way the finding was made. */
export function probeVerify(server: string): string {
  return `ntpdoctor probe ${server}`;
}

/**
 * Open UDP 123 inbound on `host` (the server, or a firewall in front of it): firewalld first (CentOS/RHEL 7+ run it
 * by default, and it keeps its rules when the iptables service is stopped — the seed's trap), then nftables, then
 * iptables with the persistence step of each distribution. `verifyServer` is what the user probes afterwards.
 */
export function openNtpInbound(host: string, verifyServer: string, ipv6: boolean): Draft[] {
  const ipt = ipv6 ? 'ip6tables' : 'iptables';
  const verify = probeVerify(verifyServer);
  return [
    draft(
      'firewalld',
      `On ${host}: allow the ntp service in firewalld (stopping the iptables service alone leaves firewalld's rules in place)`,
      ['firewall-cmd --permanent --add-service=ntp', 'firewall-cmd --reload'],
      verify,
    ),
    draft(
      'nftables',
      `On ${host}: accept UDP 123 in nftables (table inet filter, chain input are the common defaults: check with nft list ruleset; add the rule to /etc/nftables.conf to keep it)`,
      ['nft insert rule inet filter input udp dport 123 accept'],
      verify,
    ),
    draft(
      'iptables',
      `On ${host} (CentOS/RHEL with iptables-services): accept UDP 123 ahead of the REJECT/DROP rule and save`,
      [`${ipt} -I INPUT -p udp --dport 123 -j ACCEPT`, `service ${ipt} save`],
      verify,
    ),
    draft(
      'iptables',
      `On ${host} (Debian/Ubuntu with netfilter-persistent): accept UDP 123 ahead of the REJECT/DROP rule and save`,
      [`${ipt} -I INPUT -p udp --dport 123 -j ACCEPT`, 'netfilter-persistent save'],
      verify,
    ),
  ];
}

/** Open UDP 123 outbound on the client itself (its OUTPUT chain rejects the request before it leaves). */
export function openNtpOutbound(host: string, verifyServer: string, ipv6: boolean): Draft[] {
  const ipt = ipv6 ? 'ip6tables' : 'iptables';
  const verify = probeVerify(verifyServer);
  return [
    draft(
      'nftables',
      `On ${host}: accept outgoing UDP 123 in nftables (table inet filter, chain output are the common defaults: check with nft list ruleset)`,
      ['nft insert rule inet filter output udp dport 123 accept'],
      verify,
    ),
    draft(
      'iptables',
      `On ${host}: accept outgoing UDP 123 ahead of the REJECT rule in the OUTPUT chain`,
      [`${ipt} -I OUTPUT -p udp --dport 123 -j ACCEPT`],
      verify,
    ),
    draft(
      'firewalld',
      `On ${host}: find the firewalld direct/policy rule that rejects outgoing traffic (firewalld allows outgoing by default)`,
      ['firewall-cmd --direct --get-all-rules', 'firewall-cmd --list-all-policies'],
      verify,
    ),
  ];
}
