import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { Located } from '../src/model/config.js';
import { note } from './_lib/evidence.js';
import { draft, type Draft, ranked } from './_lib/fixes.js';
import { commentOut, type ConfigObservation, configs, daemonName, lineEvidence, platformOf, restartOf, sourcesCommand } from './_lib/node.js';

/**
 * Servers that smear leap seconds (they run slow or fast for hours around a leap instead of inserting 23:59:60):
 * Google Public NTP (developers.google.com/time/smear: 24 h linear, noon to noon), Amazon Time Sync Service
 * (169.254.169.123, fd00:ec2::123 in EC2; time.aws.com on the internet: docs.aws.amazon.com "Set the time"),
 * and Meta's time.facebook.com (engineering.fb.com 2020: smeared public service).
 */
const SMEAR_NAMES: ReadonlyArray<{ re: RegExp; who: string }> = [
  { re: /^time[1-4]?\.google\.com\.?$/i, who: 'Google Public NTP' },
  { re: /^time\.aws\.com\.?$/i, who: 'Amazon Time Sync Service' },
  { re: /^time[1-5]?\.facebook\.com\.?$/i, who: "Meta's public NTP" },
];
const SMEAR_ADDRESSES: Readonly<Record<string, string>> = {
  '169.254.169.123': 'Amazon Time Sync Service (EC2 link-local)',
  'fd00:ec2::123': 'Amazon Time Sync Service (EC2 IPv6)',
  // time.google.com anycast addresses (developers.google.com/time/faq).
  '216.239.35.0': 'Google Public NTP',
  '216.239.35.4': 'Google Public NTP',
  '216.239.35.8': 'Google Public NTP',
  '216.239.35.12': 'Google Public NTP',
  '2001:4860:4806::': 'Google Public NTP',
  '2001:4860:4806:4::': 'Google Public NTP',
  '2001:4860:4806:8::': 'Google Public NTP',
  '2001:4860:4806:c::': 'Google Public NTP',
};

export function smearer(address: string): string | undefined {
  const lower = address.toLowerCase();
  return SMEAR_ADDRESSES[lower] ?? SMEAR_NAMES.find((n) => n.re.test(lower))?.who;
}

/** Private and link-local sources may be local relays of a smearing service: they do not prove a mix. */
export function privateAddress(a: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|127\.)/.test(a) || /^f[cd][0-9a-f]{2}:/i.test(a) || /^fe80:/i.test(a);
}

/**
 * One config mixes leap-smearing servers with servers that insert the leap second, or tells the daemon about
 * leap seconds (chrony `leapsectz right/UTC`, ntpd `leapfile`) while following a smearing server. Around a leap
 * second the smeared sources are up to 0.5 s from the others: the daemon sees falsetickers, flips between
 * groups, or steps.
 */
export default defineRule({
  meta: {
    id: 'leap-smear-mix',
    summary: 'Leap-smearing servers (Google, Amazon, Meta) mixed with non-smearing ones, or with leapsectz/leapfile',
    severity: 'warning',
    confidence: 0.75,
    priority: 46,
    why:
      "Google's, Amazon's and Meta's public servers smear a leap second: Google and Amazon slow their clocks by 11.6 ppm " +
      'for 24 hours from noon to noon, so at the leap they are 0.5 s from UTC. Servers that follow UTC insert the ' +
      'second at 23:59:60 instead. A client with both sees its sources disagree by up to 0.5 s for a day: the ' +
      'selection (RFC 5905 §11.2.1 intersection, chrony "falseticker") throws one group out, flips, or steps the ' +
      'clock. A leap file (chrony `leapsectz right/UTC`, ntpd `leapfile`) makes the daemon insert the leap itself ' +
      'while its smearing server does not: the same 0.5 s, then a correction of up to 1 s. Google\'s advice is to use ' +
      'smeared or non-smeared sources, never both; no leap second is scheduled (IERS Bulletin C), but the config is ' +
      'wrong whenever one is.',
    references: [
      'developers.google.com/time/smear ("do not mix smeared and non-smeared NTP servers")',
      'AWS EC2 User Guide: Amazon Time Sync Service (leap smearing, 169.254.169.123, fd00:ec2::123)',
      'chrony.conf(5) leapsectz, leapsecmode, maxslewrate',
      'ntp.conf(5) / NTPsec ntp_misc leapfile',
      'RFC 5905 §11.2.1 (clock select: intersection of correctness intervals)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of configs(ctx)) {
      const hit = judge(o);
      if (hit) hits.push(hit);
    }
    return hits;
  },
});

function judge(o: ConfigObservation): Hit | undefined {
  const net = o.config.sources.filter((s) => !s.refclock);
  const smeared: Array<{ at: Located; who: string }> = [];
  const plain: typeof net = [];
  for (const s of net) {
    const who = smearer(s.address) ?? (s.resolved ?? []).map(smearer).find((w) => w !== undefined);
    if (who) smeared.push({ at: s, who });
    else plain.push(s);
  }
  if (smeared.length === 0) return undefined;
  const leapFile = o.config.directives.find((d) => (o.kind === 'chrony-config' ? d.keyword === 'leapsectz' : d.keyword === 'leapfile'));
  // Only a public (or named) non-smearing server proves the mix: a private relay may pass the smear through.
  const publicPlain = plain.filter((s) => !privateAddress(s.address) && !(s.resolved?.length && s.resolved.every(privateAddress)));
  if (plain.length === 0 && !leapFile) return undefined;

  const evidence: Evidence[] = smeared.map((s) => lineEvidence(s.at, `\`${s.at.text}\`: ${s.who} smears leap seconds`));
  for (const p of plain.slice(0, 6)) evidence.push(lineEvidence(p, `\`${p.text}\`: not known to smear (follows UTC with 23:59:60)`));
  if (leapFile) evidence.push(lineEvidence(leapFile, `\`${leapFile.text}\`: ${daemonName(o)} inserts the leap second itself`));

  const fixes: Draft[] = [];
  const restart = restartOf(o);
  const verify = sourcesCommand(o);
  const expect = 'only one kind of source left';
  if (plain.length) {
    fixes.push(draft(platformOf(o), `Keep only the smearing servers: comment out the ${plain.length} other source line(s)`, [...plain.map(commentOut), restart], verify, expect));
    fixes.push(draft(platformOf(o), `Or keep only the UTC servers: comment out the ${smeared.length} smearing source line(s)`, [...smeared.map((s) => commentOut(s.at)), restart], verify, expect));
  }
  if (leapFile && plain.length === 0) {
    fixes.push(draft(platformOf(o), `Stop inserting leap seconds locally next to a smearing server: comment out \`${leapFile.keyword}\``, [commentOut(leapFile), restart], verify, 'sources unchanged; no leap file'));
  } else if (leapFile) {
    fixes.push(draft(platformOf(o), `If you keep the smearing servers, also comment out \`${leapFile.keyword}\``, [commentOut(leapFile), restart], verify, expect));
  }
  const what = plain.length ? `${smeared.length} leap-smearing and ${plain.length} non-smearing source(s)` : `a leap-smearing source and \`${leapFile?.keyword}\``;
  const hit: Hit = { subject: o.config.file, title: `${o.config.file} mixes ${what}: they disagree by up to 0.5 s around a leap second`, evidence, fixes: ranked(fixes) };
  if (plain.length && publicPlain.length === 0 && !leapFile) {
    hit.severity = 'info';
    hit.confidence = 0.4;
    hit.evidence.push(note('The other sources are private addresses: if they relay a smearing service, there is no mix'));
  }
  return hit;
}
