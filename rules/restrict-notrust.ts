import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { Located } from '../src/model/config.js';
import { note } from './_lib/evidence.js';
import { dropWordOnLine } from '../src/shell/sed.js';
import { draft, ranked } from './_lib/fixes.js';
import { clientProbe, daemonName, lineEvidence, platformOf, restartOf, sourcesCommand } from './_lib/node.js';

/**
 * `restrict ... notrust` covering clients (or the node's own servers). Since ntp 4.2 it means "ignore every packet
 * that is not cryptographically authenticated"; in 4.1 it meant "do not trust for time". Old how-tos still write it:
 * the second seed write-up's `Server dropped: no data`.
 */
export default defineRule({
  meta: {
    id: 'restrict-notrust',
    summary: '`restrict ... notrust` (ntp ≥ 4.2): only authenticated packets are served, unauthenticated clients get nothing',
    severity: 'error',
    confidence: 0.9,
    priority: 16,
    why:
      'The meaning of notrust changed between ntp 4.1 and 4.2: it used to mean "do not use this host as a time source"; ' +
      'since 4.2 (and in NTPsec) it means "ignore all NTP packets that are not cryptographically authenticated". ' +
      'Clients without a shared key get no answer at all (ntpdate: "Server dropped: no data"), and a notrust entry ' +
      "covering the node's own servers makes it ignore their replies unless the server line has `key N`.",
    references: ['ntp_acc(5) (restrict ... notrust)', 'ntp.org "Access Control Support" (notrust changed in 4.2)', 'ntp_auth(5) (keys, trustedkey)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of ctx.of('ntpd-config')) {
      const byLine = new Map<string, { at: Located; clients: string[]; servers: string[] }>();
      const entry = (at: Located) => {
        const key = `${at.file}:${at.line}`;
        let e = byLine.get(key);
        if (!e) byLine.set(key, (e = { at, clients: [], servers: [] }));
        return e;
      };
      for (const a of o.clientAccess) if (a.served && a.by && a.flags.includes('notrust')) entry(a.by).clients.push(a.network);
      // The source's `key` travels with its access entry: no search of the sources per entry (100 k lines stay linear).
      for (const s of o.serverAccess) if (s.by && s.flags.includes('notrust') && s.key === undefined) entry(s.by).servers.push(s.address);
      const keyed = o.config.trustedKeys.length > 0;
      for (const { at, clients, servers } of byLine.values()) {
        const evidence: Evidence[] = [lineEvidence(at, `\`${at.text}\`: notrust`)];
        if (clients.length) evidence.push(note(`It decides for clients on ${clients.join(', ')}: they get no answer unless their requests are authenticated`));
        if (servers.length) evidence.push(note(`It also covers this node's own server(s) ${servers.join(', ')}, whose lines have no \`key\`: their replies are ignored`));
        if (keyed) evidence.push(note(`trustedkey ${o.config.trustedKeys.join(' ')} is set: fine only if every client and server authenticates with one of those keys`));
        const who = [clients.length ? `clients on ${clients.join(', ')}` : '', servers.length ? `its servers ${servers.join(', ')}` : ''].filter(Boolean).join(' and ');
        const hit: Hit = {
          subject: o.config.file,
          title: `${at.file}:${at.line}: \`notrust\` makes ${daemonName(o)} ignore unauthenticated packets from ${who}`,
          evidence,
          fixes: ranked([
            draft(
              platformOf(o),
              `Remove notrust from line ${at.line} (it meant "do not trust for time" before ntp 4.2; it now means "authenticated packets only")`,
              [dropWordOnLine(at.file, at.line, 'notrust'), restartOf(o)],
              sourcesCommand(o),
              `sources reachable; ${clientProbe(ctx)}`,
            ),
          ]),
        };
        if (keyed) {
          hit.severity = 'info';
          hit.confidence = 0.5;
        }
        hits.push(hit);
      }
    }
    return hits;
  },
});
