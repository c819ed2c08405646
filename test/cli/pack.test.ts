/**
 * Installing like an npm CLI (issue 15): `npm pack` builds dist/ itself (prepack), and the tarball installed into a
 * fresh prefix gives a working `ntpdoctor` bin that reads a shipped fixture. Dependencies come from npm's cache
 * (`npm ci` filled it); the optional libpcap module is left out (it needs a compiler and is optional by design).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReport } from '../_schema.js';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[], cwd: string) {
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

describe('npm pack → npm install -g', () => {
  it('installs a working ntpdoctor bin from the tarball', () => {
    // Pack a copy of the sources without dist/: prepack must build it (and must not wipe the dist/ the other
    // test files are running from).
    const src = join(dir, 'src-copy');
    for (const entry of ['package.json', 'package-lock.json', 'tsup.config.ts', 'scripts', 'tsconfig.json', 'README.md', 'LICENSE', 'man', 'src', 'rules', 'types', 'fixtures', 'docs', 'schema']) {
      cpSync(join(root, entry), join(src, entry), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
    const pack = npm(['pack', '--pack-destination', dir, '--silent'], src);
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    const prefix = join(dir, 'prefix');
    const install = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--omit=optional', '--no-audit', '--no-fund', join(dir, tgz!)], dir);
    expect(install.status, install.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'ntpdoctor');
    expect(existsSync(bin)).toBe(true);
    const installed = join(prefix, 'lib', 'node_modules', 'ntpdoctor');
    expect(existsSync(join(installed, 'LICENSE'))).toBe(true);
    // The man page ships in the package (package.json "files" and "man").
    expect(existsSync(join(installed, 'man', 'ntpdoctor.1'))).toBe(true);

    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^ntpdoctor \d+\.\d+\.\d+/);
    // The installed bin's completion loads in bash (commander resolved from the installed dependencies).
    const completion = spawnSync('bash', ['-c', `source <(${JSON.stringify(bin)} completion bash) && complete -p ntpdoctor`], { encoding: 'utf8' });
    expect(completion.stdout, completion.stderr).toBe('complete -F _ntpdoctor ntpdoctor\n');

    // The seed's first fault from a fixture that ships in the package: an error finding, so exit 1.
    const analyze = spawnSync(bin, ['analyze', join(installed, 'fixtures', 'firewall-reject-hostprohib.pcap'), '--json'], { encoding: 'utf8' });
    expect(analyze.status, analyze.stderr).toBe(1);
    const report = parseReport<{ findings: { rule: string }[] }>(analyze.stdout);
    expect(report.findings[0]?.rule).toBe('firewall-reject');

    // The rule pages ship with the package: explain prints the page itself, not the metadata fallback.
    const explain = spawnSync(bin, ['explain', 'firewall-reject'], { encoding: 'utf8' });
    expect(explain.status, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('## When it does not apply');
    expect(existsSync(join(installed, 'schema', 'report.schema.json'))).toBe(true);
  }, 240_000);
});
