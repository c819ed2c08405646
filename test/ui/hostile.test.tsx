/**
 * The TUI through Ink with the hostile corpus (test/hostile.ts) in everything that reaches the screen from
 * outside: the host name, step labels and details, live exchanges, every string of the report, and the
 * checklist `w` writes. Every frame Ink produced must hold nothing but Ink's own colour codes.
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { App, type DiagnoseHooks } from '../../src/ui/App.js';
import { ALL, expectTerminalSafe, poison } from '../hostile.js';
import { exchangesOf, MANY, reportOf } from './_reports.js';

/** Ink's styling (SGR) only: a hostile `ESC [2J` or OSC would survive this and fail the check. */
const SGR = /\x1b\[[0-9;]*m/g;

async function until(test: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the TUI with hostile data', () => {
  it('paints every frame escaped: steps, live capture, list, details, the message; writes an escaped checklist', async () => {
    const report = poison(await reportOf(...MANY));
    const exchanges = poison(await exchangesOf('rate-limit-kod.pcap'));
    const written: string[] = [];
    let finish: (r: Report) => void = () => {};
    let hooks: DiagnoseHooks | undefined;
    const app = render(
      <App
        host={ALL}
        diagnose={(h) => {
          hooks = h;
          return new Promise<Report>((resolve) => (finish = resolve));
        }}
        checklistPath={`/tmp/${ALL}/checklist.md`}
        writeChecklist={async (_path, markdown) => {
          written.push(markdown);
          throw Object.assign(new Error(ALL), { code: ALL });
        }}
        onExit={() => {}}
        columns={100}
        rows={30}
        now={() => 5000}
        tickMs={20}
      />,
    );
    try {
      await until(() => hooks !== undefined && (app.lastFrame() ?? '').includes('diagnosing this node'), 'the diagnosis to start');
      hooks!.onStep({ id: 'config', label: ALL, status: 'running' });
      hooks!.onStep({ id: 'config', label: ALL, status: 'failed', detail: ALL });
      hooks!.onStep({ id: 'capture', label: ALL, status: 'running' });
      for (const x of exchanges.slice(0, 10)) hooks!.onExchange(x);
      // The pane's title line is cut by the long label: its column header shows it is there.
      await until(() => (app.lastFrame() ?? '').includes('client → server'), 'the capture pane');
      finish(report);
      await until(() => (app.lastFrame() ?? '').includes('Enter details'), 'the findings');
      for (const key of ['j', '\r', 'j', 'j', 'G', '\x1b', 'G', '\r', 'w']) {
        app.stdin.write(key);
        await new Promise((r) => setTimeout(r, 30));
      }
      await until(() => (app.lastFrame() ?? '').includes('Cannot write'), 'the error message');
      expect(app.frames.length).toBeGreaterThan(5);
      for (const frame of app.frames) expectTerminalSafe(frame.replace(SGR, ''), 'an Ink frame');
      expect(app.lastFrame()).toContain('\\x1b]52;c;');
      expect(written).toHaveLength(1);
      expectTerminalSafe(written[0]!, 'the checklist file');
    } finally {
      app.unmount();
    }
  });
});
