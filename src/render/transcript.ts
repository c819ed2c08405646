/**
 * An `ntpdate -d`-like transcript of one probed address (the format of the seeds' write-ups: transmit(...) /
 * receive(...) lines, then the server's fields and the filter), with per-sample offset, delay and what went
 * wrong. Pure: data in, text out.
 */
import { formatNtpHex, formatNtpTime } from '../ntp/timestamp.js';
import { toTerminal, type TerminalString } from './terminal.js';
import type { AddressProbe, ProbeSample } from '../probe/client.js';
import { strayLines } from '../probe/strays.js';

const ZERO = { seconds: 0, fraction: 0 };

function signed(v: number, digits: number): string {
  return (v >= 0 ? '+' : '') + v.toFixed(digits);
}

function bits2(n: number): string {
  return (n & 3).toString(2).padStart(2, '0');
}

function sampleLines(p: AddressProbe, s: ProbeSample): string[] {
  const who = p.address;
  const lines = [`transmit(${who})  sample ${s.index} from port ${s.localPort}, ${s.requestLength} octets`];
  if (s.outcome === 'reply' && s.packet) {
    const m = s.packet;
    let line = `receive(${who})   sample ${s.index}: ${s.replyLength ?? 0} octets, mode ${m.mode}, stratum ${m.stratum}, leap ${bits2(m.leap)}, refid [${s.refidText ?? ''}]`;
    if (s.offset !== undefined && s.delay !== undefined) {
      line += `, offset ${signed(s.offset, 6)}, delay ${s.delay.toFixed(6)}, dispersion ${(s.dispersion ?? 0).toFixed(6)}`;
    } else if (m.stratum === 0) {
      line += `, kiss-o'-death ${s.refidText ?? ''}: no time in it`;
    }
    lines.push(line);
    if (s.bogus.length) lines.push(`  rejected by packet tests (RFC 5905 §8): ${s.bogus.join(', ')}`);
  } else if (s.outcome === 'icmp' && s.errno) {
    lines.push(`icmp(${who})      sample ${s.index}: ${s.errno.text}`);
  } else if (s.note) {
    lines.push(`error(${who})     sample ${s.index}: ${s.note}`);
  } else {
    lines.push(`timeout(${who})   sample ${s.index}: no answer`);
  }
  // Datagrams the client threw away for this request (bogus origin, duplicates, a flood, junk): ntpdate -d shows
  // none of them; the admin needs them to see why a server "answers" yet gives no sample.
  lines.push(...strayLines(p, s));
  return lines;
}

/** Eight filter slots like ntpdate's NTP_SHIFT register, unused slots as zero. */
function filterRows(values: string[], zero: string): string[] {
  const slots = [...values.slice(0, 8)];
  while (slots.length < 8) slots.push(zero);
  return [slots.slice(0, 4).join(' '), slots.slice(4, 8).join(' ')];
}

export interface TranscriptOptions {
  /** The name the user gave, when it is not the address itself. */
  host?: string;
  /** "Server dropped: …" line, from the first finding about this address (the rules' verdict, not ours). */
  dropped?: string;
}

/** Refids and notes come from the server: the lines go through the terminal sanitizer (src/render/terminal.ts). */
export function renderTranscript(p: AddressProbe, opts: TranscriptOptions = {}): TerminalString {
  const out: string[] = [];
  if (opts.host && opts.host !== p.address) out.push(`Looking for host ${opts.host} and service ntp`, `host found : ${p.address}`);
  for (const s of p.samples) out.push(...sampleLines(p, s));
  if (p.stoppedEarly) out.push(`stopped early: ${p.stoppedEarly}`);
  if (opts.dropped) out.push(`${p.address}: Server dropped: ${opts.dropped}`);
  const best = p.samples.find((s) => s.index === p.best);
  const shown = best ?? [...p.samples].reverse().find((s) => s.packet);
  const m = shown?.packet;
  out.push(`server ${p.address}, port ${p.port}`);
  out.push(
    `stratum ${m?.stratum ?? 0}, precision ${m?.precision ?? 0}, leap ${bits2(m?.leap ?? 0)}, our precision ${p.precision}`,
  );
  out.push(
    `refid [${shown?.refidText ?? p.address}], delay ${(best?.delay ?? 0).toFixed(5)}, dispersion ${(best?.dispersion ?? 64).toFixed(5)}`,
  );
  if (m) {
    const distance = m.rootDelay / 2 + m.rootDispersion;
    out.push(`root delay ${m.rootDelay.toFixed(6)}, root dispersion ${m.rootDispersion.toFixed(6)}, root distance ${distance.toFixed(6)}`);
  }
  const valid = p.samples.filter((s) => s.offset !== undefined);
  out.push(`transmitted ${p.samples.length}, in filter ${valid.length}`);
  out.push(`reference time:      ${formatNtpHex(m?.referenceTime ?? ZERO)}  ${formatNtpTime(m?.referenceTime ?? ZERO)}`);
  out.push(`originate timestamp: ${formatNtpHex(m?.transmitTime ?? ZERO)}  ${formatNtpTime(m?.transmitTime ?? ZERO)}`);
  out.push(`transmit timestamp:  ${formatNtpHex(shown?.transmit ?? ZERO)}  ${formatNtpTime(shown?.transmit ?? ZERO)}`);
  const [d1, d2] = filterRows(valid.map((s) => (s.delay ?? 0).toFixed(6).padStart(9)), '0.000000'.padStart(9));
  out.push(`filter delay:  ${d1}`, `               ${d2}`);
  const [o1, o2] = filterRows(valid.map((s) => signed(s.offset ?? 0, 6).padStart(10)), '0.000000'.padStart(10));
  out.push(`filter offset: ${o1}`, `               ${o2}`);
  out.push(`delay ${(best?.delay ?? 0).toFixed(6)}, dispersion ${(best?.dispersion ?? 64).toFixed(6)}`);
  out.push(best?.offset !== undefined ? `offset ${signed(best.offset, 9)} (sample ${best.index}, lowest delay)` : 'offset: none (no usable sample)');
  return toTerminal(out);
}
