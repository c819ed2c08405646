/** The screen as data at 80×24: every line fits, the live area stays under the height, nothing needed is cut. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NtpExchange } from '../../src/model/exchange.js';
import type { Report } from '../../src/diagnose/types.js';
import { initialState, reduce, type Action, type StepState, type UiState } from '../../src/ui/state.js';
import { lineText, lineWidth, type Line } from '../../src/ui/text.js';
import { capturePaneLines, detailBody, detailLines, diagnosingLines, finishedStepLines, listLines, resultsLayout } from '../../src/ui/views.js';
import { exchangesOf, HEALTHY, MANY, REJECT, reportOf } from './_reports.js';

const W = 80;
const H = 23; // 24 rows, one kept free so Ink never redraws the whole screen
const text = (lines: Line[]) => lines.map(lineText).join('\n');
const expectFits = (lines: Line[], height = H) => {
  expect(lines.length).toBeLessThanOrEqual(height);
  for (const l of lines) expect(lineWidth(l), lineText(l)).toBeLessThanOrEqual(W);
};

let reject: Report;
let many: Report;
let healthy: NtpExchange[];
let rejected: NtpExchange[];

beforeAll(async () => {
  [reject, many, healthy, rejected] = await Promise.all([reportOf(REJECT), reportOf(...MANY), exchangesOf(HEALTHY), exchangesOf(REJECT)]);
});

const withReport = (report: Report, ...actions: Action[]): UiState => [{ type: 'report', report } as Action, ...actions].reduce(reduce, initialState);

describe('findings list', () => {
  it('names the rule and the subject of the top finding, with the summary and the keys', () => {
    const { lines } = listLines(withReport(reject), W, H);
    expectFits(lines);
    const t = text(lines);
    expect(t).toContain('1 finding (1 error) · exit 1');
    expect(t).toMatch(/› 1\. +ERROR +198\.51\.100\.100's firewall rejects NTP/);
    expect(t).toContain('firewall-reject · 198.51.100.100 · 95%');
    expect(t).toContain('Enter details · w write checklist · ? keys · q quit');
  });

  it('windows more findings than fit, keeping the selection on screen and saying how many are hidden', () => {
    expect(many.findings.length).toBeGreaterThan(10);
    const top = listLines(withReport(many), W, H);
    expectFits(top.lines);
    expect(text(top.lines)).toMatch(/↓ \d+ more/);
    const last = many.findings.length - 1;
    const bottom = listLines(withReport(many, { type: 'select-at', index: last }), W, H);
    expectFits(bottom.lines);
    const t = text(bottom.lines);
    expect(t).toContain(`› ${last + 1}.`);
    expect(t).toMatch(/↑ \d+ more/);
    expect(top.page).toBe(Math.floor((H - 2) / 2));
  });

  it('wraps the message rather than cutting a long checklist path, and still fits', () => {
    const path = `/var/lib/ntpdoctor/${'very-long-directory-name/'.repeat(4)}ntpdoctor-checklist.md`;
    const s = withReport(many, { type: 'message', text: `Checklist written to ${path}`, tone: 'ok' });
    for (const layout of [listLines(s, W, H), detailLines(reduce(s, { type: 'open' }), W, H)]) {
      expectFits(layout.lines);
      expect(text(layout.lines).replace(/\n {2}/g, '')).toContain(path);
    }
  });

  it('says so when there is nothing wrong', () => {
    const { lines } = listLines(withReport({ ...reject, findings: [] }), W, H);
    expect(text(lines)).toContain('No findings');
    expect(text(lines)).toContain('exit 0');
  });
});

describe('finding detail', () => {
  it('shows the evidence and every fix with its exact commands and verify, wrapped, never cut', () => {
    const f = reject.findings[0]!;
    const body = text(detailBody(f, W));
    for (const fix of f.fixes) {
      for (const cmd of fix.commands) expect(body.replace(/\n +/g, ' ')).toContain(cmd);
    }
    expect(body).toContain('$ firewall-cmd --permanent --add-service=ntp');
    expect(body).toContain('verify: ntpdoctor probe 198.51.100.100');
    expect(body).toContain('ICMP type 3 code 10');
  });

  it('fits 80×24 and scrolls: the first lines, then the last ones at detailMax', () => {
    const s = withReport(many, { type: 'open' });
    const first = detailLines(s, W, H);
    expectFits(first.lines);
    const body = detailBody(many.findings[0]!, W);
    expect(first.detailMax).toBe(Math.max(0, body.length - (H - 2)));
    expect(first.detailMax).toBeGreaterThan(0);
    expect(lineText(first.lines[0]!)).toMatch(/^ERROR +firewall-reject · 198\.51\.100\.100 · 95% · 1\/\d+/);
    const end = detailLines(reduce(s, { type: 'scroll', delta: Infinity, max: first.detailMax }), W, H);
    expectFits(end.lines);
    expect(lineText(end.lines[end.lines.length - 2]!)).toBe(lineText(body[body.length - 1]!));
    expect(lineText(end.lines[end.lines.length - 1]!)).toContain(`/${body.length}`);
    expect(resultsLayout(s, W, H)).toEqual(first);
  });
});

describe('while diagnosing', () => {
  const step = (id: string, status: StepState['status'], detail?: string): StepState => ({
    id,
    label: `Probe ${id}`,
    status,
    startedAt: 1000,
    ...(status === 'running' ? {} : { endedAt: 2500 }),
    ...(detail ? { detail } : {}),
  });

  it('a finished step: mark, label, time, and at most 3 lines of detail', () => {
    const long = 'EHOSTUNREACH: ICMP 3/10 host administratively prohibited (firewalld / iptables host-prohibited), or 3/13 communication administratively prohibited (nftables admin-prohibited) (the socket cannot tell these apart) '.repeat(2);
    const lines = finishedStepLines(step('198.51.100.100:123', 'failed', `0/3 replies: ${long}`), W);
    expectFits(lines, 4);
    expect(lineText(lines[0]!)).toBe('✘ Probe 198.51.100.100:123  1.5 s');
    expect(lineText(lines[1]!)).toMatch(/^ {4}0\/3 replies: EHOSTUNREACH/);
    expect(lineText(lines[3]!).endsWith('…')).toBe(true);
    expect(lineText(finishedStepLines(step('configs', 'done'), W)[0]!)).toMatch(/^✔ /);
  });

  it('running steps with a spinner and elapsed time, then the live capture pane, within the height', () => {
    let s = [
      { type: 'step', step: { id: 'configs', label: 'Configs, daemons, addresses', status: 'running' }, at: 0 },
      { type: 'step', step: { id: 'capture', label: 'Capture 10 s on any interface', status: 'running' }, at: 0 },
    ].reduce((a, b) => reduce(a, b as Action), initialState);
    for (const exchange of [...healthy, ...healthy, ...healthy, ...rejected]) s = reduce(s, { type: 'exchange', exchange });
    const lines = diagnosingLines(s, W, H, '⠋', 1234);
    expectFits(lines);
    const t = text(lines);
    expect(t).toContain('⠋ Configs, daemons, addresses  1.2 s');
    expect(t).toContain('── Capture 10 s on any interface');
    // The server's own sparkline (both fixtures talk to 198.51.100.100: one line).
    expect(t).toMatch(/^198\.51\.100\.100 [▁▂▃▄▅▆▇█·]{4,}/m);
    expect(t).toContain('ICMP 3/10');
    expect(t).toMatch(/reply s\d+/);
    expect(lineText(lines[lines.length - 1]!)).toBe('? keys · q quit');
  });

  it('the capture pane alone: title, sparkline with last/min/max, the newest rows that fit', () => {
    let s = initialState;
    for (const exchange of healthy) s = reduce(s, { type: 'exchange', exchange });
    const lines = capturePaneLines(s.capture!, W, 6);
    expectFits(lines, 6);
    expect(lineText(lines[1]!)).toMatch(/^198\.51\.100\.100 [▁▂▃▄▅▆▇█]+ +last [+-][\d.]+ (ms|µs|s) +min .* max /);
    expect(lineText(lines[2]!)).toMatch(/^time +client → server +outcome +offset +delay/);
    // 6 lines: title, chart, heading, then the 3 newest exchanges.
    expect(lineText(lines[5]!)).toContain(healthy[healthy.length - 1]!.client.ip);
  });
});
