/**
 * NO_COLOR in the TUI (issue 15 items 3 and 8): with colour off, the screen carries no colour at all. Ink's
 * chalk decides its colour level when it is first imported, and a test has no terminal: FORCE_COLOR is set
 * before Ink is loaded (dynamic imports), so that the coloured case really colours and the test can fail.
 */
import { afterAll, describe, expect, it } from 'vitest';

const saved = process.env.FORCE_COLOR;
process.env.FORCE_COLOR = '1';
afterAll(() => {
  if (saved === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = saved;
});

/** SGR colour parameters: 30–39, 90–97, 40–49, 100–107 (38;…/48;… included), and 2 (dim, painted grey). */
const COLOUR_SGR = /\x1b\[(?:\d+;)*(?:3[0-9]|9[0-7]|4[0-9]|10[0-7]|2)(?:;\d+)*m/;

async function frameOf(color: boolean): Promise<string> {
  const [{ render }, { App }, { reportOf, REJECT }] = await Promise.all([
    import('ink-testing-library'),
    import('../../src/ui/App.js'),
    import('./_reports.js'),
  ]);
  const report = await reportOf(REJECT);
  const app = render(
    <App host="node0" diagnose={async () => report} checklistPath="/tmp/x.md" writeChecklist={async () => {}} onExit={() => {}} columns={80} rows={24} color={color} />,
  );
  try {
    const deadline = Date.now() + 3000;
    for (;;) {
      const f = app.lastFrame() ?? '';
      if (f.includes('› ') && f.includes('firewall')) return f;
      if (Date.now() > deadline) throw new Error(`no list; last frame:\n${f}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    app.unmount();
  }
}

describe('colour in the TUI', () => {
  it('colours by default: the ERROR label is red', async () => {
    expect(await frameOf(true)).toMatch(COLOUR_SGR);
  });

  it('none at all with colour off (NO_COLOR); the selection stays inverse, which is emphasis, not colour', async () => {
    const f = await frameOf(false);
    expect(f).not.toMatch(COLOUR_SGR);
    expect(f).toMatch(/\x1b\[7m/);
  });
});
