/**
 * Issue 5 item 5, proven in the lab: `ntpdoctor capture` run inside the client's namespace while a
 * real chronyd client polls a real chronyd server (`local stratum 10`, `allow`).
 *  1. The server's nftables rule `udp dport 123 reject with icmp type host-prohibited` (what firewalld does on
 *     CentOS 7, seed 3) → the capture names firewall-reject first, within its 6-second window.
 *  2. The rule removed (the fixed server) → healthy exchanges with their offsets, nothing at warning or worse.
 * Both through `cap` (libpcap in-process, arrival timestamps) and through the tcpdump fallback (--backend
 * tcpdump, kernel timestamps). --write files are opened by tcpdump and tshark.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { CHRONYD, CLI_IF, CLI_IP, labUnavailable, skipLine, SRV_IP, VethLab, waitFor } from './lab.js';
import { parseReport } from '../_schema.js';
import type { LiveCaptureInput } from '../../src/model/report-input.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const WINDOW = 6;

function capBuilt(): string | undefined {
  try {
    createRequire(import.meta.url)('cap');
    return undefined;
  } catch (error) {
    return `the optional module cap is not built (${String((error as Error).message).split('\n')[0]})`;
  }
}

const why = labUnavailable([CHRONYD, 'nft', 'setpriv', 'ethtool', 'tcpdump', 'tshark']) ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('live capture in the lab against real chronyd and an nftables REJECT rule', why);
const noCap = why === undefined ? capBuilt() : undefined;
if (noCap) skipLine('live capture through cap in the lab (the tcpdump fallback still runs)', noCap);
const backends = (['cap', 'tcpdump'] as const).filter((b) => b !== 'cap' || noCap === undefined);

const REJECT_RULESET = `table ip ndliv_fw {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 123 reject with icmp type host-prohibited
  }
}
`;

interface Capture {
  status: number;
  report: Report;
  stderr: string;
  seconds: number;
}

describe.skipIf(why !== undefined)('live capture in the lab', () => {
  let lab: VethLab;

  /**
   * One capture in the client's namespace. `any` = all interfaces with Linux cooked headers (SLL from cap, SLL2
   * from tcpdump) and --filter-host; otherwise the veth itself (Ethernet). The runs below alternate so that
   * every link type and the host filter are exercised without more 6-second windows.
   */
  const capture = async (backend: string, where: 'veth' | 'any', extra: string[] = []): Promise<Capture> => {
    const t0 = Date.now();
    const iface = where === 'any' ? ['-i', 'any', '--filter-host', SRV_IP] : ['-i', CLI_IF];
    const r = await lab.execAsync(lab.cli, ['node', CLI, 'capture', ...iface, '--duration', String(WINDOW), '--json', '--backend', backend, ...extra]);
    const seconds = (Date.now() - t0) / 1000;
    let report: Report;
    try {
      report = parseReport<Report>(r.stdout);
    } catch {
      throw new Error(`capture printed no report (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
    }
    return { status: r.status, report, stderr: r.stderr, seconds };
  };

  beforeAll(async () => {
    lab = new VethLab(`ndliv-${process.pid.toString(36)}`).create();
    await lab.ready();
    lab.chronyd(lab.srv, 'server', ['allow', 'local stratum 10']);
    await waitFor(() => (lab.udpBound(lab.srv, 123) ? true : undefined), 10_000, 'the server chronyd on UDP 123');
    lab.nft(lab.srv, REJECT_RULESET);
    // minpoll 0 / maxpoll 1: a request every 1-2 s, so a 6-second window always holds several.
    lab.chronyd(lab.cli, 'client', [`server ${SRV_IP} iburst minpoll 0 maxpoll 1`]);
  });

  afterAll(() => {
    lab?.destroy();
  });

  // Every backend captures the same window at once (each sees all the traffic: they only read it), so a state of the
  // server costs one window, not one per backend.
  const label = (b: string, veth: boolean) => `${b}, ${veth ? 'veth' : 'any + host filter'}`;

  it(`names firewall-reject within the window while the client fails (${backends.map((b) => label(b, b === 'cap')).join('; ')})`, async () => {
    const runs = await Promise.all(
      backends.map(async (backend) => {
        const file = join(lab.dir, `reject-${backend}.pcap`);
        const where = backend === 'cap' ? 'veth' : 'any';
        return { backend, file, where, run: await capture(backend, where, ['--write', file]) };
      }),
    );
    for (const { backend, file, where, run } of runs) {
      expect(run.status, run.stderr).toBe(1);
      expect(run.seconds).toBeLessThan(WINDOW + 4);
      const input = run.report.inputs[0] as LiveCaptureInput;
      expect(input.backend).toBe(backend);
      expect(input.timestampSource).toBe(backend === 'cap' ? 'arrival' : 'kernel');
      expect(input.stoppedBy).toBe('duration');
      expect(run.report.exchanges.every((x) => x.offsetMethod === undefined || x.offsetMethod === 'capture-times')).toBe(true);
      expect(input.linkTypes).toEqual([where === 'veth' ? 1 : 276]);
      const first = run.report.findings[0];
      expect(first?.rule, JSON.stringify(run.report.findings.map((f) => f.rule))).toBe('firewall-reject');
      expect(first?.subject).toBe(SRV_IP);
      expect(first?.evidence.map((e) => e.text).join('\n')).toMatch(/3\/10|host.prohibited|admin/i);
      const rejected = run.report.exchanges.filter((x) => x.outcome === 'icmp' && x.icmp?.type === 3 && x.icmp.code === 10);
      expect(rejected.length).toBeGreaterThanOrEqual(2);
      expect(rejected.every((x) => x.client.ip === CLI_IP && x.server.ip === SRV_IP)).toBe(true);
      // The --write file: the real tools open it and see the same ICMP errors.
      const tcpdump = execFileSync('tcpdump', ['-n', '-r', file, 'icmp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(tcpdump).toMatch(/host 198\.51\.100\.100 unreachable - admin prohibited/);
      const tshark = execFileSync('tshark', ['-n', '-r', file, '-Y', 'icmp.type == 3 && icmp.code == 10', '-T', 'fields', '-e', 'frame.number'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(tshark.trim().split('\n').length).toBe(rejected.length);
    }
  });

  it(`reports healthy exchanges with their offsets once the rule is gone (${backends.map((b) => label(b, b !== 'cap')).join('; ')})`, async () => {
    // The fix: the server's REJECT rule goes, before these captures.
    execFileSync('ip', ['netns', 'exec', lab.srv, 'nft', 'delete', 'table', 'ip', 'ndliv_fw'], { stdio: 'ignore' });
    const runs = await Promise.all(
      backends.map(async (backend) => {
        const where = backend === 'cap' ? 'any' : 'veth';
        return { backend, where, run: await capture(backend, where) };
      }),
    );
    for (const { backend, where, run } of runs) {
      expect((run.report.inputs[0] as LiveCaptureInput).linkTypes).toEqual([where === 'veth' ? 1 : 113]);
      const serious = run.report.findings.filter((f) => f.severity !== 'info');
      expect(serious.map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
      expect(run.status, run.stderr).toBe(0);
      const replies = run.report.exchanges.filter((x) => x.outcome === 'reply' && x.offset !== undefined);
      expect(replies.length).toBeGreaterThanOrEqual(2);
      const offsets = replies.map((x) => `${((x.offset as number) * 1e6).toFixed(0)} µs / delay ${((x.delay as number) * 1e6).toFixed(0)} µs`);
      process.stderr.write(`live capture (${backend}): ${replies.length} replies, offsets ${offsets.join(', ')}\n`);
      for (const x of replies) {
        expect(x.reply?.stratum).toBe(10);
        // chronyd's requests hide T1 (data minimisation): T1/T4 are the capture times, exact on the client's capture.
        expect(x.offsetMethod).toBe('capture-times');
        // One host clock on both ends: the true offset is 0, the true delay a few tens of µs over veth. What is
        // left is the stamping error: none to speak of with kernel timestamps (tcpdump); with arrival stamps
        // (cap) the event loop's wakeup latency, which on veth is longer than the round trip itself.
        if (backend === 'tcpdump') {
          expect(Math.abs(x.offset as number)).toBeLessThan(0.001);
          expect(x.delay as number).toBeGreaterThan(0);
        } else {
          // Bounded by the event loop's latency, which a loaded 2-core machine stretched to 7.5 ms (seen with a full
          // test run beside other work): 50 ms still tells a wrong offset (seconds off, or T1 taken for a clock).
          expect(Math.abs(x.offset as number)).toBeLessThan(0.05);
          expect(Math.abs(x.delay as number)).toBeLessThan(0.05);
        }
      }
    }
  });
}, 120_000);
