/**
 * `ntpdoctor capture` says what NTS-KE does while it captures: on the loopback of a namespace of its own, two TCP
 * connections to 127.0.0.1:4460, where nothing listens (the kernel answers each SYN with RST: refused), appear on
 * stderr as they happen ('NTS-KE 127.0.0.1 → 127.0.0.1:4460 refused (RST from server), 1 try', then 2 tries), and the
 * report judges the session instead of saying nothing was seen. Root, tcpdump and a built dist/cli.js; otherwise
 * one SKIPPED line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { parseReport } from '../_schema.js';
import { labUnavailable, skipLine } from './lab.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const why = labUnavailable(['tcpdump']) ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('live capture of refused NTS-KE → status lines and report', why);
const NS = `ndkel-${process.pid.toString(36)}`;

/** Bounded poll. */
async function until(test: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One TCP connection attempt to 127.0.0.1:4460 inside the namespace; resolves when it was refused. */
function connectOnce(): void {
  const js = "const s=require('net').connect(4460,'127.0.0.1');s.on('error',(e)=>{process.stdout.write(e.code);process.exit(0)});s.on('connect',()=>{process.stdout.write('connected');process.exit(0)})";
  const out = execFileSync('ip', ['netns', 'exec', NS, process.execPath, '-e', js], { encoding: 'utf8', timeout: 10_000 });
  expect(out).toBe('ECONNREFUSED');
}

describe.skipIf(why !== undefined)('live capture of a refused NTS-KE', () => {
  let made = false;
  let pid: number | undefined;
  afterAll(() => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    if (made) execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
  });

  it('prints each session update on stderr while capturing, and the report has the session, not no-ntp-seen', async () => {
    execFileSync('ip', ['netns', 'add', NS]);
    made = true;
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    const child = spawn('ip', ['netns', 'exec', NS, process.execPath, CLI, 'capture', '-i', 'lo', '--duration', '4', '--json', '--backend', 'tcpdump'], { stdio: ['ignore', 'pipe', 'pipe'] });
    pid = child.pid;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await until(() => stderr.includes('capturing on lo'), 'the capture to start');
    // tcpdump prints "listening" a moment after the notice: give it a bounded look for the first connection.
    for (let i = 0; i < 40 && !stderr.includes('1 try'); i++) {
      connectOnce();
      await new Promise((r) => setTimeout(r, 100));
    }
    await until(() => stderr.includes('refused (RST from server), 1 try'), 'the first status line', 5000);
    connectOnce();
    await until(() => /refused \(RST from server\), \d+ tries/.test(stderr), 'the second try', 5000);
    const code = await exited;
    pid = undefined;
    expect(stderr).toMatch(/^ntpdoctor: NTS-KE 127\.0\.0\.1 → 127\.0\.0\.1:4460 refused \(RST from server\), 1 try$/m);
    const report = parseReport<Report>(stdout);
    expect(report.findings.map((f) => f.rule)).toContain('nts-ke-failure');
    expect(report.findings.map((f) => f.rule)).not.toContain('no-ntp-seen');
    expect(code).toBe(1);
  }, 60_000);
});
