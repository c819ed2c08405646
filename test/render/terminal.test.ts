/**
 * The terminal sanitizer (src/render/terminal.ts) and the JSON escaping (src/render/json.ts) as data, then every
 * renderer — text report, checklist, JSON, probe transcript, trace, the TUI's views — fed the hostile corpus in
 * every string a real report carries (test/hostile.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AddressProbe } from '../../src/probe/client.js';
import { unixNsToNtp } from '../../src/net/clock.js';
import { readErrno } from '../../src/probe/errno.js';
import { renderTrace } from '../../src/render/trace.js';
import type { TraceResult } from '../../src/run/trace.js';
import { renderTranscript } from '../../src/render/transcript.js';
import { renderChecklist } from '../../src/render/checklist.js';
import { renderJson, toJson } from '../../src/render/json.js';
import { escapeControls, escapeDeep, isTerminalSafe, oneLine, toTerminal } from '../../src/render/terminal.js';
import { renderText } from '../../src/render/text.js';
import type { Report } from '../../src/diagnose/types.js';
import { initialState, reduce, type UiState } from '../../src/ui/state.js';
import { lineText } from '../../src/ui/text.js';
import { capturePaneLines, detailLines, finishedStepLines, listLines, titleLine } from '../../src/ui/views.js';
import { exchangesOf, MANY, reportOf } from '../ui/_reports.js';
import { ALL, expectOneLine, expectTerminalSafe, HOSTILE, poison } from '../hostile.js';

describe('escapeControls', () => {
  it.each([
    ['clear screen', HOSTILE.clear, '\\x1b[2J'],
    ['OSC 52 clipboard write', HOSTILE.osc52, '\\x1b]52;c;cm0gLXJmIH4K\\x07'],
    ['C1 CSI', HOSTILE.csi8, '\\u009b31m'],
    ['C1 OSC / ST', HOSTILE.osc8, '\\u009d0;title\\u009c'],
    ['NUL and DEL', `${HOSTILE.nul}${HOSTILE.del}`, '\\x00\\x7f'],
    ['carriage return overwrite', HOSTILE.overwrite, 'real value\\rFAKE'],
    ['newline and tab', `${HOSTILE.newline}${HOSTILE.tab}`, 'one\\ntwoa\\tb'],
    ['RLO / PDF', HOSTILE.rlo, 'txt\\u202eexe.sh\\u202c'],
    ['RLI / PDI', HOSTILE.isolate, '\\u2067evil\\u2069'],
    ['line separator', HOSTILE.lsep, 'a\\u2028b'],
    ['lone high surrogate', HOSTILE.loneHigh, 'x\\ud800y'],
    ['lone low surrogate', HOSTILE.loneLow, 'x\\udc00y'],
    ['LRM, RLM, ALM, ZWSP, BOM', '\u200e\u200f\u061c\u200b\ufeff', '\\u200e\\u200f\\u061c\\u200b\\ufeff'],
  ])('%s is shown escaped', (_what, raw, shown) => {
    expect(escapeControls(raw)).toBe(shown);
    expect(isTerminalSafe(escapeControls(raw))).toBe(true);
  });

  it('leaves text alone: backslashes (a fix command has them), non-Latin text, emoji pairs, U+00A0 and up', () => {
    for (const s of ["sed -i '1c\\server 127.127.1.0' /etc/ntp.conf", 'Zeitgeber über 时间 ⏱️ 🕰', '\u00a0é\u00ff', '\ud83d\udd70']) {
      expect(escapeControls(s)).toBe(s);
      expect(isTerminalSafe(s)).toBe(true);
    }
  });

  it('is idempotent: escaped text has nothing left to escape', () => {
    const once = escapeControls(ALL);
    expect(escapeControls(once)).toBe(once);
  });

  it('is linear: a million control units in seconds, not minutes (a quadratic escape would take minutes)', () => {
    // About 0.3 s on an idle 2-core machine; the bound leaves room for a loaded one.
    const big = '\x1b\u009b\u202e\ud800'.repeat(250_000);
    const t0 = performance.now();
    const out = escapeControls(big);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(out.length).toBe(250_000 * (4 + 6 + 6 + 6));
  });
});

describe('toTerminal', () => {
  it('puts the only line breaks between lines; a newline inside a line is data', () => {
    expect(toTerminal(['a', 'b\nc', ''])).toBe('a\nb\\nc\n\n');
  });
  it('colours only when asked, after escaping: a value cannot open or close a colour', () => {
    const line = [{ text: '[ERROR]', style: 'error' as const }, { text: ` ${HOSTILE.csi8}\x1b[0m title` }];
    expect(toTerminal([line])).toBe('[ERROR] \\u009b31m\\x1b[0m title\n');
    expect(toTerminal([line], { color: true })).toBe('\x1b[31;1m[ERROR]\x1b[0m \\u009b31m\\x1b[0m title\n');
  });
});

describe('oneLine', () => {
  it('is one line whatever the message holds, and cut when huge, saying by how much', () => {
    expect(oneLine(`bad ${HOSTILE.newline} ${HOSTILE.clear}`)).toBe('bad one\\ntwo \\x1b[2J');
    const cut = oneLine(HOSTILE.long);
    expect(cut).toMatch(/^L{2000}… \(98000 more characters\)$/);
    // Never half a surrogate pair at the cut.
    expect(oneLine(`${'a'.repeat(1999)}\ud83d\udd70`)).toBe(`${'a'.repeat(1999)}… (2 more characters)`);
  });
});

describe('toJson', () => {
  it('escapes DEL, C1, bidi and separators as \\u escapes, and round-trips every value exactly', () => {
    const value = { all: ALL, long: HOSTILE.long, nested: [HOSTILE.csi8, { k: HOSTILE.rlo }] };
    const text = toJson(value);
    expectTerminalSafe(text);
    expect(text).toContain('\\u009b31m');
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\ud800');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('escapeDeep', () => {
  it('escapes strings in a tree and returns clean parts as they are (no copy)', () => {
    const clean = { a: 'x', b: [1, 'y'] };
    expect(escapeDeep(clean)).toBe(clean);
    const mixed = { clean, bad: [HOSTILE.clear] };
    const out = escapeDeep(mixed);
    expect(out).toEqual({ clean, bad: ['\\x1b[2J'] });
    expect(out.clean).toBe(clean);
  });
});

/** A probe as the client records it, every server-given string hostile. */
function hostileProbe(): AddressProbe {
  const T1 = 1_763_769_600_000_000_000n;
  const t = (ns: bigint) => unixNsToNtp(ns);
  const packet = {
    leap: 0, version: 4, mode: 4 as const, stratum: 1, poll: 1, precision: -20, rootDelay: 0, rootDispersion: 0.001, refid: 0x1b9b0700,
    referenceTime: t(T1 - 1_000_000_000n), originTime: t(T1), receiveTime: t(T1 + 1_000_000n), transmitTime: t(T1 + 1_100_000n), extensions: [],
  };
  const base = { localAddress: ALL, localPort: 40000, transmit: t(T1), sentAt: 1, requestLength: 48 };
  return {
    address: ALL, family: 4, port: 123, version: 4, precision: -24, best: 1, stoppedEarly: ALL,
    samples: [
      { ...base, index: 1, outcome: 'reply', packet, refidText: ALL, replyLength: 48, offset: 0.001, delay: 0.002, dispersion: 0.0001, bogus: [ALL] },
      { ...base, index: 2, outcome: 'reply', packet: { ...packet, stratum: 0 }, refidText: ALL, bogus: [] },
      { ...base, index: 3, outcome: 'icmp', errno: { ...readErrno('EHOSTUNREACH', 4), text: ALL }, bogus: [] },
      { ...base, index: 4, outcome: 'none', note: ALL, bogus: [] },
      { ...base, index: 5, outcome: 'none', bogus: [] },
    ],
  } as AddressProbe;
}

describe('every renderer on hostile data', () => {
  let report: Report;
  beforeAll(async () => {
    report = poison(await reportOf(...MANY));
    report.findings[0]!.fixes[0]!.commands.push(HOSTILE.long);
  });

  it('renderText: plain and in colour (nothing but its own SGR codes)', () => {
    expectTerminalSafe(renderText(report), 'text');
    const colored = renderText(report, { color: true });
    expectTerminalSafe(colored.replace(/\x1b\[(?:31;1|33;1|36|32;1|0)m/g, ''), 'colored text');
    // The payload is there, escaped: the reader still sees what the input held.
    expect(renderText(report)).toContain('\\x1b]52;c;cm0gLXJmIH4K\\x07');
  });

  it('renderChecklist (printed, and written by the TUI)', () => {
    expectTerminalSafe(renderChecklist(report), 'checklist');
  });

  it('renderJson: inert, and the exact values come back', () => {
    const text = renderJson(report);
    expectTerminalSafe(text, 'json');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('renderTranscript: refids, notes, errno text and addresses from the probe', () => {
    const p = hostileProbe();
    const text = renderTranscript(p, { host: ALL, dropped: ALL });
    expectTerminalSafe(text, 'transcript');
    expect(text.split('\n').length).toBeGreaterThan(15);
  });

  it('renderTrace: mode 6 values (refid, system peer, sources) and the summary', () => {
    const probe = hostileProbe();
    const t = {
      host: ALL,
      hops: [
        { address: ALL, port: 123, via: 'mode6', mode6: true, probe, stratum: 2, leap: 0, refidText: ALL, upstream: ALL, peers: [ALL, ALL], control: { refid: ALL, systemPeer: ALL, stratum: 2 } },
        { address: ALL, port: 123, via: 'refid', mode6: false, probe, refidText: ALL },
      ],
      end: 'loop',
      summary: ALL,
      run: { report },
    } as unknown as TraceResult;
    expectTerminalSafe(renderTrace(t), 'trace');
  });

  it('the TUI: findings list, detail, steps, capture pane, messages and the title', async () => {
    const exchanges = poison(await exchangesOf('rate-limit-kod.pcap'));
    let s: UiState = initialState;
    s = reduce(s, { type: 'step', step: { id: 'config', label: ALL, status: 'running' }, at: 0 });
    s = reduce(s, { type: 'step', step: { id: 'config', label: ALL, status: 'failed', detail: ALL }, at: 1 });
    s = reduce(s, { type: 'step', step: { id: 'capture', label: ALL, status: 'running' }, at: 1 });
    for (const x of exchanges.slice(0, 20)) s = reduce(s, { type: 'exchange', exchange: x });
    s = reduce(s, { type: 'report', report });
    s = reduce(s, { type: 'message', text: ALL, tone: 'error' });
    const screens = [[titleLine(ALL, 80)], finishedStepLines(s.steps[0]!, 80), capturePaneLines(s.capture!, 80, 24), listLines(s, 80, 24).lines];
    for (let i = 0; i < report.findings.length; i++) screens.push(detailLines({ ...s, view: 'detail', selected: i }, 80, 24).lines);
    for (const lines of screens) for (const line of lines) expectTerminalSafe(lineText(line), 'tui line');
    expectTerminalSafe(s.error ?? '', 'tui error');
    expectTerminalSafe(reduce(s, { type: 'failed', message: ALL }).error ?? '', 'tui error');
  });
});

describe('error lines', () => {
  it('oneLine keeps stderr to one safe line for the whole corpus', () => {
    expectOneLine(`ntpdoctor: ${oneLine(ALL)}\n`);
    expectOneLine(`ntpdoctor: ${oneLine(HOSTILE.long + ALL)}\n`);
  });
});
