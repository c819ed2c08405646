import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeAuthdata, parseChronycAuthdata } from '../../src/inspect/daemon/authdata.js';
import { askChronyd } from '../../src/inspect/daemon/gather.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';
import type { DaemonSource } from '../../src/model/daemon.js';
import { chronyConfig } from './_build.js';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/nts/${name}`, import.meta.url), 'utf8');

describe('chronyc -c authdata (recorded from chronyd 4.3, fixtures/nts/)', () => {
  it('healthy: KeyID 1, AEAD 15, 8 cookies, the configured name from -N', () => {
    expect(parseChronycAuthdata(fx('authdata-healthy.n.csv'), fx('authdata-healthy.N.csv'))).toEqual([
      { address: '198.51.100.100', name: 'nts.example.test', mode: 'NTS', keyId: 1, type: 15, keyLength: 256, lastKe: 3, attempts: 0, naks: 0, cookies: 8, cookieLength: 100 },
    ]);
  });

  it('failed: KeyID 0, no cookies, last KE never (4294967295), one attempt', () => {
    const [row] = parseChronycAuthdata(fx('authdata-failed.n.csv'), fx('authdata-failed.N.csv'));
    expect(row).toMatchObject({ keyId: 0, cookies: 0, attempts: 1, name: 'nts.example.test' });
    expect(row?.lastKe).toBeUndefined();
  });

  it('ignores junk lines and pairs names only when the row counts match', () => {
    const rows = parseChronycAuthdata(`garbage\n${fx('authdata-failed.n.csv')}`, 'a,b\n1,2,3,4,5,6,7,8,9,10\n2,2,3,4,5,6,7,8,9,10\n');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toBeUndefined();
  });

  it('merges onto the source of the same address', () => {
    const sources: DaemonSource[] = [{ address: '198.51.100.100', kind: 'server', state: '?', selected: false, reach: 0 }];
    mergeAuthdata(sources, parseChronycAuthdata(fx('authdata-failed.n.csv'), fx('authdata-failed.N.csv')));
    expect(sources[0]?.auth?.cookies).toBe(0);
    expect(sources[0]?.name).toBe('nts.example.test');
  });

  it('askChronyd runs authdata only when a source uses nts, and lists a failure as a gap', async () => {
    const calls: string[][] = [];
    const ok = (stdout: string): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command: 'chronyc' });
    const runner: Runner = async (_file, args) => {
      calls.push([...args]);
      const cmd = args[args.length - 1];
      if (cmd === 'sources') return ok('^,?,198.51.100.100,0,7,0,4294967295,0.000000000,0.000000000,0.000000000\n');
      if (cmd === 'authdata') return { ok: false, code: 1, stdout: '', stderr: 'Unrecognized command', problem: 'failed', command: `chronyc ${args.join(' ')}` };
      return ok('');
    };
    const d = { name: 'chronyd' as const, pid: 7, argv: ['chronyd'] };
    const plain = await askChronyd(runner, d, chronyConfig('chrony.conf', 'server 198.51.100.100 iburst\n').config, 0, 1000);
    expect(calls.some((c) => c.includes('authdata'))).toBe(false);
    expect(plain.gaps).toEqual([]);
    const nts = await askChronyd(runner, d, chronyConfig('chrony.conf', 'server 198.51.100.100 iburst nts\n').config, 0, 1000);
    expect(calls.filter((c) => c.includes('authdata'))).toHaveLength(2);
    expect(nts.gaps[0]?.what).toMatch(/NTS state \(authdata\)/);
  });
});
