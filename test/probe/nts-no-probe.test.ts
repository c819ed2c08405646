/**
 * The NTS-KE probe is network traffic: `diagnose --no-probe` must not open it; plain diagnose does (the control,
 * so the test can fail). A TCP listener on 127.0.0.1 counts the connections that reach it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseNode, type DiagnoseStep } from '../../src/run/node.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';

const noTools: Runner = async (file, args) =>
  ({ ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command: [file, ...args].join(' ') }) satisfies CommandResult;

describe('NTS-KE probe and --no-probe', () => {
  let dir = '';
  let server: Server;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'ntsnoprobe-'));
    writeFileSync(join(dir, 'chrony.conf'), `server 127.0.0.1 iburst nts ntsport ${(server.address() as AddressInfo).port}\n`);
    mkdirSync(join(dir, 'proc'));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (noProbe: boolean) => {
    const steps: DiagnoseStep[] = [];
    const report = await diagnoseNode({ configs: [join(dir, 'chrony.conf')], noProbe, runner: noTools, procRoot: join(dir, 'proc'), addresses: [], probeTimeout: 0.2, onStep: (s) => steps.push(s) });
    return { report, steps };
  };

  it('--no-probe: no connection, no NTS-KE step', async () => {
    connections = 0;
    const { steps } = await run(true);
    expect(connections).toBe(0);
    expect(steps.some((s) => s.id === 'nts-ke')).toBe(false);
  });

  it('control: diagnose opens one NTS-KE connection and judges what it got (the peer hangs up: no TLS)', async () => {
    connections = 0;
    const { report, steps } = await run(false);
    expect(connections).toBe(1);
    expect(steps.filter((s) => s.id === 'nts-ke').map((s) => s.status)).toEqual(['running', 'done']);
    const f = report.findings.find((x) => x.rule === 'nts-ke-failure');
    expect(f?.subject).toBe('127.0.0.1');
    expect(f?.title).toMatch(/TLS handshake fails/);
  });
});
