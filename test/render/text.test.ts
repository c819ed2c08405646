/**
 * The text report an expert reads in a hurry (issue 15 item 4): the capture's span, a per-server table counted
 * over every exchange, lines that fit 80 columns (measured with string-width), --min-severity and -q.
 */
import { parseReport } from '../_schema.js';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { NtpExchange } from '../../src/model/exchange.js';
import { filterJitter, type ServerSummary } from '../../src/diagnose/servers.js';
import type { Report } from '../../src/diagnose/types.js';
import { renderText } from '../../src/render/text.js';
import { exchangeTable } from '../../src/render/text-exchanges.js';
import { textColumns, wrapText } from '../../src/render/text-layout.js';
import { serverTable } from '../../src/render/text-servers.js';
import { captureFixtures } from './_fixtures.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Lines wider than `width` that are not a deliberate exception: a fix command (never wrapped) or one unbreakable word. */
function overlong(text: string, report: Report, width: number): string[] {
  const commands = new Set(report.findings.flatMap((f) => f.fixes.flatMap((x) => [...x.commands, x.verify])));
  return text.split('\n').filter((line) => {
    if (stringWidth(line) <= width) return false;
    const body = line.trim().replace(/^verify: /, '');
    if (commands.has(body)) return false;
    // One word longer than a line (a path, an address): kept whole on a line of its own, after its indent.
    const words = body.split(' ');
    return !(words.length <= 2 && stringWidth(words[words.length - 1]!) > width - 12);
  });
}

const FIXTURES = captureFixtures();

describe('text report at 80 columns', () => {
  it('finds the capture fixtures', () => {
    expect(FIXTURES.length).toBeGreaterThan(30);
  });

  it.each(FIXTURES)('%s: every line fits 80 cells; the exchange table strictly', async (file) => {
    const report = await analyzeCaptures([file]);
    const text = renderText(report, { width: 80 });
    expect(overlong(text, report, 80)).toEqual([]);
    const table = text.slice(text.indexOf('Exchanges (a sample'));
    if (report.exchanges.length) for (const line of table.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    // The span when the capture has frames with times.
    const input = report.inputs[0]!;
    if ('firstFrameTime' in input && typeof input.firstFrameTime === 'string') expect(text).toContain(`span ${input.firstFrameTime} → ${String(input.lastFrameTime)} (`);
  });
});

describe('per-server table', () => {
  it('rate-limit-kod.pcap: counted over all 41 requests while the report lists a sample', async () => {
    const report = await analyzeCaptures(['fixtures/rate-limit-kod.pcap']);
    expect(report.exchanges.length).toBeLessThan(41);
    expect(report.servers).toHaveLength(1);
    const s = report.servers![0]!;
    expect(s).toMatchObject({ client: '198.51.100.130', server: '198.51.100.100', port: 123, sent: 41, stratum: 11, refid: '127.127.1.0' });
    // 34 matched replies of which 14 were KoD RATE: 20 carried time (ntpq's reach counts only those).
    expect(s.kiss).toEqual([{ code: 'RATE', count: 14 }]);
    expect(s.answered).toBe(20);
    expect(s.unanswered).toBe(7);
    const text = renderText(report, { width: 80 });
    const head = text.split('\n').findIndex((l) => /^ {2}remote +refid +st +reach +offset +delay +jitter$/.test(l));
    expect(head).toBeGreaterThan(0);
    // The note wraps under itself when the row is full.
    const row = `${text.split('\n')[head + 1]} ${text.split('\n')[head + 2]!.trim()}`;
    expect(row).toMatch(/^ {2}198\.51\.100\.100 +127\.127\.1\.0 +11 +20\/41 +\+\d+\.\d µs +\d+\.\d µs +\d+\.\d µs +KoD RATE ×14, 7 unanswered$/);
    // The table comes before the findings and the findings before the exchanges.
    expect(text.indexOf('remote')).toBeLessThan(text.indexOf('1. [WARNING]'));
    expect(text.indexOf('1. [WARNING]')).toBeLessThan(text.indexOf('Exchanges ('));
  });

  it('ICMP-answered requests: reach 0/7 and the ICMP kind in the note', async () => {
    const report = await analyzeCaptures(['fixtures/firewall-reject-hostprohib.pcap']);
    expect(report.servers![0]).toMatchObject({ sent: 7, answered: 0, icmp: 7 });
    expect(renderText(report)).toMatch(/198\.51\.100\.100 +- +- +0\/7 +- +- +- +ICMP 3\/10 ×7/);
  });

  it('jitter is RFC 5905 §10 over the last 8 time replies, around the lowest-delay one; KoD and silence skipped', () => {
    const reply = (offset: number, delay: number, stratum = 2): NtpExchange =>
      ({ outcome: 'reply', offset, delay, reply: { stratum } }) as unknown as NtpExchange;
    const xs = [reply(0.001, 0.01), reply(0.003, 0.005), { outcome: 'none' } as NtpExchange, reply(9, 0.001, 0), reply(0.002, 0.02)];
    // Best: delay 5 ms (offset 3 ms). ψ = √(((3−1)² + 0 + (3−2)²)/2) ms.
    expect(filterJitter(xs)).toBeCloseTo(Math.sqrt(2.5e-6), 12);
    expect(filterJitter([reply(0.001, 0.01)])).toBeUndefined();
    // Only the last 8: an old outlier does not count.
    const many = [reply(5, 0.01), ...Array.from({ length: 8 }, () => reply(0.001, 0.01))];
    expect(filterJitter(many)).toBe(0);
  });

  it('long IPv6 addresses and wide characters: two lines per row (ntpq -w), nothing past the width', () => {
    const row = (server: string, client: string): ServerSummary => ({
      source: 'capture',
      client,
      server,
      port: 123,
      sent: 1234567,
      answered: 1234560,
      icmp: 0,
      unanswered: 7,
      stratum: 2,
      refid: '❌❌❌❌',
      offset: -31566952.61,
      delay: 0.0123,
      jitter: 0.0001,
      firstRequestTime: 0,
      lastRequestTime: 1,
    });
    const servers = [row('2001:db8:ffff:ffff:ffff:ffff:ffff:1234', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'), row('198.51.100.1', '198.51.100.2')];
    const lines = serverTable(servers, 3, 80);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    expect(lines[0]).toBe('  client → remote');
    expect(lines.join('\n')).toContain('2001:db8:aaaa:bbbb:cccc:dddd:eeee:1 → 2001:db8:ffff:ffff:ffff:ffff:ffff:1234');
    expect(lines.join('\n')).toContain('❌❌❌❌');
    expect(lines[lines.length - 1]).toBe('  … 3 more paths');
  });
});

describe('exchange table', () => {
  it('a year-long offset and a long outcome wrap under the outcome column instead of passing 80 cells', async () => {
    const report = await analyzeCaptures(['fixtures/client-year-off.pcap']);
    const lines = exchangeTable(report.exchanges, 80);
    expect(lines[0]).toBe('  198.51.100.130 → 198.51.100.100:123');
    expect(lines[1]).toMatch(/^ {4}time \(UTC\) +req +port +offset +delay +outcome$/);
    expect(lines.some((l) => /\+31536000\.\d{3} s/.test(l))).toBe(true);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
  });
});

describe('wrapping and width', () => {
  it('measures with string-width: ❌ is two cells, a skin-tone emoji two', () => {
    const lines = wrapText('❌ '.repeat(30), 20);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(20);
    expect(lines[0]).toBe('❌ ❌ ❌ ❌ ❌ ❌ ❌');
    expect(wrapText('👍🏽 '.repeat(10), 12)[0]).toBe('👍🏽 👍🏽 👍🏽 👍🏽');
  });

  it('a word longer than the line stays whole (a path stays copyable); controls are escaped before measuring', () => {
    const path = `/${'x'.repeat(100)}/ntp.conf`;
    expect(wrapText(`could not read ${path} today`, 40, '  ', '    ')).toEqual(['  could not read', `    ${path}`, '    today']);
    expect(wrapText('a\x1b[2Jb', 40)).toEqual(['a\\x1b[2Jb']);
  });

  it('80 columns off a terminal unless COLUMNS says otherwise; a terminal gives its own', () => {
    expect(textColumns(false, undefined, {})).toBe(80);
    expect(textColumns(false, 200, {})).toBe(80);
    expect(textColumns(false, undefined, { COLUMNS: '120' })).toBe(120);
    expect(textColumns(false, undefined, { COLUMNS: 'wide' })).toBe(80);
    expect(textColumns(true, 100, { COLUMNS: '120' })).toBe(100);
    expect(textColumns(true, 1000, {})).toBe(160);
    expect(textColumns(true, 10, {})).toBe(40);
  });
});

describe('--min-severity and -q', () => {
  it('--min-severity warning hides info findings and says how many', async () => {
    const all = await cli('analyze', 'fixtures/checksum-offload.pcap', '--json');
    const report = parseReport<Report>(all.out);
    const infos = report.findings.filter((f) => f.severity === 'info').length;
    expect(infos).toBeGreaterThan(0);
    const r = await cli('analyze', 'fixtures/checksum-offload.pcap', '--min-severity', 'warning');
    expect(r.code).toBe(all.code);
    expect(r.out).not.toContain('[info]');
    expect(r.out).toContain(`${infos} below warning not shown`);
    // JSON is the whole report whatever the option.
    expect(parseReport((await cli('analyze', 'fixtures/checksum-offload.pcap', '--json', '--min-severity', 'error')).out)).toEqual(report);
  });

  it('-q prints the findings alone; nothing at all when none is left', async () => {
    const r = await cli('analyze', '-q', 'fixtures/firewall-reject-hostprohib.pcap');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/^1\. \[ERROR\] /);
    expect(r.out).not.toContain('Servers (');
    expect(r.out).not.toContain('Exchanges (');
    expect(r.out).not.toContain('capture fixtures/');
    const none = await cli('analyze', '--quiet', '--min-severity', 'error', 'fixtures/healthy-chrony.pcap');
    expect(none).toMatchObject({ code: 0, out: '' });
  });

  it('a bad severity is a usage error: one line, exit 2', async () => {
    const r = await cli('analyze', '--min-severity', 'loud', 'fixtures/healthy-chrony.pcap');
    expect(r.code).toBe(2);
    expect(r.err).toBe("ntpdoctor: option '--min-severity LEVEL' argument 'loud' is invalid. Allowed choices are info, warning, error. (see ntpdoctor analyze --help)\n");
  });
});
