/**
 * `analyze --plot FILE.svg` (issue 15 item 7): offset and delay over time per path, from every exchange, with
 * rejected, KoD, ICMP-answered and unanswered requests marked. The SVG's content is checked: points and marks
 * add up to the exchanges, axes have ticks, the legend names each path, labels are escaped. One per fixture.
 */
import { parseReport } from '../_schema.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { NtpExchange } from '../../src/model/exchange.js';
import { markOf, PlotCollector } from '../../src/render/plot/collect.js';
import { niceTicks, tickLabel } from '../../src/render/plot/scale.js';
import { plotSvg, sourcesTitle, xmlText } from '../../src/render/plot/svg.js';
import { captureFixtures } from './_fixtures.js';

/** Elements of a class inside the panel/group that has `data-…="name"`, with their data-n counts. */
function group(svg: string, open: RegExp): string {
  const start = svg.search(open);
  if (start < 0) return '';
  // Panels and the marks group hold no nested panel: up to the first closing tag at the same level.
  let depth = 0;
  const re = /<g\b|<\/g>/g;
  re.lastIndex = start;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    depth += m[0] === '</g>' ? -1 : 1;
    if (depth === 0) return svg.slice(start, m.index);
  }
  return svg.slice(start);
}
const counts = (s: string, cls: string) => [...s.matchAll(new RegExp(`class="${cls}[^"]*" data-n="(\\d+)"`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);

async function plotOf(file: string): Promise<{ svg: string; exchanges: NtpExchange[] }> {
  const exchanges: NtpExchange[] = [];
  const plot = new PlotCollector();
  await analyzeCaptures([file], {
    onExchange: (x) => {
      exchanges.push(x);
      plot.add(x);
    },
  });
  return { svg: plotSvg({ series: plot.series(), others: plot.others, sources: [file] }), exchanges };
}

describe('a plot for every capture fixture', () => {
  it.each(captureFixtures())('%s', async (file) => {
    const { svg, exchanges } = await plotOf(file);
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Self-contained: no script, no external reference.
    expect(svg).not.toMatch(/<script|href=|url\(/i);
    const usable = exchanges.filter((x) => markOf(x) === undefined);
    const offsets = group(svg, /<g class="panel" data-panel="offset">/);
    const delays = group(svg, /<g class="panel" data-panel="delay">/);
    const marks = group(svg, /<g class="marks">/);
    // Every usable reply with an offset is one point (no bin merged on captures this small); every delay too.
    expect(counts(offsets, 'pt')).toBe(usable.filter((x) => x.offset !== undefined).length);
    expect(counts(delays, 'pt')).toBe(usable.filter((x) => x.delay !== undefined).length);
    for (const kind of ['rejected', 'kod', 'icmp', 'none'] as const) {
      expect(counts(marks, `mark ${kind}`), kind).toBe(exchanges.filter((x) => markOf(x) === kind).length);
    }
    // Axes: a title with the unit and at least two ticks on each panel and on the time axis.
    if (exchanges.length) {
      expect(offsets).toMatch(/offset \(server − client\) \((s|ms|µs|ns)\)/);
      expect((offsets.match(/class="tick-label y"/g) ?? []).length).toBeGreaterThanOrEqual(2);
      expect((svg.match(/class="tick" /g) ?? []).length).toBeGreaterThanOrEqual(2);
      expect(svg).toMatch(/time since \d{4}-\d\d-\d\dT[\d:.]+Z \((s|min|h)\)/);
    }
    // The legend: one entry per path with its exchange count.
    const paths = new Set(exchanges.map((x) => `${x.client.ip} → ${x.server.ip.includes(':') ? `[${x.server.ip}]` : x.server.ip}:${x.server.port}`));
    expect((svg.match(/class="legend-entry"/g) ?? []).length).toBe(paths.size);
    for (const p of paths) expect(svg).toContain(xmlText(p));
  });

  it('rate-limit-kod.pcap: 20 points, 14 KoD and 7 unanswered marks, 41 in all', async () => {
    const { svg } = await plotOf('fixtures/rate-limit-kod.pcap');
    expect(counts(group(svg, /<g class="panel" data-panel="offset">/), 'pt')).toBe(20);
    const marks = group(svg, /<g class="marks">/);
    expect(counts(marks, 'mark kod')).toBe(14);
    expect(counts(marks, 'mark none')).toBe(7);
    expect(svg).toContain('41 exchanges (14 KoD, 7 unanswered)');
  });

  it('firewall-reject-hostprohib.pcap: ICMP marks only, no point', async () => {
    const { svg } = await plotOf('fixtures/firewall-reject-hostprohib.pcap');
    expect(counts(group(svg, /<g class="panel" data-panel="offset">/), 'pt')).toBe(0);
    expect(counts(group(svg, /<g class="marks">/), 'mark icmp')).toBe(7);
  });
});

describe('bounded and hostile', () => {
  const x = (i: number, over: Partial<NtpExchange> = {}): NtpExchange =>
    ({
      client: { ip: '198.51.100.2', port: 40000 },
      server: { ip: '198.51.100.1', port: 123 },
      requestFrame: i,
      requestTime: 1_800_000_000 + i,
      outcome: 'reply',
      reply: { stratum: 2, leap: 0 },
      offset: Math.sin(i / 50) * 1e-3,
      delay: 1e-3 + (i % 7) * 1e-5,
      ...over,
    }) as NtpExchange;

  it('100 k exchanges: bins merge into envelopes, counts stay exact, extremes kept', () => {
    const plot = new PlotCollector(256);
    for (let i = 0; i < 100_000; i++) plot.add(x(i, i === 77_777 ? { offset: 5 } : {}));
    const [s] = plot.series();
    expect(s!.bins.length).toBeLessThanOrEqual(256);
    expect(s!.bins.reduce((n, b) => n + b.n, 0)).toBe(100_000);
    expect(Math.max(...s!.bins.map((b) => b.offsetMax))).toBe(5);
    const svg = plotSvg({ series: plot.series(), sources: ['big'] });
    expect(counts(group(svg, /<g class="panel" data-panel="offset">/), 'pt')).toBe(100_000);
    expect(svg.length).toBeLessThan(400_000);
  });

  it('paths past MAX_SERIES are counted, not drawn', () => {
    const plot = new PlotCollector(2048, 3);
    for (let i = 0; i < 10; i++) plot.add(x(i, { client: { ip: `198.51.100.${10 + i}`, port: 1 } }));
    expect(plot.series()).toHaveLength(3);
    expect(plot.others).toEqual({ paths: 7, exchanges: 7 });
    expect(plotSvg({ series: plot.series(), others: plot.others, sources: ['f'] })).toContain('7 more paths (7 exchanges) not drawn');
  });

  it('hostile names cannot break the markup: XML specials, controls, U+FFFF, a closing tag', () => {
    const evil = '</text><script>alert(1)</script>&\x1b[2J\u202e\uffff"\'';
    const plot = new PlotCollector();
    plot.add(x(1, { client: { ip: evil, port: 1 } }));
    const svg = plotSvg({ series: plot.series(), sources: [evil] });
    expect(svg).not.toContain('<script');
    expect(svg).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u202e]/);
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;\\x1b[2J\\u202e\\uffff&quot;&apos;');
    // Well-formed enough that every < opens a tag we wrote.
    for (const m of svg.matchAll(/<([^ >/?!]+)/g)) expect(['svg', 'rect', 'text', 'g', 'line', 'polygon', 'path', 'circle', 'polyline', 'title']).toContain(m[1]);
  });

  it('a long list of inputs is cut to one title line, with how many there were', () => {
    expect(sourcesTitle(['a.pcap', 'b.pcap'])).toBe('a.pcap, b.pcap');
    const long = sourcesTitle(Array.from({ length: 20 }, (_, i) => `fixtures/capture-number-${i}.pcap`));
    expect(long.length).toBeLessThanOrEqual(95);
    expect(long.endsWith('… (20 inputs)')).toBe(true);
  });

  it('ticks are nice steps that cover the data', () => {
    expect(niceTicks(0, 7.9, 8)).toMatchObject({ min: 0, max: 8, step: 1 });
    const small = niceTicks(-0.00012, 0.00031, 5);
    expect(small.step).toBeCloseTo(0.0001, 12);
    expect(small.min).toBeLessThanOrEqual(-0.00012);
    expect(small.max).toBeGreaterThanOrEqual(0.00031);
    const t = niceTicks(5, 5);
    expect(t.min).toBeLessThan(5);
    expect(t.max).toBeGreaterThan(5);
    expect(tickLabel(-0.00000001, 0.0001, 1e6)).toBe('0');
    expect(tickLabel(0.00015, 0.00005, 1e6)).toBe('150');
  });
});

describe('ntpdoctor analyze --plot', () => {
  it('writes the SVG, keeps the report as it was, and a bad path is one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndplot-'));
    let out = '';
    let err = '';
    const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false };
    const file = join(dir, 'p.svg');
    expect(await main(['analyze', '--json', '--plot', file, 'fixtures/healthy-chrony.pcap'], io)).toBe(0);
    expect(parseReport(out)).toMatchObject({ schema: 'ntpdoctor.report/1' });
    expect(readFileSync(file, 'utf8')).toContain('<svg');
    err = '';
    expect(await main(['analyze', '--plot', join(dir, 'no/such/dir.svg'), 'fixtures/healthy-chrony.pcap'], io)).toBe(2);
    expect(err).toMatch(/^ntpdoctor: --plot: cannot write .*: ENOENT\n$/);
  });
});
