import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpPathObservation } from '../src/model/observation.js';
import { fact, plural } from './_lib/evidence.js';
import { editSourceLines } from '../src/shell/sed.js';
import { appendLine, CHRONY, draft, type Draft, NTPD, probeVerify, ranked, words } from './_lib/fixes.js';
import { duration, percent } from './_lib/format.js';
import { byServer, clientNetwork, isIpv6, serverPort } from './_lib/paths.js';

/**
 * Request spacing below which servers' rate limits bite: chrony `ratelimit interval 3` (2^3 = 8 s average, burst 8)
 * and ntpd `discard average 3` (8 s) are the defaults; RFC 5905 clients poll no faster than 2^4 s (MINPOLL) — iburst
 * bursts aside.
 */
const FAST_INTERVAL_S = 8;
/** ntpd's `discard minimum` default: 2^1 = 2 s between two packets from one client. */
const HAMMER_INTERVAL_S = 2;

/**
 * The client polls faster than the server allows: ntpd with `restrict … limited kod` answers KoD RATE; chronyd's
 * `ratelimit` (and ntpd `limited` without `kod`) drops silently, so the replies thin out while the requests go on.
 */
export default defineRule({
  meta: {
    id: 'rate-limited',
    summary: 'The server rate-limits a client that polls too fast (KoD RATE, or replies that thin out)',
    severity: 'warning',
    confidence: 0.8,
    priority: 25,
    explains: ['kiss-of-death', 'no-response'],
    why:
      `Servers limit how often one client may ask: ntpd \`restrict … limited\` with \`discard average 3\` (8 s) answers KoD RATE when \`kod\` is set, ` +
      'and drops silently otherwise; chronyd, when given a `ratelimit` line (interval 3 = 8 s, burst 8 by default), always drops silently, letting ' +
      `through only a "leak" of about 1 in 4. Requests closer than ${FAST_INTERVAL_S} s apart and an answered share that falls from the first half ` +
      'of the requests to the second are the signature. Daemons poll every 64 s or more; a loop of ntpdate/ntpdig calls is the usual culprit.',
    references: [
      "RFC 5905 §7.4 (RATE), §7.3 (poll: MINPOLL 4)",
      'RFC 8633 (NTP BCP: rate limiting and Kiss-o\'-Death)',
      'ntp_acc(5) (restrict limited, kod; discard average/minimum)',
      'chrony.conf(5) (ratelimit)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      for (const p of paths) {
        const rate = p.kissCodes.find((k) => k.value === 'RATE');
        const thinning = !rate && thinsOut(p);
        if (!rate && !thinning) continue;
        const evidence: Evidence[] = [];
        const pace = paceText(p);
        evidence.push(fact(p.source, `${p.client.ip} sent ${plural(p.requests.count, 'request')} to ${server}${pace}`, p.requests));
        let severity: Hit['severity'] = 'warning';
        if (rate) {
          evidence.push(fact(p.source, `${plural(rate.count, 'reply', 'replies')} to ${p.client.ip} were Kiss-o'-Death RATE: slow down`, rate));
          if (rate.count * 2 >= p.replies.count) severity = 'error';
        } else {
          const first = p.answeredFirstHalf ?? 0;
          const second = p.answeredSecondHalf ?? 0;
          evidence.push(
            fact(
              p.source,
              `${server} answered ${plural(p.replies.count, 'request')} of ${p.requests.count}` +
                (p.answeredFirstHalf !== undefined ? ` (${percent(first)} of the first half, ${percent(second)} of the second)` : '') +
                ': the rest got nothing, not even a KoD (chrony ratelimit, or ntpd limited without kod)',
              p.unanswered,
            ),
          );
          // The client is effectively cut off once its later requests go (almost) unanswered.
          if ((p.answeredSecondHalf ?? p.replies.count / p.requests.count) < 0.25) severity = 'error';
        }
        const hit: Hit = {
          subject: server,
          title: `${server} rate-limits ${p.client.ip}${rate ? ' (Kiss-o\'-Death RATE)' : ` (${percent(p.replies.count / p.requests.count)} of its requests answered)`}: it polls too fast`,
          evidence,
          fixes: ranked(fixesFor(server, p.client.ip, p.server.port)),
          severity,
        };
        if (thinning) hit.confidence = 0.7;
        else hit.confidence = 0.95;
        hits.push(hit);
      }
    }
    return hits;
  },
});

/**
 * A silent rate limit, not random loss: requests come fast and either the answered share falls from the first half
 * to the second (a burst allowance used up), or the client hammers (under HAMMER_INTERVAL_S on average) and only
 * part of its requests are answered. Measured here: chronyd `ratelimit interval 1 burst 2` against 16 ntpdig
 * queries 0.66 s apart answered 62% of the first half, 38% of the second.
 */
function thinsOut(p: NtpPathObservation): boolean {
  if (p.unanswered.count === 0 || p.replies.count === 0) return false;
  if (p.minRequestInterval === undefined || p.minRequestInterval >= FAST_INTERVAL_S) return false;
  const first = p.answeredFirstHalf;
  const second = p.answeredSecondHalf;
  if (first !== undefined && second !== undefined && first >= 0.5 && first - second >= 0.25) return true;
  const average = averageInterval(p);
  const answered = p.replies.count / p.requests.count;
  return p.requests.count >= 6 && average !== undefined && average < HAMMER_INTERVAL_S && answered < 0.9;
}

function averageInterval(p: NtpPathObservation): number | undefined {
  if (p.requests.count < 2 || !(p.lastRequestTime > p.firstRequestTime)) return undefined;
  return (p.lastRequestTime - p.firstRequestTime) / (p.requests.count - 1);
}

function paceText(p: NtpPathObservation): string {
  const parts: string[] = [];
  if (p.minRequestInterval !== undefined) parts.push(`as often as every ${duration(p.minRequestInterval)}`);
  const average = averageInterval(p);
  if (average !== undefined) parts.push(`${duration(average)} apart on average`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

function fixesFor(server: string, client: string, port: number): Draft[] {
  const verify = probeVerify(server, port);
  const slowDown = (file: string) => editSourceLines(file, server, '[[:space:]]+(minpoll -?[0-5]|burst)\\b', `delete "minpoll 0-5" and "burst" from the server/pool/peer lines naming ${server}`);
  const net = clientNetwork(client);
  const restrictLine = isIpv6(client)
    ? `restrict ${net.address} nomodify notrap nopeer noquery`
    : `restrict ${net.address} mask ${net.mask} nomodify notrap nopeer noquery`;
  return [
    draft('chrony', `chronyd on ${client}: poll ${server} at the default pace (drop minpoll below 6 and burst; keep iburst)`, [slowDown(CHRONY.conf), CHRONY.restart], words('chronyc sources'), `${server} polled every 64 s or more`),
    draft('ntpd', `ntpd on ${client}: poll ${server} at the default pace (drop minpoll below 6 and burst; keep iburst)`, [slowDown(NTPD.conf), NTPD.restart], words('ntpq -pn'), `${server} polled every 64 s or more`),
    draft(
      'generic',
      `On ${client}: a script or cron job calling ntpdate/ntpdig/sntp in a loop? Run it every few minutes at most, or let a daemon keep time`,
      [words('crontab -l'), words('grep -rn -e ntpdate -e ntpdig -e sntp /etc/crontab /etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/systemd/system')],
      verify,
    ),
    draft(
      'ntpd',
      `ntpd on ${server}: exempt ${net.cidr} from the limit (a more specific restrict line without limited/kod wins)`,
      [appendLine(NTPD.conf, restrictLine), NTPD.restart],
      verify,
    ),
    draft('chrony', `chronyd on ${server}: let clients ask more often (average 2 s, bursts of 16)`, [appendLine(CHRONY.conf, 'ratelimit interval 1 burst 16'), CHRONY.restart], verify),
  ];
}
