import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { ValueSeen } from '../src/model/observation.js';
import { chronyAllowFix, ntpdRestrictFix, ntpsecRestrictFix } from './_lib/access.js';
import { fact, plural, type Source } from './_lib/evidence.js';
import { CHRONY, cmd, draft, type Draft, NTPD, op, probeVerify, ranked, target, words } from './_lib/fixes.js';
import { kissMeaning, realKisses } from './_lib/kiss.js';
import { byServer, serverPort } from './_lib/paths.js';

/** Codes rate-limited handles (it explains this rule's finding when both fire on one server). */
const RATE = 'RATE';
const ACCESS_CODES = new Set(['DENY', 'RSTR']);
const AUTH_CODES = new Set(['AUTH', 'CRYP', 'NKEY', 'AUTO', 'NTSN']);

/**
 * Kiss-o'-Death: a stratum-0 reply whose refid is a kiss code telling the client to stop or change something
 * (RFC 5905 §7.4). DENY/RSTR: access control; CRYP/AUTH/NKEY/NTSN: authentication. RATE is rate-limited's;
 * INIT/STEP are an unsynchronised server's state, server-unsynchronized's.
 */
export default defineRule({
  meta: {
    id: 'kiss-of-death',
    summary: "The server sends Kiss-o'-Death (DENY, RSTR, CRYP…): it refuses this client",
    severity: 'error',
    confidence: 0.95,
    priority: 21,
    why:
      "A stratum-0 reply with an ASCII refid is a Kiss-o'-Death (RFC 5905 §7.4). DENY and RSTR mean access control refuses " +
      'this client (ntpd/NTPsec send DENY for a `restrict` entry with `kod` plus `noserve` or `notrust`); CRYP, AUTH, NKEY and ' +
      'NTSN mean authentication failed. An RFC 5905 client stops polling that server (DENY/RSTR) until it is restarted.',
    references: ['RFC 5905 §7.4 (Kiss-o\'-Death, kiss codes)', 'RFC 8633 (NTP BCP: Kiss-o\'-Death packets)', 'ntp_acc(5) (restrict: kod, noserve, notrust)', 'RFC 8915 §5.7 (NTSN)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const seen: Array<{ source: Source; k: ValueSeen<string>; client: string }> = [];
      for (const p of paths) for (const k of realKisses(p)) if (k.value !== RATE) seen.push({ source: p.source, k, client: p.client.ip });
      if (seen.length === 0) continue;
      const codes = [...new Set(seen.map(({ k }) => k.value))];
      const evidence: Evidence[] = seen.map(({ source, k, client }) =>
        fact(source, `${plural(k.count, 'reply', 'replies')} to ${client} were Kiss-o'-Death ${k.value}: ${kissMeaning(k.value)}`, k),
      );
      const client = seen[0]!.client;
      const port = serverPort(paths);
      const verify = probeVerify(server, port);
      const drafts: Draft[] = [];
      if (codes.some((c) => ACCESS_CODES.has(c))) {
        drafts.push(ntpdRestrictFix(server, client, port), ntpsecRestrictFix(server, client, port), chronyAllowFix(server, client, port));
      }
      if (codes.some((c) => AUTH_CODES.has(c))) {
        drafts.push(
          draft('ntpd', `Use the same key on both ends: the key id and secret in /etc/ntp.keys, \`trustedkey\` on ${server}, \`server ${server} key N\` on the client`, [cmd('grep', '-n', '-e', 'trustedkey', '-e', 'key ', NTPD.conf), words('cat /etc/ntp.keys')], words('ntpq -pn'), `${server} selectable (reach rising)`),
          draft('chrony', `chrony client: look at its NTS/key state, align the key in /etc/chrony.keys, and restart to redo NTS-KE (NTSN: its cookies were rejected)`, [words('chronyc authdata'), CHRONY.restart], words('chronyc authdata'), 'NTS cookies or a key in use for the server'),
        );
      }
      if (drafts.length === 0) {
        drafts.push(draft('generic', `Ask ${server}'s operator what kiss code ${codes.join('/')} means for this client`, [cmd('ntpdoctor', 'probe', '--samples', '1', op(target(server, port)))], verify));
      }
      hits.push({
        subject: server,
        title: `${server} sends Kiss-o'-Death ${codes.join(', ')}: ${kissMeaning(codes[0] as string)}`,
        evidence,
        fixes: ranked(drafts),
      });
    }
    return hits;
  },
});
