/**
 * serve safe by default, in namespaces this test makes (port 123 there is ours alone): no --listen binds loopback
 * only; a network address without --allow answers nobody on the network; the announced leap follows the kernel's
 * sync status; a port held by chronyd, a port without CAP_NET_BIND_SERVICE and an address that is not the host's
 * are each said as what they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Report } from '../../src/diagnose/types.js';
import { Lab, labUnavailable, skipLine, waitFor } from '../probe/lab.js';
import { CHRONYD, CLI, startChronyServer } from '../probe/daemons.js';
import { parseReport, parseServe } from '../_schema.js';

const why = labUnavailable([CHRONYD]) ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('serve defaults (listen, allow, leap, bind errors) in namespaces', why);

const S4 = '198.51.100.51';
const C4 = '198.51.100.52';

interface Served {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  closed: Promise<void>;
}

describe.skipIf(why !== undefined)('serve defaults in the lab', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab(`ndnet-sd${process.pid}`, [
      { name: 's', ipv4: S4, ipv6: '2001:db8:51::1' },
      { name: 'c', ipv4: C4, ipv6: '2001:db8:51::2' },
    ]).create();
  });
  afterAll(async () => {
    await lab?.stopAll();
    lab?.destroy();
  });

  /** Starts serve in s and waits (bounded) for its start-up lines; stopped by the caller (finally). */
  const serve = async (args: string[]): Promise<Served> => {
    const child = lab.spawn('s', ['node', CLI, 'serve', '--duration', '60', '--json', ...args]);
    let err = '';
    let out = '';
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(() => {
        if (/answering/.test(err)) return true;
        if (child.exitCode !== null) throw new Error(`serve ended before listening: ${err}`);
        return undefined;
      }, 30_000, 'serve to start');
    } catch (e) {
      await lab.stop(child);
      throw e;
    }
    return { child, stderr: () => err, stdout: () => out, closed };
  };
  const stop = async (s: Served): Promise<{ stats: { dropped: Record<string, number>; replied: number } }> => {
    await lab.stop(s.child);
    await s.closed;
    return parseServe<{ stats: { dropped: Record<string, number>; replied: number } }>(s.stdout().trim());
  };
  const probe = (host: string, target: string): Report => {
    const r = lab.execStatus(host, ['node', CLI, 'probe', target, '--json', '-c', '2', '--timeout', '0.5', '--interval', '0.2']);
    return parseReport<Report>(r.stdout);
  };

  it('no --listen: 127.0.0.1:123 and [::1]:123 answer; the network address is not even listened on', async () => {
    const s = await serve(['--stratum', '10']);
    try {
      expect(s.stderr()).toMatch(/listening on 127\.0\.0\.1:123, \[::1\]:123;/);
      expect(s.stderr()).toMatch(/answering loopback only/);
      expect(probe('s', '127.0.0.1').exchanges[0]?.reply?.stratum).toBe(10);
      expect(probe('s', '::1').exchanges[0]?.reply?.stratum).toBe(10);
      const far = probe('c', S4);
      expect(far.exchanges.every((x) => x.outcome === 'icmp')).toBe(true);
    } finally {
      await stop(s);
    }
  }, 60_000);

  it('--listen on the network without --allow: says so, answers nobody there; with --allow: answers', async () => {
    const closed = await serve(['--listen', `${S4}:123`, '--stratum', '10']);
    let stats;
    try {
      expect(closed.stderr()).toMatch(/answering loopback only: clients on the network get no answer until --allow CIDR names them/);
      expect(probe('c', S4).exchanges.every((x) => x.outcome === 'none')).toBe(true);
    } finally {
      stats = (await stop(closed)).stats;
    }
    expect(stats.dropped.denied).toBeGreaterThanOrEqual(2);
    expect(stats.replied).toBe(0);
    const open = await serve(['--listen', `${S4}:123`, '--stratum', '10', '--allow', `${C4}/32`]);
    try {
      expect(open.stderr()).toMatch(/answering loopback and 198\.51\.100\.52\/32\n/);
      expect(probe('c', S4).exchanges[0]?.reply?.stratum).toBe(10);
    } finally {
      await stop(open);
    }
  }, 60_000);

  it('no --stratum: leap and stratum follow the kernel (this lab host: unsynchronized → leap 3, stratum 16), said on start', async () => {
    const s = await serve([]);
    try {
      const reply = probe('s', '127.0.0.1').exchanges[0]?.reply;
      const unsynced = /the host clock is NOT synchronized|cannot tell whether/.test(s.stderr());
      expect(reply?.leap === 3, s.stderr()).toBe(unsynced);
      if (unsynced) {
        expect(reply?.stratum).toBe(16);
        expect(s.stderr()).toMatch(/serving leap 3 \(alarm\), stratum 16/);
      } else expect(reply?.stratum).toBe(10);
    } finally {
      await stop(s);
    }
  }, 60_000);

  it('port 123 held by chronyd: "in use by another program", exit 2, one line', async () => {
    const chrony = startChronyServer(lab, 's');
    try {
      await waitFor(() => (/:007B /.test(lab.exec('s', ['cat', '/proc/net/udp'])) ? true : undefined), 20_000, 'chronyd to bind port 123');
      const r = lab.execStatus('s', ['node', CLI, 'serve', '--duration', '1']);
      expect(r.status, r.out).toBe(2);
      expect(r.stderr).toBe(
        'ntpdoctor: cannot listen on 127.0.0.1:123: it is in use by another program (chronyd/ntpd?): stop it, or use another port (--listen 127.0.0.1:11123)\n',
      );
    } finally {
      await lab.stop(chrony);
    }
  }, 60_000);

  it('without CAP_NET_BIND_SERVICE: needs root or the capability; an address not of this host: says so', () => {
    const drop = ['setpriv', '--bounding-set', '-net_bind_service', '--inh-caps', '-net_bind_service', '--'];
    const r = lab.execStatus('s', [...drop, 'node', CLI, 'serve', '--duration', '1']);
    expect(r.status, r.out).toBe(2);
    expect(r.stderr).toMatch(/^ntpdoctor: cannot listen on 127\.0\.0\.1:123: port 123 needs root or CAP_NET_BIND_SERVICE[^\n]*\n$/);
    const elsewhere = lab.execStatus('s', ['node', CLI, 'serve', '--listen', `${C4}:123`, '--duration', '1']);
    expect(elsewhere.status).toBe(2);
    expect(elsewhere.stderr).toBe(`ntpdoctor: cannot listen on ${C4}:123: ${C4} is not an address of this host (ip -brief address lists them)\n`);
  }, 60_000);
});
