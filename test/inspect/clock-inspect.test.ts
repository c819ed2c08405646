/**
 * The clock collectors wired through the node inspection: a /proc tree with a chronyd -x whose status is the one
 * recorded under setpriv, and a runner that replays this kernel's recorded adjtimex bytes. The report must carry
 * no-clock-control for that pid, raised to a warning by the kernel's STA_UNSYNC; without any tool the kernel
 * state becomes an inspection gap instead of a guess.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseNode } from '../../src/run/node.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';

const fx = (n: string) => readFileSync(new URL(`fixtures/clock/${n}`, import.meta.url), 'utf8');
const TIMEX = '5 0000000000000000000000000000000000000000000000000024f400000000000024f40000000000400000000000000002000000000000000100000000000000\n';

const runner = (answers: Record<string, string>): Runner => async (file, args) => {
  const command = [file, ...args].join(' ');
  const out = answers[file];
  return (out !== undefined ? { ok: true, code: 0, stdout: out, stderr: '', command } : { ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command }) satisfies CommandResult;
};

describe('clock collectors inside diagnose (fake /proc, replayed tools)', () => {
  let dir: string;
  let conf: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndclock-'));
    conf = join(dir, 'chrony.conf');
    writeFileSync(conf, 'server 198.51.100.7 iburst\nmakestep 1 3\n');
    const proc = join(dir, 'proc');
    mkdirSync(join(proc, '123'), { recursive: true });
    writeFileSync(join(proc, '123', 'cmdline'), ['/usr/sbin/chronyd', '-x', '-f', conf, ''].join('\0'));
    writeFileSync(join(proc, '123', 'status'), fx('proc-status-no-sys-time.txt'));
    writeFileSync(join(proc, '123', 'uid_map'), '         0          0 4294967295\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const diagnose = (answers: Record<string, string>) =>
    diagnoseNode({ configs: [conf], noProbe: true, runner: runner(answers), procRoot: join(dir, 'proc'), addresses: [], probeTimeout: 0.2 });

  it('chronyd -x with the kernel unsynchronized: no-clock-control as a warning, CAP evidence from the fake /proc', async () => {
    const report = await diagnose({ perl: TIMEX });
    const f = report.findings.find((x) => x.rule === 'no-clock-control');
    expect(f, JSON.stringify(report.findings.map((x) => x.rule))).toBeDefined();
    expect(f!).toMatchObject({ subject: 'chronyd[123]', severity: 'warning' });
    expect(f!.evidence.map((e) => e.text).join('\n')).toContain('STA_UNSYNC set (status 0x40: UNSYNC)');
    const node = report.inputs.find((i) => i.kind === 'node');
    expect(JSON.stringify(node?.unseen ?? [])).not.toContain('adjtimex');
  });

  it('no tool answers: the kernel state is an inspection gap, and -x stays info', async () => {
    const report = await diagnose({});
    const node = report.inputs.find((i) => i.kind === 'node');
    expect((node?.unseen as string[]).join('\n')).toContain("the kernel's clock state (adjtimex): perl is not installed; adjtimex is not installed; timedatectl is not installed");
    expect(report.findings.find((x) => x.rule === 'no-clock-control')).toMatchObject({ severity: 'info' });
  });
});
