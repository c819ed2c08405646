/**
 * `diagnose --no-probe` means no network at all, DNS included (issue 11, item 11).
 * 1. In process: the resolver handed to the node inspection is never called, names stay "not looked up" and the
 *    report says so; without --no-probe the same resolver is called for every name (so this test can fail).
 * 2. In a namespace whose /etc/netns/<ns>/resolv.conf names 127.0.0.1, with a UDP listener on 127.0.0.1:53 there:
 *    `ntpdoctor diagnose --no-probe` puts no query on it; plain `diagnose` does (the control).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnoseNode } from '../../src/run/node.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';
import { Lab, labUnavailable, skipLine, waitFor } from './lab.js';
import { CLI } from './daemons.js';
import { parseReport } from '../_schema.js';

const CONF = 'server ntp1.example.invalid iburst\npool pool.example.invalid iburst\nserver 198.51.100.7 iburst\n';

const noTools: Runner = async (file, args) =>
  ({ ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command: [file, ...args].join(' ') }) satisfies CommandResult;

describe('--no-probe resolves no name (injected resolver)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndnodns-'));
    writeFileSync(join(dir, 'chrony.conf'), CONF);
    mkdirSync(join(dir, 'proc'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (noProbe: boolean) => {
    const asked: string[] = [];
    const report = await diagnoseNode({
      configs: [join(dir, 'chrony.conf')],
      noProbe,
      runner: noTools,
      procRoot: join(dir, 'proc'),
      addresses: [],
      resolve: async (host) => {
        asked.push(host);
        return [];
      },
      probeTimeout: 0.2,
    });
    return { asked, report };
  };

  it('never calls the resolver, and says the names were not resolved and why', async () => {
    const { asked, report } = await run(true);
    expect(asked).toEqual([]);
    const node = report.inputs.find((i) => i.kind === 'node');
    expect((node?.unseen as string[] | undefined)?.join('\n')).toContain('server names not resolved (ntp1.example.invalid, pool.example.invalid): --no-probe: no network at all, DNS included');
    expect(report.exchanges).toEqual([]);
  });

  it('control: without --no-probe every name goes to the resolver', async () => {
    const { asked } = await run(false);
    expect(asked.sort()).toEqual(['ntp1.example.invalid', 'pool.example.invalid']);
  });
});

const why = labUnavailable() ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('diagnose --no-probe puts no DNS query on the wire (namespace with a listener on 127.0.0.1:53)', why);

/** A UDP listener that counts datagrams to 127.0.0.1:53 and prints each one's length (answers nothing). */
const LISTENER = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m) => process.stdout.write('query ' + m.length + '\\n'));
s.bind(53, '127.0.0.1', () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

describe.skipIf(why !== undefined)('--no-probe puts nothing on the wire for DNS (namespace)', () => {
  let lab: Lab;
  let etc: string;
  beforeAll(() => {
    lab = new Lab('ndnodns', [{ name: 'n', ipv4: '198.51.100.81', ipv6: '2001:db8:81::1' }]).create();
    // ip netns exec bind-mounts /etc/netns/<ns>/* over /etc: the resolver there asks 127.0.0.1 only.
    etc = `/etc/netns/${lab.ns('n')}`;
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    writeFileSync(join(lab.dir, 'chrony.conf'), CONF);
  });
  afterAll(async () => {
    await lab?.stopAll();
    lab?.destroy();
    if (etc) rmSync(etc, { recursive: true, force: true });
  });

  it('no query with --no-probe; the control run without it sends some', async () => {
    const dns = lab.spawn('n', ['node', '-e', LISTENER]);
    let heard = '';
    dns.stdout?.removeAllListeners('data');
    dns.stdout?.on('data', (d: Buffer) => (heard += d.toString()));
    await waitFor(() => (heard.includes('listening') ? true : undefined), 10_000, 'DNS listener');
    const conf = join(lab.dir, 'chrony.conf');
    const quiet = lab.execStatus('n', ['node', CLI, 'diagnose', '--no-probe', '--config', conf, '--json']);
    expect(quiet.stdout, quiet.out).toContain('not resolved');
    parseReport(quiet.stdout, 'diagnose --no-probe --json');
    expect(heard.match(/query/g) ?? []).toEqual([]);
    const loud = lab.execStatus('n', ['node', CLI, 'diagnose', '--config', conf, '--json']);
    expect(loud.stdout.length, loud.out).toBeGreaterThan(0);
    parseReport(loud.stdout, 'diagnose --json');
    await waitFor(() => (heard.includes('query') ? true : undefined), 5_000, 'a DNS query from the control run');
  }, 60_000);
});
