import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ntsKeTargets, readTrust } from '../../src/probe/nts-ke-targets.js';
import { chronyConfig, ntpdConfig } from '../node/_build.js';

describe('NTS-KE targets from the configs', () => {
  it('chrony: nts sources only, ntsport, ntstrustedcerts (with a set id), nosystemcert, the name as serverName', () => {
    const c = chronyConfig('chrony.conf', 'server nts.example.test iburst nts ntsport 4461\nserver 198.51.100.7 nts\nserver 198.51.100.8 iburst\nntstrustedcerts 1 /etc/chrony/ca.crt\nnosystemcert\n', {
      names: { 'nts.example.test': ['198.51.100.100', '198.51.100.101', '198.51.100.102'] },
    });
    expect(ntsKeTargets([c.config])).toEqual([
      { address: '198.51.100.100', port: 4461, serverName: 'nts.example.test', from: '/etc/chrony.conf:1', trustFiles: ['/etc/chrony/ca.crt'], systemCa: false },
      { address: '198.51.100.101', port: 4461, serverName: 'nts.example.test', from: '/etc/chrony.conf:1', trustFiles: ['/etc/chrony/ca.crt'], systemCa: false },
      { address: '198.51.100.7', port: 4460, from: '/etc/chrony.conf:2', trustFiles: ['/etc/chrony/ca.crt'], systemCa: false },
    ]);
  });

  it('ntpsec: `ca FILE` on the server line; unresolved names and a bad ntsport give nothing / the default', () => {
    const n = ntpdConfig('ntp.conf', 'server nts.example.test nts ca /etc/ntpsec/ca.pem\nserver unresolved.example.test nts\n', { names: { 'nts.example.test': ['198.51.100.100'] }, variant: 'ntpsec' });
    expect(ntsKeTargets([n.config])).toEqual([{ address: '198.51.100.100', port: 4460, serverName: 'nts.example.test', from: '/etc/ntp.conf:1', trustFiles: ['/etc/ntpsec/ca.pem'], systemCa: true }]);
    const c = chronyConfig('chrony.conf', 'server 198.51.100.9 nts ntsport 99999\n');
    expect(ntsKeTargets([c.config])[0]?.port).toBe(4460);
  });

  it('at most 8 targets however many sources', () => {
    const text = Array.from({ length: 20 }, (_, i) => `server 198.51.100.${i + 1} nts\n`).join('');
    expect(ntsKeTargets([chronyConfig('chrony.conf', text).config])).toHaveLength(8);
  });

  it('readTrust: files and directories (*.crt, *.pem), unreadable ones listed, size bounded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntstrust-'));
    try {
      mkdirSync(join(dir, 'd'));
      writeFileSync(join(dir, 'd', 'a.crt'), 'A');
      writeFileSync(join(dir, 'd', 'b.pem'), 'B');
      writeFileSync(join(dir, 'd', 'c.txt'), 'C');
      writeFileSync(join(dir, 'big.pem'), Buffer.alloc(2 * 1024 * 1024));
      const r = await readTrust([join(dir, 'd'), join(dir, 'missing.pem'), join(dir, 'big.pem')]);
      expect(r.pems.sort()).toEqual(['A', 'B']);
      expect(r.unreadable).toEqual([join(dir, 'missing.pem'), join(dir, 'big.pem')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
