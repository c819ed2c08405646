/**
 * A live capture that saw nothing must not say "No findings": `ntpdoctor capture` on the loopback of a namespace of
 * its own (no traffic at all, no address but 127.0.0.1) gets the same no-ntp-seen finding as a file with no NTP, with
 * the interface it captured on. Root, tcpdump and a built dist/cli.js; otherwise one SKIPPED line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { labUnavailable, skipLine } from './lab.js';
import { parseReport } from '../_schema.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const why = labUnavailable(['tcpdump']) ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('live capture of nothing → no-ntp-seen', why);
const NS = `ndnsl-${process.pid.toString(36)}`;

describe.skipIf(why !== undefined)('live capture of nothing', () => {
  let made = false;
  afterAll(() => {
    if (made) execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
  });

  it('reports no-ntp-seen with the interface and link type, exit 1', () => {
    execFileSync('ip', ['netns', 'add', NS]);
    made = true;
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    const r = spawnSync('ip', ['netns', 'exec', NS, 'node', CLI, 'capture', '-i', 'lo', '--duration', '2', '--json', '--backend', 'tcpdump'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = parseReport<Report>(r.stdout);
    expect(report.findings.map((f) => f.rule), r.stderr).toEqual(['no-ntp-seen']);
    expect(report.findings[0]!.evidence.map((e) => e.text)).toEqual(['0 frames read, 0 NTP/ICMP frames among them', 'Link type: Ethernet', 'Captured on: lo']);
    expect(r.status).toBe(1);
  }, 90_000);
});
