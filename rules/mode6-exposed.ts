import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, Severity } from '../src/diagnose/types.js';
import type { ControlObservation } from '../src/observe/types.js';
import { fact, note, plural } from './_lib/evidence.js';
import { append, cmd, draft, NTPD, NTPSEC, op, ranked, words } from './_lib/fixes.js';
import { isLoopback } from './_lib/paths.js';
import { prefixLength, sameSubnet } from './_lib/subnet.js';

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
      'and `disable monitor` on classic ntpd (ntp 4.2.7p26 and later dropped monlist). Weighed by what was answered (JSON `reason`): ' +
      'mode 7 at all → error (mode7-answered); mode 6 to a client outside the server\'s /24 or /64 → warning (mode6-other-network: ' +
      'a heuristic, a capture carries no netmask); mode 6 only inside it → info (mode6-same-subnet: a LAN restrict line may allow it on purpose).',
    references: ['RFC 8633 (NTP BCP: Mode 6 and 7)', 'RFC 9327 (NTP control messages)', 'CVE-2013-5211', 'ntp_acc(5) (restrict noquery)', 'ntp_misc(5) (disable monitor)'],
  },
  match(ctx) {
    const byServer = new Map<string, ControlObservation[]>();
    for (const c of ctx.of('ntp-control')) {
      if (c.responses.count === 0 || isLoopback(c.client) || c.client === c.server) continue;
      const list = byServer.get(c.server);
      if (list) list.push(c);
      else byServer.set(c.server, [c]);
    }
    const hits: Hit[] = [];
    for (const [server, list] of byServer) {
      const evidence: Evidence[] = list.map((c) => {
        const what = c.mode === 7 ? `mode 7 (ntpdc${c.codes.includes(MONLIST) ? ', monlist' : ''})` : 'mode 6 (ntpq)';
        const amp = c.requestBytes > 0 ? `: ${c.responseBytes} bytes out for ${c.requestBytes} in (×${(c.responseBytes / c.requestBytes).toFixed(1)})` : '';
        const where = c.mode === 6 ? (sameSubnet(c.client, server) ? ' (same subnet)' : ' (another network)') : '';
        return fact(c.source, `${server} answered ${plural(c.requests.count, 'request')} from ${c.client}${where} in ${what} with ${plural(c.responses.count, 'response')}${amp}`, c.responses);
      });
      const judged = judge(server, list);
      evidence.push(note(judged.because));
      const mode7 = judged.reason === 'mode7-answered';
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
      hits.push({ subject: server, title: judged.title, evidence, fixes, severity: judged.severity, reason: judged.reason });
    }
    return hits;
  },
});

/** Why the finding has the weight it has; `reason` goes into the JSON report as is. */
export type Mode6Reason = 'mode7-answered' | 'mode6-other-network' | 'mode6-same-subnet';

interface Judged {
  reason: Mode6Reason;
  severity: Severity;
  title: string;
  because: string;
}

/**
 * The weight, worst client first. Mode 7 answered at all is an error: monlist (CVE-2013-5211) is the famous
 * amplifier, and a server that answers any implementation request (ntpdc) runs the mode 7 code that ntp 4.2.7p230
 * and later switch off by default. Mode 6 answered to another network leaks state and peers: a warning. Mode 6 to
 * the server's own subnet is what the seed's LAN `restrict` line allows on purpose: info. "Own subnet" is a /24 or
 * /64 guess (rules/_lib/subnet.ts), and the sentence says so.
 */
export function judge(server: string, list: readonly ControlObservation[]): Judged {
  const m7 = list.filter((c) => c.mode === 7);
  if (m7.length > 0) {
    const monlist = m7.some((c) => c.codes.includes(MONLIST));
    const inBytes = m7.reduce((n, c) => n + c.requestBytes, 0);
    const outBytes = m7.reduce((n, c) => n + c.responseBytes, 0);
    const amplifies = inBytes > 0 && outBytes > inBytes;
    return {
      reason: 'mode7-answered',
      severity: 'error',
      title: monlist && amplifies ? `${server} answers monlist (mode 7) — a CVE-2013-5211 amplifier — to the network` : `${server} answers ntpdc (mode 7) requests from the network: mode 7 is on (the CVE-2013-5211 monlist attack surface)`,
      because:
        monlist && amplifies
          ? 'monlist answers to the network make the server a reflection/amplification tool (CVE-2013-5211)'
          : `mode 7 is on: ${outBytes} bytes of answers for ${inBytes} bytes of requests${monlist ? ' (monlist answered without data, as ntp ≥ 4.2.7p26 does)' : ''}; any mode 7 answer to the network is the CVE-2013-5211 attack surface — turn mode 7 off`,
    };
  }
  const outside = list.filter((c) => !sameSubnet(c.client, server));
  const len = prefixLength(server);
  if (outside.length > 0) {
    const who = outside.length === 1 ? outside[0]!.client : `${outside.length} clients`;
    return {
      reason: 'mode6-other-network',
      severity: 'warning',
      title: `${server} answers ntpq (mode 6) queries from another network (${who})`,
      because: `${who} is not in ${server}'s ${len} (a heuristic: a capture carries no netmask): mode 6 answers leak the server's state, peers and clients beyond its own network`,
    };
  }
  return {
    reason: 'mode6-same-subnet',
    severity: 'info',
    title: `${server} answers ntpq (mode 6) queries from its own subnet: allowed by design? make sure \`restrict default noquery\` covers everyone else`,
    because: `every client that was answered is in ${server}'s ${len} (a heuristic: a capture carries no netmask), which a LAN restrict line without noquery allows on purpose`,
  };
}
