/** `ntpdoctor lint FILE`: the config rules alone, exit 0 / 1 / 2 (docs/architecture.md), text and --json. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CommandIo } from '../../src/cli/io.js';
import { CONFIGS } from './_build.js';
import { parseReport } from '../_schema.js';

async function lint(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false };
  const code = await main(['lint', ...argv], io);
  return { code, out, err };
}

describe('ntpdoctor lint', () => {
  it("exits 1 on the seed's first node0 config, self-sync first (192.168.1.100 given as this host's address)", async () => {
    const r = await lint(`${CONFIGS}seed000-node0-first.ntp.conf`, '--local-ip', '192.168.1.100', '--json');
    expect(r.code).toBe(1);
    const report = parseReport<{ findings: Array<{ rule: string }>; inputs: Array<{ kind: string; flavor: string }> }>(r.out);
    expect(report.findings[0]!.rule).toBe('self-sync');
    expect(report.inputs[0]).toMatchObject({ kind: 'config', flavor: 'ntpd' });
  });

  it("exits 0 on seed 002's sound server config, and prints the text report", async () => {
    const r = await lint(`${CONFIGS}seed002-server.ntp.conf`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No findings');
  });

  it('exits 1 on the final config (local-clock-mismatch is a warning)', async () => {
    const r = await lint(`${CONFIGS}seed000-node0-final.ntp.conf`);
    expect(r.code).toBe(1);
    expect(r.out).toContain('local-clock-mismatch');
  });

  it('exits 2 with one line for a missing file or a bad option', async () => {
    const missing = await lint('/nonexistent/ntp.conf');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('ntpdoctor: /nonexistent/ntp.conf: no such file\n');
    expect((await lint(`${CONFIGS}seed002-server.ntp.conf`, '--flavor', 'openntpd')).code).toBe(2);
  });
});
