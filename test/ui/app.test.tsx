/**
 * The App through Ink (ink-testing-library): a diagnosis that reports real stages and ends in a real report
 * (fixtures/firewall-reject-hostprohib.pcap through the whole pipeline), keys sent on stdin, frames read back.
 */
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NtpExchange } from '../../src/model/exchange.js';
import type { Report } from '../../src/diagnose/types.js';
import { renderChecklist } from '../../src/render/checklist.js';
import { App, type DiagnoseHooks, type ExitOutcome } from '../../src/ui/App.js';
import { textWidth } from '../../src/ui/text.js';
import { exchangesOf, HEALTHY, MANY, REJECT, reportOf } from './_reports.js';

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const ESC = '\x1b';

let reject: Report;
let many: Report;
let healthy: NtpExchange[];

beforeAll(async () => {
  [reject, many, healthy] = await Promise.all([reportOf(REJECT), reportOf(...MANY), exchangesOf(HEALTHY)]);
});

/** Bounded poll on the last frame (Ink renders asynchronously). */
async function until(frame: () => string, test: (f: string) => boolean, what: string, ms = 3000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const f = frame();
    if (test(f)) return f;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A diagnosis we drive from the test: stages and exchanges on demand, then the report. */
function controlled() {
  let hooks: DiagnoseHooks | undefined;
  let finish: (r: Report) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const diagnose = (h: DiagnoseHooks) => {
    hooks = h;
    return new Promise<Report>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { diagnose, hooks: () => hooks!, finish: (r: Report) => finish(r), fail: (e: Error) => fail(e) };
}

function mount(diagnose: (h: DiagnoseHooks) => Promise<Report>, rows = 24) {
  const exits: ExitOutcome[] = [];
  const written: Array<{ path: string; markdown: string }> = [];
  const app = render(
    <App
      host="node0"
      diagnose={diagnose}
      checklistPath="/tmp/ndtui-test/ntpdoctor-checklist.md"
      writeChecklist={async (path, markdown) => {
        written.push({ path, markdown });
      }}
      onExit={(o) => exits.push(o)}
      columns={80}
      rows={rows}
      now={() => 5000}
      tickMs={20}
    />,
  );
  const frame = () => (app.lastFrame() ?? '').replace(ANSI, '');
  return { app, frame, exits, written };
}

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

describe('the guided diagnosis (Ink)', () => {
  it('shows each stage as it runs, finished ones once, then the findings ranked', async () => {
    const d = controlled();
    const { app, frame } = mount(d.diagnose);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('diagnosing this node (node0)'), 'the title');
    d.hooks().onStep({ id: 'configs', label: 'Configs, daemons, addresses', status: 'running' });
    d.hooks().onStep({ id: 'probe:198.51.100.100:123', label: 'Probe 198.51.100.100:123 (--server)', status: 'running' });
    await until(frame, (f) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Probe 198\.51\.100\.100:123 \(--server\)/.test(f), 'a spinner on the probe');
    d.hooks().onStep({ id: 'configs', label: 'Configs, daemons, addresses', status: 'done', detail: '1 config: /tmp/ndtui/chrony.conf; no time daemon running' });
    d.hooks().onStep({ id: 'probe:198.51.100.100:123', label: 'Probe 198.51.100.100:123 (--server)', status: 'failed', detail: '0/3 replies: EHOSTUNREACH: ICMP 3/10' });
    let f = await until(frame, (x) => x.includes('✘ Probe'), 'the failed probe');
    expect(f).toContain('✔ Configs, daemons, addresses');
    expect(f).toContain('    1 config: /tmp/ndtui/chrony.conf; no time daemon running');
    expect(f).toContain('    0/3 replies: EHOSTUNREACH: ICMP 3/10');
    // Finished steps are printed once, in the order they finished.
    expect(f.indexOf('✔ Configs')).toBeLessThan(f.indexOf('✘ Probe'));
    expect(f).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Probe/);
    d.finish(reject);
    f = await until(frame, (x) => x.includes('firewall-reject'), 'the findings');
    expect(f).toContain('1 finding (1 error) · exit 1');
    expect(f).toMatch(/› 1\. +ERROR +198\.51\.100\.100's firewall rejects NTP/);
    for (const line of f.split('\n')) expect(textWidth(line), line).toBeLessThanOrEqual(80);
  });

  it('Enter opens the evidence and fixes, Esc goes back, j moves the selection', async () => {
    const { app, frame } = mount(async () => many);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('› 1.'), 'the list');
    app.stdin.write('j');
    let f = await until(frame, (x) => x.includes('› 2.'), 'the second finding selected');
    expect(f).toContain(`› 2.`);
    app.stdin.write('k');
    await until(frame, (x) => x.includes('› 1.'), 'back to the first');
    app.stdin.write('\r');
    f = await until(frame, (x) => x.includes('Evidence'), 'the detail view');
    expect(f).toContain('$ firewall-cmd --permanent --add-service=ntp');
    expect(f).toContain('ICMP type 3 code 10');
    expect(f).toMatch(/lines 1-\d+\/\d+/);
    app.stdin.write('G');
    f = await until(frame, (x) => /lines (\d+)-(\d+)\/\2/.test(x), 'scrolled to the end');
    expect(f).toContain('See:');
    app.stdin.write(ESC);
    f = await until(frame, (x) => x.includes('Enter details'), 'the list again');
    expect(f).toContain('› 1.');
    const dynamic = f.slice(f.indexOf('ntpdoctor · 12 findings'));
    expect(dynamic.split('\n').length).toBeLessThanOrEqual(23);
  });

  it('w writes the same checklist `ntpdoctor checklist` prints, and says where', async () => {
    const { app, frame, written } = mount(async () => reject);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('firewall-reject'), 'the findings');
    app.stdin.write('w');
    const f = await until(frame, (x) => x.includes('Checklist written to'), 'the message');
    expect(f).toContain('Checklist written to /tmp/ndtui-test/ntpdoctor-checklist.md');
    expect(written).toHaveLength(1);
    expect(written[0]!.markdown).toBe(renderChecklist(reject));
    expect(written[0]!.markdown).toContain('- [ ] Step 1. [firewalld]');
  });

  it('q quits with the CLI exit status: 1 with the reject, 0 when healthy, 130 before the report', async () => {
    const cases: Array<[Report, number]> = [
      [reject, 1],
      [{ ...reject, findings: [] }, 0],
    ];
    for (const [report, status] of cases) {
      const { app, frame, exits } = mount(async () => report);
      await until(frame, (f) => f.includes('· exit'), 'the report');
      app.stdin.write('q');
      await until(() => String(exits.length), (n) => n === '1', 'the exit');
      expect(exits[0]).toEqual({ status, finished: true });
      app.unmount();
    }
    const d = controlled();
    const { app, frame, exits } = mount(d.diagnose);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('q quit'), 'the live area');
    app.stdin.write('q');
    await until(() => String(exits.length), (n) => n === '1', 'the exit');
    expect(exits[0]).toEqual({ status: 130, finished: false });
  });

  it('a failed diagnosis ends the app with status 2 and the error, for the CLI to print as one line', async () => {
    const d = controlled();
    const { app, frame, exits } = mount(d.diagnose);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('q quit'), 'the live area');
    const error = new Error('--server nowhere.invalid: no such host');
    d.fail(error);
    await until(() => String(exits.length), (n) => n === '1', 'the exit');
    expect(exits[0]).toEqual({ status: 2, error, finished: true });
  });

  it('the live capture pane: NTS-KE sessions as they go (onKeSession), and no "no exchange yet" when they were seen', async () => {
    const d = controlled();
    const { app, frame } = mount(d.diagnose);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('q quit'), 'the live area');
    d.hooks().onStep({ id: 'capture', label: 'Capture 10 s on any interface', status: 'running' });
    d.hooks().onKeSession({ client: '198.51.100.130', server: '198.51.100.1', port: 4460, connections: 1, outcome: 'refused', resetBy: 'server' });
    d.hooks().onKeSession({ client: '198.51.100.130', server: '198.51.100.1', port: 4460, connections: 3, outcome: 'refused', resetBy: 'server' });
    const f = await until(frame, (x) => x.includes('3 tries'), 'the session');
    expect(f).toContain('NTS-KE 198.51.100.130 → 198.51.100.1:4460 refused (RST from server), 3 tries');
    expect(f).toContain('1 NTS-KE session');
    expect(f).toContain('no NTP exchange yet (NTS-KE only so far)');
    expect(f).not.toContain('1 try');
  });

  it('the live capture pane: exchanges, offset and delay, a sparkline of the offsets', async () => {
    const d = controlled();
    const { app, frame } = mount(d.diagnose);
    unmount = app.unmount;
    await until(frame, (f) => f.includes('q quit'), 'the live area');
    d.hooks().onStep({ id: 'capture', label: 'Capture 10 s on any interface', status: 'running' });
    for (const x of healthy) d.hooks().onExchange(x);
    const f = await until(frame, (x) => x.includes(`${healthy.length} exchanges`), 'the exchanges');
    // The server's own sparkline (one per server).
    expect(f).toMatch(/^198\.51\.100\.100 [▁▂▃▄▅▆▇█]{6} +last /m);
    expect(f).toMatch(/198\.51\.100\.130 → 198\.51\.100\.100 +reply s10 +[+-][\d.]+ µs +[\d.]+ µs/);
    d.finish(reject);
    const done = await until(frame, (x) => x.includes('firewall-reject'), 'the findings');
    expect(done).toMatch(new RegExp(`capture: ${healthy.length} exchanges, \\d+ replies +[▁▂▃▄▅▆▇█]+ +last offset`));
  });
});
