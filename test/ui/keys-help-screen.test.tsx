/**
 * Issue 15 item 8 in the TUI: `?` key help, verdict icons that match the verdict (a stratum-16 probe is not a
 * green ✔), `w` asks before overwriting, NO_COLOR means no colour, one sparkline per server, no column running
 * into the next at 80 columns, and the alternate screen (entered, cleared on resize, left once on exit).
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NtpExchange } from '../../src/model/exchange.js';
import type { Report } from '../../src/diagnose/types.js';
import { describeProbe } from '../../src/run/progress.js';
import type { AddressProbe } from '../../src/probe/client.js';
import { formatSeconds } from '../../src/render/format.js';
import { App, type DiagnoseHooks } from '../../src/ui/App.js';
import { CLEAR, colorFromEnv, ENTER_ALT, enterAlternateScreen, LEAVE_ALT } from '../../src/ui/screen.js';
import { initialState, reduce, type UiState } from '../../src/ui/state.js';
import { lineText } from '../../src/ui/text.js';
import { capturePaneLines, finishedStepLines, helpLines, HELP_KEYS } from '../../src/ui/views.js';
import { exchangesOf, HEALTHY, REJECT, reportOf } from './_reports.js';

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

let reject: Report;
let healthy: NtpExchange[];
beforeAll(async () => {
  [reject, healthy] = await Promise.all([reportOf(REJECT), exchangesOf(HEALTHY)]);
});

async function until(frame: () => string, test: (f: string) => boolean, what: string, ms = 3000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const f = frame();
    if (test(f)) return f;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function mount(opts: { diagnose?: (h: DiagnoseHooks) => Promise<Report>; color?: boolean; exists?: boolean } = {}) {
  const writes: Array<{ overwrite: boolean }> = [];
  let exists = opts.exists ?? false;
  const app = render(
    <App
      host="node0"
      diagnose={opts.diagnose ?? (async () => reject)}
      checklistPath="/tmp/ndtui-test/ntpdoctor-checklist.md"
      writeChecklist={async (_path, _markdown, overwrite) => {
        if (exists && !overwrite) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        writes.push({ overwrite });
        exists = true;
      }}
      onExit={() => {}}
      columns={80}
      rows={24}
      now={() => 5000}
      tickMs={20}
      {...(opts.color !== undefined ? { color: opts.color } : {})}
    />,
  );
  const raw = () => app.lastFrame() ?? '';
  const frame = () => raw().replace(ANSI, '');
  return { app, frame, raw, writes };
}

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

describe('? shows the keys', () => {
  it('over the findings list and while the diagnosis runs; ? or Esc closes it', async () => {
    const { app, frame } = mount();
    unmount = app.unmount;
    await until(frame, (f) => f.includes('? keys'), 'the list');
    app.stdin.write('?');
    let f = await until(frame, (x) => x.includes('ntpdoctor · keys'), 'the help');
    for (const [, what] of HELP_KEYS) expect(f).toContain(what.slice(0, 30));
    expect(f).not.toContain('› 1.');
    app.stdin.write('\x1b');
    f = await until(frame, (x) => x.includes('› 1.'), 'the list again');
    app.stdin.write('?');
    await until(frame, (x) => x.includes('ntpdoctor · keys'), 'the help again');
    app.stdin.write('?');
    await until(frame, (x) => x.includes('› 1.'), 'closed by ?');
  });

  it('works before the report too', async () => {
    const { app, frame } = mount({ diagnose: () => new Promise<Report>(() => {}) });
    unmount = app.unmount;
    await until(frame, (f) => f.includes('? keys · q quit'), 'the live area');
    app.stdin.write('?');
    await until(frame, (x) => x.includes('ntpdoctor · keys'), 'the help');
  });

  it('fits 80 columns and a short screen', () => {
    for (const line of helpLines(80, 24)) expect(stringWidth(lineText(line))).toBeLessThanOrEqual(80);
    expect(helpLines(40, 5)).toHaveLength(5);
  });
});

describe('verdict icons', () => {
  const probe = (stratum: number, leap: number, rejected: string[] | undefined, offset?: number): AddressProbe =>
    ({
      address: '198.51.100.100',
      port: 123,
      samples: [1, 2, 3].map((index) => ({
        index,
        outcome: 'reply',
        packet: { stratum, leap },
        ...(rejected ? { rejected } : {}),
        ...(offset !== undefined ? { offset, delay: 0.001 } : {}),
        bogus: [],
      })),
    }) as unknown as AddressProbe;

  it('a stratum-16 server answers, but no reply is usable: ⚠, not a green ✔', () => {
    const d = describeProbe(probe(16, 3, ['unsynchronized']), formatSeconds);
    expect(d).toEqual({ status: 'done', verdict: 'warning', detail: '3/3 replies, stratum 16, no usable reply (unsynchronized)' });
    const lines = finishedStepLines({ id: 'probe:x', label: 'Probe 198.51.100.100:123', status: 'done', detail: d.detail, verdict: 'warning', startedAt: 0, endedAt: 1000 }, 80);
    expect(lines[0]![0]).toMatchObject({ text: '⚠ ', tone: 'warning' });
    expect(lines[1]![0]!.tone).toBe('warning');
  });

  it('a KoD-only server: ⚠ with the kiss code; a healthy one ✔; a silent one ✘', () => {
    const kod = probe(0, 3, undefined);
    for (const s of kod.samples) s.refidText = 'RATE';
    expect(describeProbe(kod, formatSeconds)).toMatchObject({ verdict: 'warning', detail: '3/3 replies, stratum 0, no usable reply (KoD RATE)' });
    const ok = describeProbe(probe(2, 0, undefined, 0.0001), formatSeconds);
    expect(ok.verdict).toBeUndefined();
    expect(finishedStepLines({ id: 'p', label: 'Probe', startedAt: 0, ...ok }, 80)[0]![0]).toMatchObject({ text: '✔ ', tone: 'ok' });
    expect(finishedStepLines({ id: 'p', label: 'Probe', status: 'failed', startedAt: 0 }, 80)[0]![0]).toMatchObject({ text: '✘ ', tone: 'failed' });
  });

  it('in the App: the warning step is drawn with ⚠', async () => {
    let hooks: DiagnoseHooks | undefined;
    const { app, frame } = mount({ diagnose: (h) => ((hooks = h), new Promise<Report>(() => {})) });
    unmount = app.unmount;
    await until(frame, (f) => f.includes('q quit') && hooks !== undefined, 'the live area');
    hooks!.onStep({ id: 'probe:a', label: 'Probe 198.51.100.100:123 (--server)', status: 'running' });
    hooks!.onStep({ id: 'probe:a', label: 'Probe 198.51.100.100:123 (--server)', status: 'done', verdict: 'warning', detail: '3/3 replies, stratum 16, no usable reply (unsynchronized)' });
    const f = await until(frame, (x) => x.includes('Probe 198.51.100.100:123 (--server)  '), 'the finished probe');
    expect(f).toContain('⚠ Probe 198.51.100.100:123');
    expect(f).not.toContain('✔ Probe');
  });
});

describe('w asks before overwriting', () => {
  it('file there: asks y/N; n keeps it; y overwrites', async () => {
    const { app, frame, writes } = mount({ exists: true });
    unmount = app.unmount;
    await until(frame, (f) => f.includes('› 1.'), 'the list');
    app.stdin.write('w');
    await until(frame, (f) => f.includes('ntpdoctor-checklist.md exists. Overwrite it? y/N'), 'the question');
    expect(writes).toEqual([]);
    app.stdin.write('n');
    await until(frame, (f) => f.includes('Not written: /tmp/ndtui-test/ntpdoctor-checklist.md left as it was'), 'kept');
    expect(writes).toEqual([]);
    app.stdin.write('w');
    await until(frame, (f) => f.includes('Overwrite it? y/N'), 'the question again');
    app.stdin.write('y');
    await until(frame, (f) => f.includes('Checklist written to /tmp/ndtui-test/ntpdoctor-checklist.md'), 'written');
    expect(writes).toEqual([{ overwrite: true }]);
  });

  it('no file: written at once, without a question', async () => {
    const { app, frame, writes } = mount({ exists: false });
    unmount = app.unmount;
    await until(frame, (f) => f.includes('› 1.'), 'the list');
    app.stdin.write('w');
    await until(frame, (f) => f.includes('Checklist written to'), 'written');
    expect(writes).toEqual([{ overwrite: false }]);
  });
});

describe('colour from the environment', () => {
  it('NO_COLOR (non-empty), FORCE_COLOR=0 and TERM=dumb turn colour off', () => {
    expect(colorFromEnv({})).toBe(true);
    expect(colorFromEnv({ NO_COLOR: '1' })).toBe(false);
    expect(colorFromEnv({ NO_COLOR: '' })).toBe(true);
    expect(colorFromEnv({ FORCE_COLOR: '0' })).toBe(false);
    expect(colorFromEnv({ TERM: 'dumb' })).toBe(false);
  });
});

describe('the live pane at 80 columns', () => {
  const other = (x: NtpExchange, ip: string): NtpExchange => ({ ...x, server: { ip, port: 123 } });

  it('one sparkline per server, never two servers on one line', () => {
    let s: UiState = initialState;
    for (const x of healthy) {
      s = reduce(s, { type: 'exchange', exchange: x });
      s = reduce(s, { type: 'exchange', exchange: other({ ...x, offset: (x.offset ?? 0) + 0.5 }, '198.51.100.200') });
    }
    expect(s.capture!.servers!.map((t) => [t.server, t.total])).toEqual([
      ['198.51.100.100', healthy.length],
      ['198.51.100.200', healthy.length],
    ]);
    const text = capturePaneLines(s.capture!, 80, 12).map(lineText);
    expect(text[1]).toMatch(/^198\.51\.100\.100 [▁▂▃▄▅▆▇█]+ +last [+-][\d.]+ µs/);
    expect(text[2]).toMatch(/^198\.51\.100\.200 [▁▂▃▄▅▆▇█]+ +last \+500\.\d+ ms/);
  });

  it('a long outcome never runs into the offset: a blank cell before every column', () => {
    const x = healthy.find((e) => e.outcome === 'reply')!;
    const unsync: NtpExchange = { ...x, reply: { ...x.reply!, stratum: 16, leap: 3 } };
    const s = reduce(initialState, { type: 'exchange', exchange: unsync });
    const lines = capturePaneLines(s.capture!, 80, 8);
    const row = lines[lines.length - 1]!;
    const outcome = row[1]!.text;
    expect(outcome.trimEnd()).toBe('reply s16 leap 3');
    expect(outcome.endsWith(' ')).toBe(true);
    for (const l of lines) expect(stringWidth(lineText(l))).toBeLessThanOrEqual(80);
  });
});

describe('the alternate screen', () => {
  class FakeTty extends EventEmitter {
    written = '';
    write(s: string): boolean {
      this.written += s;
      return true;
    }
  }

  it('entered at start, the screen cleared on each resize, left exactly once (and on process exit)', () => {
    const tty = new FakeTty();
    const exitListeners = process.listenerCount('exit');
    const screen = enterAlternateScreen(tty as unknown as NodeJS.WriteStream);
    expect(tty.written).toBe(ENTER_ALT);
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    tty.emit('resize');
    expect(tty.written).toBe(ENTER_ALT + CLEAR);
    screen.leave();
    screen.leave();
    tty.emit('resize');
    expect(tty.written).toBe(ENTER_ALT + CLEAR + LEAVE_ALT);
    expect(process.listenerCount('exit')).toBe(exitListeners);
    expect(tty.listenerCount('resize')).toBe(0);
  });
});
