/**
 * Access-control fixes for a server that silently ignores (or KoD-denies) a client network: ntpd / ntpsec
 * `restrict` lines and chrony `allow`. Shared by no-response and kiss-of-death.
 */
import { dropWordOnRestrictLines } from '../../src/shell/sed.js';
import { appendLine, CHRONY, CHRONY_DEBIAN_CONF, draft, type Draft, NTP_PORT, NTPD, NTPSEC, probeVerify } from './fixes.js';
import { clientNetwork, isIpv6 } from './paths.js';

/**
 * ntpd (ntp_acc(5)): the most specific matching `restrict` entry wins, so a line for the client network
 * overrides `restrict default ignore` / `noserve`. `notrust` is removed outright: since ntp 4.2 it means "serve
 * only cryptographically authenticated packets" (4.1 and earlier: "do not trust for time") — the second seed's trap.
 */
export function ntpdRestrictFix(server: string, client: string, port = NTP_PORT): Draft {
  const net = clientNetwork(client);
  const line = isIpv6(client)
    ? `restrict ${net.address} nomodify notrap nopeer noquery`
    : `restrict ${net.address} mask ${net.mask} nomodify notrap nopeer noquery`;
  return draft(
    'ntpd',
    `ntpd on ${server}: serve ${net.cidr} (drop \`notrust\`, which since ntp 4.2 means authenticated packets only; a more specific restrict line overrides \`restrict default ignore\` or \`noserve\`; widen to your client network)`,
    [dropWordOnRestrictLines(NTPD.conf, 'notrust'), appendLine(NTPD.conf, line), NTPD.restart],
    probeVerify(server, port),
  );
}

/** NTPsec: same matching; CIDR accepted; it has no trap service, so no `notrap`. */
export function ntpsecRestrictFix(server: string, client: string, port = NTP_PORT): Draft {
  const net = clientNetwork(client);
  return draft(
    'ntpsec',
    `NTPsec on ${server}: serve ${net.cidr} (drop \`notrust\` and \`noserve\` for it; the most specific restrict line wins)`,
    [dropWordOnRestrictLines(NTPSEC.conf, 'notrust'), appendLine(NTPSEC.conf, `restrict ${net.cidr} nomodify nopeer noquery`), NTPSEC.restart],
    probeVerify(server, port),
  );
}

/** chronyd answers only clients an `allow` covers; others are ignored without a word (chrony.conf(5)). */
export function chronyAllowFix(server: string, client: string, port = NTP_PORT): Draft {
  const net = clientNetwork(client);
  return draft(
    'chrony',
    `chronyd on ${server}: allow ${net.cidr} (requests from networks no allow covers are ignored silently; Debian/Ubuntu: ${CHRONY_DEBIAN_CONF}; widen to your client network)`,
    [appendLine(CHRONY.conf, `allow ${net.cidr}`), CHRONY.restart],
    probeVerify(server, port),
  );
}
