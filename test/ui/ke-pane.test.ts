/**
 * NTS-KE sessions in the live views (issue 13 item 7's kind, shown while a capture runs): the real chronyd 4.3
 * captures (fixtures/wire/nts-*.pcap) fed through the live path's records → observations function
 * (src/run/records.ts observeRecords, as src/run/live-capture.ts calls it) with its onKeSession hook; the updates
 * through the TUI's reducer into the capture pane and the summary line, as data; `capture`'s bounded status lines;
 * and the diagnose run's capture step, which counts the sessions beside the exchanges.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read.js';
import type { Report } from '../../src/diagnose/types.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';
import type { NtsKeSessionUpdate } from '../../src/model/nts-wire.js';
import type { NtsKeSessionObservation } from '../../src/model/observation.js';
import { keSessionLine } from '../../src/render/nts-ke-live.js';
import { keNotices, MAX_KE_NOTICES } from '../../src/run/ke-notices.js';
import { diagnoseNode, type DiagnoseStep } from '../../src/run/node.js';
import { observeRecords } from '../../src/run/records.js';
import { initialState, PANE_KE_KEPT, reduce, type Action, type UiState } from '../../src/ui/state.js';
import { lineText } from '../../src/ui/text.js';
import { capturePaneLines, listLines } from '../../src/ui/views.js';

const WIRE = new URL('../../fixtures/wire/', import.meta.url).pathname;
const C = '198.51.100.130';
const S = '198.51.100.100';
const at = (n: number) => (n === 1 ? '1 try' : `${n} tries`);
const line = (outcome: string, n: number) => `NTS-KE ${C} → ${S}:4460 ${outcome}, ${at(n)}`;

/** A capture file through the live path, the KE updates as they came, and the final observations. */
async function live(name: string): Promise<{ updates: NtsKeSessionUpdate[]; sessions: NtsKeSessionObservation[] }> {
  const file = `${WIRE}${name}`;
  const updates: NtsKeSessionUpdate[] = [];
  const a = await observeRecords(file, (sink) => readCapture(file, sink), { onKeSession: (u) => updates.push(u) });
  return { updates, sessions: a.observations.filter((o): o is NtsKeSessionObservation => o.kind === 'nts-ke-session') };
}

const capturing: Action = { type: 'step', step: { id: 'capture', label: 'Capture 10 s on any interface', status: 'running' }, at: 0 };
const paneOf = (updates: NtsKeSessionUpdate[]): UiState => [capturing, ...updates.map((session): Action => ({ type: 'ke-session', session }))].reduce(reduce, initialState);
const paneText = (s: UiState, height = 12) => capturePaneLines(s.capture!, 80, height).map((l) => lineText(l).trimEnd());

describe('NTS-KE updates from the real captures, through the live path', () => {
  const cases: Array<[string, string[], string]> = [
    // SYN → RST, twice (chronyd's retry): the retry's fresh SYN does not hide the refusal before it.
    ['nts-ke-rejected.pcap', [line('no answer so far', 1), line('refused (RST from server)', 1), line('refused (RST from server)', 2)], 'refused'],
    // nft drop on TCP 4460: one SYN, nothing back, ever.
    ['nts-ke-dropped.pcap', [line('no answer so far', 1)], 'no-answer'],
    // nft reject admin-prohibited: each SYN answered by ICMP 3/13.
    ['nts-ke-icmp.pcap', [line('no answer so far', 1), line('ICMP 3/13', 1), line('ICMP 3/13', 2)], 'icmp'],
    ['nts-ke-alpn.pcap', [line('no answer so far', 1), line('open', 1), line('reset by server after the handshake began', 1)], 'reset-after-handshake'],
    ['nts-untrusted.pcap', [line('no answer so far', 1), line('open', 1), line('reset by client after the handshake began', 1)], 'reset-after-handshake'],
    ['nts-healthy.pcap', [line('no answer so far', 1), line('open', 1), line('key exchange completed', 1)], 'ok'],
  ];
  for (const [file, lines, verdict] of cases) {
    it(`${file}: ${lines.at(-1)}`, async () => {
      const { updates, sessions } = await live(file);
      expect(updates.map(keSessionLine)).toEqual(lines);
      // The live view and the report agree on the session and its tries.
      expect(sessions.map((s) => [s.client, s.server, s.port, s.outcome, s.connections.length])).toEqual([[C, S, 4460, verdict, updates.at(-1)!.connections]]);
    });
  }

  it('a capture file analysed without the hook pays nothing for it (no live tracker set)', async () => {
    const file = `${WIRE}nts-ke-rejected.pcap`;
    const a = await observeRecords(file, (sink) => readCapture(file, sink));
    expect(a.observations.filter((o) => o.kind === 'nts-ke-session')).toHaveLength(1);
  });
});

describe('the TUI capture pane shows key exchanges', () => {
  it('nts-ke-rejected: the session, its outcome and tries; never "no exchange yet" as if nothing was seen', async () => {
    const s = paneOf((await live('nts-ke-rejected.pcap')).updates);
    const text = paneText(s);
    expect(text[0]).toContain('0 exchanges, 0 replies · 1 NTS-KE session');
    expect(text).toContain(`NTS-KE ${C} → ${S}:4460 refused (RST from server), 2 tries`);
    expect(text).toContain('offset   no NTP exchange yet (NTS-KE only so far)');
    expect(text.some((l) => /no exchange yet/.test(l))).toBe(false);
    // On a narrow terminal the client goes first, then the server is cut; never the outcome or the tries.
    const at = (w: number) => capturePaneLines(s.capture!, w, 12).map((l) => lineText(l).trimEnd()).find((l) => l.startsWith('NTS-KE'));
    expect(at(62)).toBe(`NTS-KE ${S}:4460 refused (RST from server), 2 tries`);
    expect(at(50)).toMatch(/^NTS-KE 198\.5\S*… refused \(RST from server\), 2 tries$/);
    // Updated in place: one row for the session, not one per update.
    expect(s.capture!.ke).toEqual([{ client: C, server: `${S}:4460`, outcome: 'refused (RST from server)', ok: false, tries: 2 }]);
  });

  it('without key exchanges the pane reads as before', () => {
    expect(paneText(paneOf([]))).toContain('offset   no exchange yet');
  });

  it('nts-healthy: completed is shown as ok (green), the failing ones as errors', async () => {
    const s = paneOf((await live('nts-healthy.pcap')).updates);
    const lines = capturePaneLines(s.capture!, 80, 12);
    const row = lines.find((l) => lineText(l).startsWith('NTS-KE'))!;
    expect(row.find((seg) => seg.text === 'key exchange completed')?.tone).toBe('ok');
    const refused = capturePaneLines(paneOf((await live('nts-ke-rejected.pcap')).updates).capture!, 80, 12).find((l) => lineText(l).startsWith('NTS-KE'))!;
    expect(refused.find((seg) => seg.text.startsWith('refused'))?.tone).toBe('error');
  });

  it('an IPv6 server in brackets; many sessions: PANE_KE_KEPT rows, the rest counted once each, a short pane says how many more', () => {
    const u = (i: number, connections = 1): NtsKeSessionUpdate => ({ client: `2001:db8::${i + 1}`, server: '2001:db8::100', port: 4460, connections, outcome: 'refused', resetBy: 'server' });
    const updates = [...Array.from({ length: 12 }, (_, i) => u(i)), u(10, 2), u(11, 3), u(0, 2)];
    const s = paneOf(updates);
    expect(s.capture!.ke).toHaveLength(PANE_KE_KEPT);
    expect(s.capture!.ke![0]).toMatchObject({ server: '[2001:db8::100]:4460', tries: 2 });
    expect(s.capture!.otherKe).toHaveLength(12 - PANE_KE_KEPT);
    const text = paneText(s, 10);
    expect(text[0]).toContain('· 12 NTS-KE sessions');
    expect(text.filter((l) => l.startsWith('NTS-KE'))).toHaveLength(2);
    expect(text).toContain('  … 10 more NTS-KE sessions');
  });

  it('the summary line above the findings names the session (or counts several), beside the exchanges', async () => {
    const report: Report = { tool: 'ntpdoctor', version: '0', generatedAt: '', inputs: [], findings: [] } as unknown as Report;
    const one = reduce(paneOf((await live('nts-ke-rejected.pcap')).updates), { type: 'report', report });
    const top = listLines(one, 100, 20).lines.map((l) => lineText(l).trimEnd());
    expect(top.some((l) => l.startsWith(`capture: 0 exchanges, 0 replies, NTS-KE ${S}:4460 refused (RST from server), 2 tries`))).toBe(true);
  });

  it('addresses are escaped on the way in (state.ts): a hostile update cannot talk to the terminal', () => {
    const s = paneOf([{ client: 'a\u001b[31mb', server: 'c\u202ed', port: 4460, connections: 1, outcome: 'refused', resetBy: 'server' }]);
    expect(JSON.stringify(s.capture!.ke)).not.toMatch(/\u001b|\u202e/);
  });
});

describe("capture's status lines", () => {
  it('one per update, repeats dropped, at most MAX_KE_NOTICES and then one line saying the report has the rest', () => {
    const lines: string[] = [];
    const notify = keNotices((l) => lines.push(l));
    const u = (i: number): NtsKeSessionUpdate => ({ client: `198.51.100.${i + 1}`, server: S, port: 4460, connections: 1, outcome: 'refused', resetBy: 'server' });
    notify(u(0));
    notify(u(0));
    expect(lines).toEqual(['NTS-KE 198.51.100.1 → 198.51.100.100:4460 refused (RST from server), 1 try']);
    for (let i = 1; i < 50; i++) notify(u(i));
    expect(lines).toHaveLength(MAX_KE_NOTICES + 1);
    expect(lines.at(-1)).toBe('more NTS-KE sessions and tries than shown here: the report lists every session');
  });
});

describe('diagnose --capture: the capture step counts the key exchanges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndkepane-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const noTools: Runner = async (file, args) => ({ ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command: [file, ...args].join(' ') }) satisfies CommandResult;

  it('the capture (nts-ke-rejected.pcap as the source) streams its session to onKeSession; its step says "1 NTS-KE session"', async () => {
    mkdirSync(join(dir, 'proc'), { recursive: true });
    const steps: DiagnoseStep[] = [];
    const seen: NtsKeSessionUpdate[] = [];
    const file = `${WIRE}nts-ke-rejected.pcap`;
    await diagnoseNode({
      configs: [],
      noProbe: true,
      runner: noTools,
      procRoot: join(dir, 'proc'),
      addresses: [],
      onStep: (s) => steps.push(s),
      capture: {
        label: 'Capture (file)',
        onKeSession: (u) => seen.push(u),
        run: async ({ ready, exchange, keSession }) => {
          ready();
          const a = await observeRecords(file, (sink) => readCapture(file, sink), { onExchange: exchange, onKeSession: keSession });
          const input = { kind: 'capture' as const, name: file, format: 'pcap' as const, frames: a.read.frames, bytes: a.read.bytes, linkTypes: [1], ntpFrames: 0, paths: 0 };
          return { observations: a.observations, exchanges: a.exchanges, input };
        },
      },
    });
    expect(seen.map(keSessionLine).at(-1)).toBe(line('refused (RST from server)', 2));
    const done = steps.find((s) => s.id === 'capture' && s.status === 'done');
    expect(done?.detail).toBe('4 frames, 0 exchanges, 1 NTS-KE session');
  });
});
