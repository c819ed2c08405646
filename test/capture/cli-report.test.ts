/**
 * Issue 11 items 8–10 through the built CLI, with tcpdump as the oracle where it is installed: a cut capture exits 1
 * with a `capture-damaged` finding that says where the damage starts (tcpdump stops at the same frame and exits 1);
 * `-` only once; the exchange sample keeps what findings cite and counts what it leaves out; evidence counts every
 * request and every source port tcpdump shows; the report says when the capture was taken.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { hasTool } from './helpers.js';
import { parseReport } from '../_schema.js';
import type { CaptureFileInput } from '../../src/model/report-input.js';

const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ndcap-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let tcpdump = false;
beforeAll(async () => {
  tcpdump = await hasTool('tcpdump');
});

function run(args: string[], input?: Buffer) {
  return spawnSync('node', [cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...(input ? { input } : {}) });
}

function json(args: string[]): { status: number | null; report: Report; stderr: string } {
  const r = run(['analyze', ...args, '--json']);
  return { status: r.status, report: parseReport<Report>(r.stdout), stderr: r.stderr };
}

/** tcpdump's lines for a file (epoch times), and its exit status. */
function tcpdumpLines(file: string): { lines: string[]; status: number | null } {
  const r = spawnSync('tcpdump', ['-r', file, '-n', '-tt'], { encoding: 'utf8' });
  return { lines: r.stdout.split('\n').filter(Boolean), status: r.status };
}

function iso(epoch: string): string {
  const [sec, frac] = epoch.split('.');
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

describe('a damaged capture is visible in the exit status', () => {
  it('is built (npm test runs tsup first)', () => {
    expect(existsSync(cli), 'dist/cli.js: run npx tsup').toBe(true);
  });

  it('a capture cut inside a record: analysed up to the cut, capture-damaged, exit 1, one stderr line', () => {
    const whole = readFileSync('fixtures/rate-limit-kod.pcap');
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const { status, report, stderr } = json([cut]);
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    const input = report.inputs[0] as CaptureFileInput;
    const stop = ('stop' in input ? input.stop : undefined)!;
    expect(stop.kind).toBe('truncated');
    const finding = report.findings.find((f) => f.rule === 'capture-damaged');
    expect(finding).toBeDefined();
    expect(finding!.severity).toBe('warning');
    expect(finding!.evidence[0]!.text).toContain(`truncated at byte ${stop.offset} (frame ${stop.frame})`);
    expect(stop.frame).toBe(Number(input.frames) + 1);
    if (!tcpdump) return;
    // tcpdump reads the same frames, then fails on the cut record with exit 1.
    const oracle = tcpdumpLines(cut);
    expect(oracle.status).toBe(1);
    expect(oracle.lines).toHaveLength(Number(input.frames));
  });

  it('the same report with --threads (every shard reads up to the same cut)', () => {
    const whole = readFileSync('fixtures/firewall-reject-hostprohib.pcap');
    const cut = join(dir, 'cut2.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const one = run(['analyze', cut, '--json', '--threads', '1']);
    const two = run(['analyze', cut, '--json', '--threads', '2']);
    expect(one.status).toBe(1);
    expect(two.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
  });

  it('a clean capture has no capture-damaged finding', () => {
    const { report } = json(['fixtures/healthy-chrony.pcap']);
    expect(report.findings.map((f) => f.rule)).not.toContain('capture-damaged');
    expect((report.inputs[0] as CaptureFileInput).stop).toBeUndefined();
  });

  it('`-` may appear once: one line, exit 2, nothing read', () => {
    const r = run(['analyze', '-', '-'], readFileSync('fixtures/firewall-drop.pcap'));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['ntpdoctor: stdin (-) may be named only once among the inputs']);
  });
});

describe('nothing dropped silently', () => {
  it('firewall-drop.pcap: every request and every source port tcpdump shows', () => {
    const { report } = json(['fixtures/firewall-drop.pcap']);
    const finding = report.findings.find((f) => f.rule === 'no-response')!;
    // Fixed expectations, so the test means something where tcpdump is missing too.
    let requests = 6;
    let ports = ['42714', '41231', '55513', '38375', '41403', '41448'];
    if (tcpdump) {
      const lines = tcpdumpLines('fixtures/firewall-drop.pcap').lines.filter((l) => l.includes('NTPv4, Client'));
      requests = lines.length;
      ports = [...new Set(lines.map((l) => /198\.51\.100\.130\.(\d+) >/.exec(l)![1]!))];
      expect(requests).toBe(6);
    }
    expect(finding.title).toBe(`No reply from 198.51.100.100 to ${requests} requests from 198.51.100.130: dropped silently`);
    expect(finding.evidence[0]!.text).toContain(`from ${ports.length} source ports (${ports.join(', ')})`);
    expect(finding.evidence[0]!.frames).toHaveLength(requests);
  });

  it('rate-limit-kod.pcap: the KoD replies the finding cites are in the sample, and the rest is counted', () => {
    const { report } = json(['fixtures/rate-limit-kod.pcap']);
    const finding = report.findings.find((f) => f.rule === 'rate-limited')!;
    const kod = finding.evidence.find((e) => e.text.includes("Kiss-o'-Death RATE"))!;
    expect(kod.frames!.length).toBeGreaterThan(0);
    const replyFrames = new Set(report.exchanges.map((x) => x.replyFrame));
    for (const f of kod.frames!) expect(replyFrames.has(f), `KoD reply frame ${f} in exchanges`).toBe(true);
    const requestFrames = new Set(report.exchanges.map((x) => x.requestFrame));
    for (const e of finding.evidence) for (const f of e.frames ?? []) expect(requestFrames.has(f) || replyFrames.has(f), `frame ${f}`).toBe(true);
    expect(report.exchangesOmitted).toBeGreaterThan(0);
    if (tcpdump) {
      // Every request tcpdump shows is an exchange, listed or counted, but those sent in the capture's last second
      // that no reply answered (their fate unknown: counted in the evidence instead).
      const lines = tcpdumpLines('fixtures/rate-limit-kod.pcap').lines;
      const end = Number(lines[lines.length - 1]!.split(' ')[0]);
      // The client's port: the source of a request, the destination of a reply.
      const port = (l: string) => (l.includes('Client') ? /\.(\d+) > /.exec(l) : / > [\d.]+\.(\d+):/.exec(l))?.[1];
      const answered = new Set(lines.filter((l) => l.includes('NTPv4, Server')).map(port));
      const requests = lines.filter((l) => l.includes('NTPv4, Client'));
      const pending = requests.filter((l) => end - Number(l.split(' ')[0]) < 1 && !answered.has(port(l))).length;
      expect(report.exchanges.length + report.exchangesOmitted!).toBe(requests.length - pending);
    }
    const text = run(['analyze', 'fixtures/rate-limit-kod.pcap']).stdout;
    expect(text).toContain(`  … ${report.exchangesOmitted} more exchanges`);
  });

  it('JSON always carries exchangesOmitted, 0 when nothing is left out', () => {
    const { report } = json(['fixtures/firewall-drop.pcap']);
    expect(report.exchangesOmitted).toBe(0);
    expect(run(['analyze', 'fixtures/firewall-drop.pcap']).stdout).not.toContain('more exchange');
  });
});

describe('when the capture was taken', () => {
  it('first and last frame time (UTC ISO 8601) in inputs[], the text and the checklist', () => {
    const { report } = json(['fixtures/firewall-drop.pcap']);
    const input = report.inputs[0] as CaptureFileInput;
    let first = '2026-11-22T00:18:47.558209Z';
    let last = '2026-11-22T00:18:55.200813Z';
    if (tcpdump) {
      const lines = tcpdumpLines('fixtures/firewall-drop.pcap').lines;
      first = iso(lines[0]!.split(' ')[0]!);
      last = iso(lines[lines.length - 1]!.split(' ')[0]!);
    }
    expect(input.firstFrameTime).toBe(first);
    expect(input.lastFrameTime).toBe(last);
    expect(run(['analyze', 'fixtures/firewall-drop.pcap']).stdout).toContain(`span ${first} → ${last} (`);
    expect(run(['checklist', 'fixtures/firewall-drop.pcap']).stdout).toContain(`taken ${first} to ${last} (UTC)`);
  });

  it('nanosecond pcapng keeps nine digits', () => {
    const { report } = json(['fixtures/healthy-chrony.pcapng']);
    const input = report.inputs[0] as CaptureFileInput;
    expect(String(input.firstFrameTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6,9}Z$/);
    if (!tcpdump) return;
    const out = execFileSync('tcpdump', ['-r', 'fixtures/healthy-chrony.pcapng', '-n', '-tt', '-c', '1', '--time-stamp-precision=nano'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(iso(out.split(' ')[0]!).slice(0, 26)).toBe(String(input.firstFrameTime).slice(0, 26));
  });
});
