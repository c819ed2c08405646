/**
 * Hostile input at the cluster's doors: report files and NDJSON lines that are not reports, duplicate hostnames,
 * ssh destinations that would be options, remote words that would be code, an ssh that hangs or floods.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReport, readReportFiles, splitNdjson, toNodes } from '../../src/cluster/load.js';
import { collectAll, parseInventory, remoteCommand, sshArgv, type SshOptions } from '../../src/cluster/ssh.js';
import { report } from './_build.js';

const dir = mkdtempSync(join(tmpdir(), 'ndclu-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTS: SshOptions = { remote: ['ntpdoctor'], args: [], parallel: 4, timeout: 10 };

describe('reports in', () => {
  it('keeps a broken report as an invalid node that says why', () => {
    const nodes = toNodes([
      { from: 'a', label: 'a', text: '{"schema":"other/1"}' },
      { from: 'b', label: 'b', text: 'not json' },
      { from: 'c', label: 'c', text: JSON.stringify({ schema: 'ntpdoctor.report/1', findings: [{ rule: 1 }], inputs: [] }) },
      { from: 'd', label: 'd', text: JSON.stringify(report({ name: 'ok', addresses: ['192.0.2.1'] })) },
    ]);
    expect(nodes.map((n) => [n.name, n.status])).toEqual([['a', 'invalid'], ['b', 'invalid'], ['c', 'invalid'], ['ok', 'ok']]);
    expect(nodes[0]!.error).toMatch(/not ntpdoctor\.report\/1/);
    expect(nodes[2]!.error).toBe('findings[0].rule is not a string');
  });

  it('drops fields of the wrong type inside a valid report instead of trusting them', () => {
    const r = checkReport({ schema: 'ntpdoctor.report/1', inputs: [{ kind: 'node' }, 5], exchanges: [{ client: {}, server: { ip: 7 } }], findings: [{ rule: 'x', subject: 's', title: 't', severity: 'error', confidence: 99, evidence: [3, { text: 'e' }], fixes: [{ title: 'f' }] }] });
    expect(typeof r).toBe('object');
    if (typeof r === 'string') return;
    expect(r.inputs).toEqual([]);
    expect(r.exchanges).toEqual([]);
    expect(r.findings[0]).toMatchObject({ confidence: 0.5, evidence: [{ text: 'e' }], fixes: [] });
  });

  it('names nodes that share a hostname apart (containers, namespaces)', () => {
    const same = (label: string, a: string) => ({ from: label, label, text: JSON.stringify(report({ name: 'localhost', addresses: [a] })) });
    expect(toNodes([same('n1', '192.0.2.1'), same('n2', '192.0.2.2')]).map((n) => n.name)).toEqual(['localhost/n1', 'localhost/n2']);
    expect(toNodes([same('localhost', '192.0.2.1'), same('localhost', '192.0.2.2')]).map((n) => n.name)).toEqual(['localhost/192.0.2.1', 'localhost/192.0.2.2']);
  });

  it('NDJSON: one report a line; a pretty-printed document whole', () => {
    const one = JSON.stringify(report({ name: 'a', addresses: [] }));
    expect(splitNdjson(`${one}\n\n${one}\n`)).toHaveLength(2);
    expect(splitNdjson(JSON.stringify(report({ name: 'a', addresses: [] }), null, 2))).toHaveLength(1);
  });

  it('reads *.json of a directory, refuses what is not a regular file', () => {
    writeFileSync(join(dir, 'a.json'), '{}');
    writeFileSync(join(dir, 'b.txt'), '{}');
    expect(readReportFiles([dir]).map((r) => r.label)).toEqual(['a']);
    expect(() => readReportFiles(['/dev/null'])).toThrow(/not a regular file/);
    expect(() => readReportFiles([join(dir, 'missing.json')])).toThrow(/ENOENT/);
  });
});

describe('ssh', () => {
  it('argv: batch mode, host keys checked, -- before the destination; the remote words quoted', () => {
    const argv = sshArgv({ destination: 'root@node0', args: ['--config', "/etc/my ntp.conf;reboot"] }, { ...OPTS, config: '/tmp/cfg' });
    expect(argv.slice(0, 6)).toEqual(['-F', '/tmp/cfg', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes']);
    expect(argv.slice(-3)).toEqual(['--', 'root@node0', "ntpdoctor diagnose --json --config '/etc/my ntp.conf;reboot'"]);
  });

  it('refuses destinations that ssh would read as options, and words that cannot be pasted', () => {
    for (const d of ['-oProxyCommand=sh', 'a b', 'host;id', '', 'x\n']) expect(() => sshArgv({ destination: d, args: [] }, OPTS), d).toThrow(/not an ssh destination/);
    expect(() => remoteCommand({ destination: 'h', args: ['a\nb'] }, OPTS)).toThrow(/control character/);
    expect(sshArgv({ destination: '[2001:db8::1]', args: [] }, OPTS)).toContain('[2001:db8::1]');
  });

  it('inventory: DEST [ARGS], comments, bad lines named by number', () => {
    expect(parseInventory('# fleet\nroot@a --config /x # the controller\n\nb\n', 'inv')).toEqual([
      { destination: 'root@a', args: ['--config', '/x'] },
      { destination: 'b', args: [] },
    ]);
    expect(() => parseInventory('a\n-oProxyCommand=x\n', 'inv')).toThrow('inv:2: not an ssh destination');
  });

  it('a node that hangs is cut at the timeout, one that fails is named, the others are collected, in order', async () => {
    // A stand-in for ssh (it never connects anywhere): the destination says how to behave.
    const fake = join(dir, 'fake-ssh');
    writeFileSync(
      fake,
      `#!/bin/sh\nfor a; do last_but=$dest; dest=$a; done\ncase "$last_but" in\n hang) exec sleep 30;;\n fail) echo "ssh: connect to host fail port 22: Connection refused" >&2; exit 255;;\n flood) exec yes '{"a":1}';;\n *) printf '%s' '${JSON.stringify(report({ name: 'good', addresses: [] }))}';;\nesac\n`,
    );
    chmodSync(fake, 0o755);
    const t0 = Date.now();
    const results = await collectAll(
      ['good', 'hang', 'fail', 'flood'].map((destination) => ({ destination, args: [] })),
      { ...OPTS, timeout: 3, program: fake },
    );
    expect(Date.now() - t0).toBeLessThan(25_000);
    expect(results[0]!.raw?.text).toContain('"good"');
    expect(results[1]!.error).toBe('no report within 3 s');
    expect(results[2]!.error).toBe('ssh: ssh: connect to host fail port 22: Connection refused');
    expect(results[3]!.error).toMatch(/more than \d+ bytes of output|no report within 3 s/);
  }, 30_000);
});
