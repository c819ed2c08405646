import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpdConfigObservation } from '../src/model/node.js';
import { note } from './_lib/evidence.js';
import { appendLine, cmd, draft, type Draft, op, probeVerify, ranked } from './_lib/fixes.js';
import { parseAddress, parsePrefix, prefixContains } from '../src/net/ip.js';
import { daemonName, lineEvidence, ownAddressIn, platformOf, restartOf, serverIntent } from './_lib/node.js';

/**
 * ntpd / NTPsec `restrict` with `ignore` or `noserve` decides for the network the clients are on, on a node that
 * is meant to serve them (a local clock, a restrict line for some client network, an opened firewall): typically
 * `restrict default ignore` without a more specific line for the LAN. Clients get silence.
 */
export default defineRule({
  meta: {
    id: 'restrict-blocks-clients',
    summary: '`restrict ... ignore`/`noserve` covers the client network: the server never answers them',
    severity: 'error',
    confidence: 0.85,
    priority: 17,
    why:
      'ntpd looks up every incoming packet in the restrict list and applies the single most specific matching entry ' +
      '(flags do not add up). `ignore` drops every packet and `noserve` every time request, silently: clients see no ' +
      'reply and no ICMP (a timeout; ntpdate "no data"). A client network needs its own, more specific line such as ' +
      '`restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap`.',
    references: ['ntp_acc(5) (restrict, ignore, noserve)', 'ntp.org Access Control Support (most specific match)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of ctx.of('ntpd-config')) {
      const intent = serverIntent(ctx, o);
      for (const a of o.clientAccess) {
        if (a.served || !a.by) continue;
        const [address = '', len = '32'] = a.network.split('/');
        // A line that names this very network with ignore/noserve is a deliberate block, not an accident.
        if (a.by.text.split(/\s+/).some((w) => w === address || w === a.network)) continue;
        if (intent.length === 0) continue;
        const flag = a.flags.includes('ignore') ? 'ignore' : 'noserve';
        const own = ownAddressIn(ctx.of('local-addresses').flatMap((l) => l.addresses), a.network);
        const v6 = address.includes(':');
        const line = v6 ? `restrict ${a.network} nomodify nopeer noquery` : `restrict ${address} mask ${maskOf(Number(len))} nomodify notrap nopeer noquery`;
        const evidence: Evidence[] = [
          lineEvidence(a.by, `\`${a.by.text}\` is the most specific entry for ${a.network}: ${flag}`),
          note(`Clients on ${a.network} (${a.why === 'interface' ? 'this node\'s own network' : 'a network the config names'}) get no answer at all: no reply, no ICMP`),
          ...intent.slice(0, 2),
        ];
        hits.push({
          subject: o.config.file,
          title: `${a.by.file}:${a.by.line}: \`${a.by.text}\` stops ${daemonName(o)} from serving clients on ${a.network}`,
          evidence,
          fixes: ranked([serveFix(o, a.network, own, line)]),
        });
      }
    }
    return hits;
  },
});

/**
 * The restrict line that serves `network`, then the check from a client there: a probe of this node's own address on
 * that network when it is known (a command to paste as it stands); else (lint of a file alone knows no address of the
 * node's) the line checked in the file, and the client's probe in words: `ip -brief address show to NETWORK` on this
 * node names the address to probe. Never a placeholder for it.
 */
function serveFix(o: NtpdConfigObservation, network: string, own: string | undefined, line: string): Draft {
  const served = o.variant === 'ntpsec' ? `restrict ${network} nomodify nopeer noquery` : line;
  const commands = [appendLine(o.config.file, served), restartOf(o)];
  const title = `Add a more specific restrict line that serves ${network} (the most specific entry wins; queries and changes stay closed)`;
  if (own) return draft(platformOf(o), title, commands, probeVerify(own), `replies, when run from a client on ${network}`);
  return draft(
    platformOf(o),
    title,
    commands,
    cmd('grep', '-n', '^restrict', op(o.config.file)),
    `the line \`${served}\` listed; then a probe of this node from a client on ${network} (ntpdoctor probe, with the address \`ip -brief address show to ${network}\` prints here) gets replies`,
  );
}

/** 24 → 255.255.255.0. */
function maskOf(len: number): string {
  const n = len <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, len))) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

