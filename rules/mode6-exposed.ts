import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { ControlObservation } from '../src/model/observation.js';
import { fact, note, plural } from './_lib/evidence.js';
import { append, cmd, draft, NTPD, NTPSEC, op, ranked, words } from './_lib/fixes.js';
import { isLoopbackIp } from './_lib/paths.js';

/** ntpd's mode 7 request code for MON_GETLIST_1: `ntpdc -c monlist`, the CVE-2013-5211 amplifier. */
const MONLIST = 42;

/**
 * A server that answers mode 6 (ntpq) or mode 7 (ntpdc) queries from the network: it leaks its state and peers,
 * and with mode 7 monlist it is a DDoS amplifier (CVE-2013-5211). Queries from the server itself are fine.
 */
export default defineRule({
  meta: {
    id: 'mode6-exposed',
    summary: 'The server answers ntpq (mode 6) or ntpdc/monlist (mode 7) queries from the network',
    severity: 'warning',
    confidence: 0.9,
    priority: 60,
    why:
      'Mode 6 (ntpq) and mode 7 (ntpdc) are management protocols: answering them to the network leaks the server\'s state, ' +
      'peers and clients, and mode 7 `monlist` returns up to 600 addresses for one small request — the CVE-2013-5211 ' +
      'reflection/amplification attack. The NTP BCP (RFC 8633) says to restrict both to the host itself: `restrict default … noquery`, ' +
      'and `disable monitor` on classic ntpd (ntp 4.2.7p26 and later dropped monlist).',
    references: ['RFC 8633 (NTP BCP: Mode 6 and 7)', 'RFC 9327 (NTP control messages)', 'CVE-2013-5211', 'ntp_acc(5) (restrict noquery)', 'ntp_misc(5) (disable monitor)'],
  },
  match(ctx) {
    const byServer = new Map<string, ControlObservation[]>();
    for (const c of ctx.of('ntp-control')) {
      if (c.responses.count === 0 || isLoopbackIp(c.client) || c.client === c.server) continue;
      const list = byServer.get(c.server);
      if (list) list.push(c);
      else byServer.set(c.server, [c]);
    }
    const hits: Hit[] = [];
    for (const [server, list] of byServer) {
      const evidence: Evidence[] = list.map((c) => {
        const what = c.mode === 7 ? `mode 7 (ntpdc${c.codes.includes(MONLIST) ? ', monlist' : ''})` : 'mode 6 (ntpq)';
        const amp = c.requestBytes > 0 ? `: ${c.responseBytes} bytes out for ${c.requestBytes} in (×${(c.responseBytes / c.requestBytes).toFixed(1)})` : '';
        return fact(c.source, `${server} answered ${plural(c.requests.count, 'request')} from ${c.client} in ${what} with ${plural(c.responses.count, 'response')}${amp}`, c.responses);
      });
      const monlist = list.some((c) => c.mode === 7 && c.codes.includes(MONLIST));
      const mode7 = list.some((c) => c.mode === 7);
      if (monlist) evidence.push(note('monlist answers to the network make the server a reflection/amplification tool (CVE-2013-5211)'));
      const verify = mode7 ? cmd('ntpdc', '-n', '-c', 'sysinfo', op(server)) : cmd('ntpq', '-c', 'rv', op(server));
      const timesOut = 'run from another host: it must time out';
      const fixes = ranked([
        draft(
          'ntpd',
          `ntpd on ${server}: refuse queries except from the host itself, and turn off the monitor list (check existing restrict default lines first)`,
          [
            append(NTPD.conf, 'restrict default kod nomodify notrap nopeer noquery'),
            append(NTPD.conf, 'restrict -6 default kod nomodify notrap nopeer noquery'),
            append(NTPD.conf, 'restrict 127.0.0.1'),
            append(NTPD.conf, 'restrict ::1'),
            append(NTPD.conf, 'disable monitor'),
            NTPD.restart,
          ],
          verify,
          timesOut,
        ),
        draft('ntpsec', `NTPsec on ${server}: refuse queries except from the host itself (NTPsec has no mode 7 at all)`, [append(NTPSEC.conf, 'restrict default kod nomodify nopeer noquery limited'), append(NTPSEC.conf, 'restrict 127.0.0.1'), append(NTPSEC.conf, 'restrict ::1'), NTPSEC.restart], cmd('ntpq', '-c', 'rv', op(server)), timesOut),
        draft('ntpd', `Upgrade ntpd on ${server} to 4.2.8 or later: monlist is gone since 4.2.7p26 (CentOS/RHEL; Debian/Ubuntu: apt-get install --only-upgrade ntp)`, [words('yum update ntp'), NTPD.restart], words('ntpq -c version'), 'ntpd 4.2.8 or later'),
      ]);
      hits.push({
        subject: server,
        title: `${server} answers ${monlist ? 'monlist (mode 7) — a CVE-2013-5211 amplifier —' : mode7 ? 'ntpdc (mode 7)' : 'ntpq (mode 6)'} queries from the network`,
        evidence,
        fixes,
      });
    }
    return hits;
  },
});
