import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, Platform, RuleContext } from '../src/diagnose/types.js';
import type { DaemonSource, NtsKeObservation } from '../src/model/daemon.js';
import { note } from './_lib/evidence.js';
import { appendLine, cmd, draft, type Draft, op, ranked, words } from './_lib/fixes.js';
import { configs, lineEvidence, restartOf, type ConfigObservation } from './_lib/node.js';
import { wireServers, wireVerdict } from './_lib/nts-wire.js';

/** An IPv4 or IPv6 literal (what a resolver returns), never a name or config text: safe inside a command. */
function isAddressLiteral(s: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(s) || (/^[0-9a-fA-F:.]+$/.test(s) && s.includes(':'));
}

/** RFC 8915 §4: NTS-KE runs on TCP 4460 unless the config names another port (chrony `ntsport`). */
const KE_PORT = 4460;

/** One NTS source as configured: chrony or ntpsec `server NAME nts`, one entry per address it resolved to. */
interface NtsSource {
  address: string;
  name?: string;
  config?: ConfigObservation;
  at?: { file: string; line: number; text: string };
  port: number;
}

/**
 * What one kind of evidence says about key establishment with one source. Each witness is independent, so a new
 * kind (issue 13: the TCP 4460 packets of a capture) is one more function in WITNESSES.
 *   cause: why it fails, when this witness can tell; failing: KE does not complete; ok: KE completes.
 */
interface Verdict {
  failing: boolean;
  cause?: Cause;
  evidence: Evidence[];
  /** How much this witness alone is worth (0..1). */
  weight: number;
  /** It tells of the past (a log line): outweighed by any witness that shows key establishment working now. */
  past?: boolean;
}

type Cause = 'blocked' | 'timeout' | 'untrusted' | 'clock' | 'expired' | 'name' | 'not-nts-ke' | 'server-error' | 'no-ntp-after-ke';

type Witness = (ctx: RuleContext, s: NtsSource) => Verdict | undefined;

/** chronyc -N authdata (chronyc(1)): KeyID 0 and no cookies after an attempt = no NTS-KE has completed. */
const authdataWitness: Witness = (ctx, s) => {
  const found = ctx
    .of('daemon-state')
    .flatMap((st) => st.sources)
    .find((d): d is DaemonSource & { auth: NonNullable<DaemonSource['auth']> } => d.address === s.address && d.auth?.mode === 'NTS');
  if (!found) return undefined;
  const a = found.auth;
  const text = `NTS state in chronyc -N authdata: ${found.name ?? s.name ?? s.address} (${s.address}) NTS, KeyID ${a.keyId}, ${a.cookies} cookie(s), ${a.attempts} NTS-KE attempt(s) since the last success, last KE ${a.lastKe === undefined ? 'never' : `${a.lastKe} s ago`}${a.naks ? `, ${a.naks} NAK(s)` : ''}`;
  if (a.cookies > 0) return { failing: false, evidence: [note(text)], weight: 0.9 };
  // No attempt yet (just started): nothing to say.
  if (a.attempts === 0) return undefined;
  return { failing: true, evidence: [note(`${text}: key establishment has not completed, so chronyd sends this source nothing`)], weight: 0.8 };
};

const PROBE_CAUSE: Record<NtsKeObservation['outcome'], Cause | undefined> = {
  refused: 'blocked',
  unreachable: 'blocked',
  timeout: 'timeout',
  reset: 'not-nts-ke',
  tls: 'not-nts-ke',
  alpn: 'not-nts-ke',
  untrusted: 'untrusted',
  expired: 'expired',
  'not-yet-valid': 'expired',
  'name-mismatch': 'name',
  'ke-error': 'server-error',
  ok: undefined,
};

/** A certificate that starts after this node's clock by more than a day, or ends before it: the clock is the suspect. */
function clockSuspect(o: NtsKeObservation): string | undefined {
  const c = o.certificate;
  if (!c || o.checkedAt === undefined) return undefined;
  const from = Date.parse(c.validFrom) / 1000;
  const to = Date.parse(c.validTo) / 1000;
  const now = new Date(o.checkedAt * 1000).toISOString();
  // RFC 8915 §8.1 (bootstrapping): a clock before the certificate's start cannot validate it; chrony answers
  // with `nocerttimecheck`. A node clock before 2020 is a lost RTC (a Raspberry Pi boots in 1970 or at its last shutdown).
  if (o.outcome === 'not-yet-valid' && Number.isFinite(from)) return `this node's clock reads ${now}, before the certificate's start (${c.validFrom})`;
  if (o.outcome === 'expired' && Number.isFinite(to) && o.checkedAt < Date.UTC(2020, 0, 1) / 1000) return `this node's clock reads ${now}`;
  return undefined;
}

/** ntpdoctor's own NTS-KE probe of the same address and port (src/probe/nts-ke.ts). */
const probeWitness: Witness = (ctx, s) => {
  const o = ctx.of('nts-ke').find((x) => x.address === s.address && x.port === s.port);
  if (!o) return undefined;
  const where = `${s.address}:${o.port}`;
  if (o.outcome === 'ok') return { failing: false, evidence: [note(`ntpdoctor's NTS-KE with ${where}: ${o.detail}`)], weight: 0.95 };
  const evidence: Evidence[] = [note(`ntpdoctor's NTS-KE with ${where} (${o.stage}, ${o.ms} ms): ${o.outcome}: ${o.detail}`)];
  const c = o.certificate;
  if (c && o.stage !== 'ok') evidence.push(note(`certificate: subject ${c.subject || '(none)'}, issuer ${c.issuer || '(none)'}${c.selfSigned ? ' (self-signed)' : ''}, ${c.altNames || 'no subjectAltName'}, valid ${c.validFrom} to ${c.validTo}`));
  if (o.outcome === 'untrusted' || o.outcome === 'name-mismatch') {
    evidence.push(note(`checked against ${o.trust.files.length ? o.trust.files.join(', ') : 'no ntstrustedcerts file'}${o.trust.system ? ' and the system CA store' : ' only (nosystemcert)'}${o.trust.unreadable.length ? `; could not read ${o.trust.unreadable.join(', ')}` : ''}`));
  }
  let cause = PROBE_CAUSE[o.outcome];
  const suspect = clockSuspect(o);
  if (suspect) {
    cause = 'clock';
    evidence.push(note(suspect));
  }
  return { failing: true, ...(cause ? { cause } : {}), evidence, weight: 0.95 };
};

const LOG_CAUSE: Record<string, Cause> = { connect: 'blocked', timeout: 'timeout', certificate: 'untrusted', tls: 'not-nts-ke' };

/**
 * chronyd's journal: "Could not connect to A:4460 (NAME) : Connection refused", "TLS handshake with … failed : …
 * certificate …", "NTS-KE session with … timed out". A past line says it failed then; the other witnesses say now.
 */
const logWitness: Witness = (ctx, s) => {
  const lines = ctx.of('daemon-state').flatMap((st) => st.ntsLog ?? []).filter((l) => l.address === s.address);
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  // GnuTLS words a clock outside the validity as "expired" / "not yet activated".
  const cause = last.kind === 'certificate' && /expired|not yet (?:valid|activated)/i.test(last.text) ? 'expired' : LOG_CAUSE[last.kind];
  const evidence = lines.map((l) => note(`chronyd's log: ${l.text}`));
  return { failing: true, past: true, ...(cause ? { cause } : {}), evidence, weight: 0.7 };
};

/** The capture's TCP 4460 connections to the same address and port (rules/_lib/nts-wire.ts). */
const wireWitness: Witness = (ctx, s) => wireVerdict(ctx.of('nts-ke-session'), s.address, s.port);

/** Every kind of evidence, in the order its sentences are shown: node (probe, daemon state, log) and wire. */
const WITNESSES: readonly Witness[] = [probeWitness, wireWitness, authdataWitness, logWitness];

function ntsSources(ctx: RuleContext): NtsSource[] {
  const out: NtsSource[] = [];
  for (const o of configs(ctx)) {
    for (const s of o.config.sources) {
      if (s.refclock || !s.options.includes('nts')) continue;
      const i = s.options.indexOf('ntsport');
      const p = i >= 0 ? Number(s.options[i + 1]) : KE_PORT;
      const port = Number.isInteger(p) && p > 0 && p < 65536 ? p : KE_PORT;
      for (const address of s.resolved ?? []) {
        if (out.some((x) => x.address === address)) continue;
        const src: NtsSource = { address, config: o, at: { file: s.file, line: s.line, text: s.text }, port };
        if (!isAddressLiteral(s.address)) src.name = s.address;
        out.push(src);
      }
    }
  }
  // Servers a capture saw NTS-KE with (no config at all when analysing a capture file).
  for (const w of wireServers(ctx.of('nts-ke-session'))) {
    if (!out.some((x) => x.address === w.address && x.port === w.port)) out.push({ address: w.address, port: w.port });
  }
  // Sources the daemon authenticates with NTS whose config was not read (no --config, unreadable file).
  for (const st of ctx.of('daemon-state')) {
    for (const d of st.sources) {
      if (d.auth?.mode !== 'NTS' || out.some((x) => x.address === d.address)) continue;
      out.push({ address: d.address, ...(d.name !== undefined ? { name: d.name } : {}), port: KE_PORT });
    }
  }
  return out;
}

const TITLE: Record<Cause, string> = {
  blocked: 'TCP port refused or rejected (nothing listens, or a firewall rejects it)',
  timeout: 'no answer on the TCP port (a firewall drops it, or the host is down)',
  untrusted: 'its certificate is not trusted here',
  clock: "this node's clock is outside the certificate's validity",
  expired: 'its certificate is expired or not yet valid',
  name: 'its certificate does not carry the configured name',
  'not-nts-ke': 'the TLS handshake fails (not an NTS-KE server on that port, or no TLS 1.3 / ntske/1)',
  'server-error': 'the server refuses the NTS-KE request',
  'no-ntp-after-ke': 'it completes, but no NTP request follows (an NTS-KE error or no cookies)',
};

/** A fix command may carry the address only when it is a literal address (never config text). */
function safeAddress(s: NtsSource): string | undefined {
  return isAddressLiteral(s.address) ? s.address : undefined;
}

function firewallFixes(s: NtsSource): Draft[] {
  const port = String(s.port);
  const on = `On the NTS server ${s.name ?? s.address}`;
  const verify = words('ntpdoctor diagnose');
  const expect = 'the NTS-KE step says ok; chronyc -N authdata shows cookies';
  const listening = cmd('ss', '-ltnp', `sport = :${port}`);
  return [
    draft('generic', `${on}: check that its daemon listens on TCP ${port} (chronyd does only with ntsserverkey and ntsservercert)`, [listening], listening, 'a LISTEN line'),
    draft('firewalld', `${on}: allow TCP ${port} in firewalld (the ntp service opens UDP 123 only)`, [cmd('firewall-cmd', '--permanent', `--add-port=${port}/tcp`), words('firewall-cmd --reload')], verify, expect),
    draft('nftables', `${on}: accept TCP ${port} in nftables (table inet filter, chain input are the common defaults: check with nft list ruleset)`, [cmd('nft', 'insert', 'rule', 'inet', 'filter', 'input', 'tcp', 'dport', port, 'accept')], verify, expect),
    draft('iptables', `${on}: accept TCP ${port} ahead of the REJECT/DROP rule and save (Debian/Ubuntu: netfilter-persistent save)`, [cmd('iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', port, '-j', 'ACCEPT'), words('service iptables save')], verify, expect),
  ];
}

function inspectCert(s: NtsSource): Draft {
  const addr = safeAddress(s);
  // openssl s_client waits for input after printing the chain: end it with Ctrl-C (src/shell prints no redirections of stdin).
  const show = addr
    ? cmd('openssl', 's_client', '-connect', op(`${addr.includes(':') ? `[${addr}]` : addr}:${s.port}`), '-alpn', 'ntske/1', '-showcerts')
    : words('chronyc -N authdata');
  return draft('generic', `Look at the certificate chain the server sends${s.name ? ` (it must name ${s.name})` : ' (its subjectAltName must carry the name or address the client\'s server line uses)'}${addr ? '; end openssl with Ctrl-C once the chain is shown' : ''}`, [show], words('ntpdoctor diagnose'));
}

function fixesFor(cause: Cause | undefined, s: NtsSource): Draft[] {
  const o = s.config;
  const platform: Platform = o?.kind === 'chrony-config' ? 'chrony' : o?.kind === 'ntpd-config' ? 'ntpsec' : 'generic';
  const restart = o ? restartOf(o) : words('systemctl restart chronyd');
  const chronyVerify = o?.kind === 'chrony-config' || !o;
  const verify = chronyVerify ? words('chronyc -N authdata') : words('ntpq -c nts');
  const expect = chronyVerify ? 'Cook > 0, KeyID not 0' : 'cookies for the source';
  switch (cause) {
    case 'blocked':
    case 'timeout':
    case undefined:
      return firewallFixes(s);
    case 'untrusted':
      return [
        inspectCert(s),
        o?.kind === 'ntpd-config'
          ? draft('ntpsec', 'Trust the server\'s CA: save its certificate as /etc/ntpsec/nts-ca.pem, then name it with `ca` on the server line', [restart], verify, expect)
          : draft(platform, "Trust the server's CA: save its CA certificate (a private CA, or the self-signed certificate itself) as /etc/chrony/nts-ca.crt first", [appendLine(o ? o.config.file : '/etc/chrony/chrony.conf', 'ntstrustedcerts /etc/chrony/nts-ca.crt'), restart], verify, expect),
        draft('generic', 'Or install the CA into the system store (Debian/Ubuntu: copy it to /usr/local/share/ca-certificates/ with a .crt name)', [words('update-ca-certificates')], verify, expect),
      ];
    case 'clock':
      return [
        o?.kind === 'chrony-config'
          ? draft('chrony', "Let chronyd skip the certificates' time check until its first clock update (chrony.conf(5) nocerttimecheck). Risk: for that first update an expired or not-yet-valid certificate is accepted, so a stolen old key could set this clock; use it only on a node without a working RTC", [appendLine(o.config.file, 'nocerttimecheck 1'), restart], verify, expect)
          : draft(platform, 'Set this clock roughly right once from a source you trust (the certificate cannot be checked with a clock this far off), then restart the daemon', [words('timedatectl status'), restart], verify, expect),
        draft('generic', 'Keep the clock across reboots: a working RTC, or fake-hwclock on boards without one', [words('timedatectl status')], words('timedatectl status'), 'RTC time close to Universal time'),
      ];
    case 'expired':
      return [inspectCert(s), draft('generic', `On the NTS server ${s.name ?? s.address}: renew its certificate (certbot renew, or a new one from your CA), then restart its daemon`, [words('certbot renew')], verify, expect)];
    case 'name':
      return [inspectCert(s), draft(platform, 'Configure the server by a name its certificate carries (subjectAltName), or reissue the certificate with this name', [o?.kind === 'ntpd-config' ? words('ntpq -c nts') : words('chronyc -N authdata')], verify, expect)];
    case 'not-nts-ke':
    case 'server-error':
    case 'no-ntp-after-ke': {
      const log = draft('generic', `On the NTS server ${s.name ?? s.address}: check its NTS-KE service and log (chronyd: ntsserverkey, ntsservercert, ntsport)`, [words('journalctl -u chronyd -u chrony -u ntpsec --since -1h')], verify, expect);
      // The server refusing a TLS session that worked: its own log first; a handshake that fails: the certificate first.
      return cause === 'not-nts-ke' ? [inspectCert(s), log] : [log, inspectCert(s)];
    }
  }
}

/**
 * NTS (RFC 8915): before any authenticated NTP packet, the client gets keys and cookies over TLS on TCP 4460.
 * When that fails the daemon never sends the source an NTP request at all (chronyc ^?, reach 0), which looks
 * like an unreachable source although UDP 123 is open: this rule explains `source-unreachable` for it.
 */
export default defineRule({
  meta: {
    id: 'nts-ke-failure',
    summary: 'NTS is configured but key establishment on TCP 4460 fails: refused, timed out, TLS or certificate error',
    severity: 'error',
    confidence: 0.9,
    priority: 13,
    explains: ['source-unreachable'],
    why:
      'An NTS source (RFC 8915) needs a completed NTS-KE first: a TLS 1.3 connection to TCP 4460 with ALPN ntske/1, ' +
      'the server certificate checked against the trusted CAs, the configured name and the current time, then ' +
      'Next Protocol (NTPv4) and AEAD (15, AES-SIV-CMAC-256) records answered with cookies (§4). Until then chronyd ' +
      'sends the source no NTP request at all: `chronyc -N authdata` shows KeyID 0 and no cookies, `sources` shows ^? with ' +
      'reach 0 although UDP 123 is open, and its log says "Could not connect to …:4460", "TLS handshake with … failed" ' +
      'or nothing (a dropped SYN). A node whose clock is far off cannot validate any certificate: chrony offers ' +
      '`nocerttimecheck N` for the first N updates, at the cost of trusting expired certificates until then.',
    references: ['RFC 8915 §4 (NTS-KE), §8.1 (bootstrapping)', 'chrony.conf(5) server nts, ntsport, ntstrustedcerts, nosystemcert, nocerttimecheck', 'chronyc(1) authdata', 'ntp.conf(5) NTPsec server nts, ca'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const s of ntsSources(ctx)) {
      const verdicts = WITNESSES.map((w) => w(ctx, s)).filter((v): v is Verdict => v !== undefined);
      const failing = verdicts.filter((v) => v.failing);
      if (failing.length === 0) continue;
      const healthy = verdicts.filter((v) => !v.failing);
      if (healthy.length && failing.every((v) => v.past)) continue;
      const cause = failing.find((v) => v.cause)?.cause;
      const evidence: Evidence[] = [];
      if (s.at) evidence.push(lineEvidence(s.at));
      for (const v of verdicts) evidence.push(...v.evidence);
      const who = s.name ? `${s.name} (${s.address})` : s.address;
      const title = cause ? `NTS key establishment with ${who} fails: ${TITLE[cause]}` : `NTS key establishment with ${who} does not complete (no cookies)`;
      // The daemon failed earlier but a KE works now: stale (it retries with back-off) or a difference between us and it.
      if (healthy.length) {
        evidence.push(note('Other evidence shows a key establishment that works: a past failure the daemon will retry (with back-off), or the daemon and ntpdoctor check differently'));
        hits.push({ subject: s.address, title: `${title} (other evidence shows it working)`, evidence, fixes: ranked(fixesFor(cause, s)), severity: 'warning', confidence: 0.5 });
        continue;
      }
      const confidence = Math.min(0.97, Math.max(...failing.map((v) => v.weight)) + (failing.length > 1 ? 0.02 : 0));
      // A KE that completed with no NTP after it may only mean the capture stopped first: a warning, not an error.
      hits.push({ subject: s.address, title, evidence, fixes: ranked(fixesFor(cause, s)), confidence, ...(cause === 'no-ntp-after-ke' ? { severity: 'warning' as const } : {}) });
    }
    return hits;
  },
});
