/**
 * bash and zsh completion generated from the one definition: the bash script loads (`complete -p ntpdoctor`)
 * and answers for commands, options, choices and files; the zsh one is driven in a real interactive zsh on a
 * pseudo-terminal (zsh/zpty, test/cli/_zsh/complete.zsh) and lists what the definition says.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, COMMON_OPTIONS } from '../../src/cli/definition.js';
import { run } from './_run.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-completion-'));
  for (const shell of ['bash', 'zsh']) {
    const r = await run(['completion', shell]);
    expect(r.code).toBe(0);
    writeFileSync(join(dir, shell === 'zsh' ? '_ntpdoctor' : 'ntpdoctor.bash'), r.out);
  }
  writeFileSync(join(dir, 'chrony.conf'), 'server 127.0.0.1\n');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** COMPREPLY for the words (the last one being completed), in bash, from the generated script. */
function bashComplete(...words: string[]): string[] {
  const script = `source ${JSON.stringify(join(dir, 'ntpdoctor.bash'))}; cd ${JSON.stringify(dir)}; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ntpdoctor; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script, 'bash', 'ntpdoctor', ...words], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bash', () => {
  it("loads, and registers ntpdoctor's completion", () => {
    const r = spawnSync('bash', ['-c', `source <(cat ${JSON.stringify(join(dir, 'ntpdoctor.bash'))}); complete -p ntpdoctor`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('complete -F _ntpdoctor ntpdoctor\n');
  });

  it('completes command names, and help TOPIC', () => {
    expect(bashComplete('')).toEqual(
      [...COMMANDS.filter((c) => !c.hidden).map((c) => c.name), 'help', '-h', '--help', '-V', '--version'].sort(),
    );
    expect(bashComplete('pro')).toEqual(['probe']);
    expect(bashComplete('help', 'an')).toEqual(['analyze']);
  });

  it("completes every command's options, from the definition", () => {
    for (const c of COMMANDS.filter((x) => !x.hidden)) {
      const want = [...c.options, ...COMMON_OPTIONS].flatMap((o) => [...(o.short ? [`-${o.short}`] : []), `--${o.long}`]);
      expect(bashComplete(c.name, '-'), c.name).toEqual(want.sort());
    }
    expect(bashComplete('probe', '--co')).toEqual(['--color', '--count']);
  });

  it('completes choices (also after --opt=), files where a file goes, nothing where a number goes', () => {
    expect(bashComplete('analyze', 'x.pcap', '--color', '')).toEqual(['always', 'auto', 'never']);
    expect(bashComplete('analyze', '--color', '=', 'al')).toEqual(['always']);
    expect(bashComplete('lint', '--flavor', 'c')).toEqual(['chrony']);
    expect(bashComplete('completion', '')).toEqual(['bash', 'zsh']);
    expect(bashComplete('lint', 'chr')).toEqual(['chrony.conf']);
    expect(bashComplete('diagnose', '-c', 'chr')).toEqual(['chrony.conf']);
    expect(bashComplete('probe', '-c', '')).toEqual([]);
    expect(bashComplete('probe', '--samples', '')).toEqual([]);
  });
});

/** What an interactive zsh lists for `ntpdoctor WORDS<Tab>`. */
function zshList(words: string): string {
  // A plain environment: one of the variables vitest sets keeps the completion from ever running.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
  const r = spawnSync('zsh', ['-f', join(__dirname, '_zsh', 'complete.zsh'), words, dir], { encoding: 'utf8', timeout: 90_000, env });
  expect(r.status, r.stdout).toBe(0);
  return r.stdout.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
}

describe.skipIf(!has('zsh'))('zsh (an interactive zsh on a pseudo-terminal)', () => {
  it('the script parses', () => {
    expect(spawnSync('zsh', ['-n', join(dir, '_ntpdoctor')]).status).toBe(0);
  });

  it("lists a command's options with their help, and the values a choice allows", () => {
    const options = zshList('probe -');
    for (const o of [...COMMANDS.find((c) => c.name === 'probe')!.options, ...COMMON_OPTIONS]) expect(options).toContain(`--${o.long}`);
    expect(options).toMatch(/--count +-c +-- requests per address/);
    expect(zshList('analyze --color=')).toMatch(/always +auto +never/);
    expect(zshList('lint --flavor ')).toMatch(/chrony +ntpd/);
    expect(zshList('completion ')).toMatch(/bash +zsh/);
  }, 300_000);
});
