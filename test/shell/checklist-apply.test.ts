/**
 * Issue 11 item 9: the checklist works when followed top to bottom. For each lint fixture config (and a seed-like
 * config where two rules both want the local clock), lint a copy, take each step's `sh` block from the rendered
 * checklist (the first-ranked fix, what a user pastes), run its config edits in order on the copy (real GNU sed and
 * sh redirections, on the copy only: the fix was built against the copy's path), then lint the copy again: the
 * findings those steps addressed are gone, and no directive appears twice that did not before.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintConfig } from '../../src/run/lint.js';
import { renderChecklist } from '../../src/render/checklist.js';
import { directiveKey } from '../../src/render/checklist-plan.js';
import { CONFIGS } from '../node/_build.js';

const work = mkdtempSync(join(tmpdir(), 'ndsh-ck-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The seed's node0 half-way: the self-source still there and the mismatched local clock already added. */
const SEED_LIKE = 'restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\nserver 192.168.1.100 iburst\nserver 127.127.1.1 iburst\nfudge 127.127.1.0 stratum 10\n';

const FIXTURES = [
  ...readdirSync(CONFIGS).filter((f) => f.endsWith('.conf')).map((f) => CONFIGS + f),
  ...readdirSync(`${CONFIGS}lab`).filter((f) => f.endsWith('.conf')).map((f) => `${CONFIGS}lab/${f}`),
];

interface Step {
  rule: string;
  commands: string[];
}

/** Each `- [ ] Step N.` with the commands of its own `sh` block (not the alternatives'), and the step's rule id. */
function steps(markdown: string): Step[] {
  const lines = markdown.split('\n');
  const out: Step[] = [];
  let rule = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^### \d+\. \w+: .* \(`([a-z0-9-]+)`\)$/.exec(lines[i]!);
    if (heading) rule = heading[1]!;
    if (!/^- \[ \] Step \d+\./.test(lines[i]!)) continue;
    const step: Step = { rule, commands: [] };
    if (lines[i + 1] === '  ```sh') {
      for (let j = i + 2; j < lines.length && lines[j] !== '  ```'; j++) step.commands.push(lines[j]!.slice(2));
    }
    out.push(step);
  }
  return out;
}

/** Active (uncommented) directives, by the key that makes two lines the same directive. */
function duplicates(text: string): string[] {
  const seen = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const k = directiveKey(line);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

async function check(name: string, text: string): Promise<void> {
  const copy = join(mkdtempSync(join(work, 'c-')), basename(name));
  writeFileSync(copy, text);
  const localIps = ['192.168.1.100', '198.51.100.100'];
  const before = await lintConfig(copy, { localIps });
  const list = steps(renderChecklist(before));
  const addressed = new Set<string>();
  for (const s of list) {
    // The config edits only (restarts and the like are not for this machine): sed -i … COPY, echo/printf … >> COPY.
    const edits = s.commands.filter((c) => /^(sed|echo|printf) /.test(c) && c.endsWith(` ${copy}`));
    if (edits.length) addressed.add(s.rule);
    for (const c of edits) {
      const r = spawnSync('sh', ['-c', c], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, cwd: work });
      expect(r.stderr, `${name}: ${c}`).toBe('');
      expect(r.status, `${name}: ${c}`).toBe(0);
    }
  }
  const after = await lintConfig(copy, { localIps });
  const left = after.findings.filter((f) => addressed.has(f.rule)).map((f) => `${f.rule}: ${f.title}`);
  expect(left, `${name}: findings the steps addressed`).toEqual([]);
  const edited = readFileSync(copy, 'utf8');
  const newDuplicates = duplicates(edited).filter((k) => !duplicates(text).includes(k));
  expect(newDuplicates, `${name}: directives that now appear twice\n${edited}`).toEqual([]);
}

describe('the checklist, followed top to bottom', () => {
  it.each(FIXTURES.map((f) => [basename(f), f]))('%s: its config edits fix what they address and repeat nothing', async (_, file) => {
    await check(file, readFileSync(file, 'utf8'));
  });

  it("a seed-like config (self-source + the mismatched local clock): one local clock in the end, the fudge's unit", async () => {
    await check('ntp.conf', SEED_LIKE);
  });

  it('two rules appending the local clock (self-sync and local-clock-missing on the seed\'s first config): added once', async () => {
    const copy = join(mkdtempSync(join(work, 'c-')), 'ntp.conf');
    copyFileSync(`${CONFIGS}seed000-node0-first.ntp.conf`, copy);
    const md = renderChecklist(await lintConfig(copy, { localIps: ['192.168.1.100'] }));
    const appended = steps(md).flatMap((s) => s.commands).filter((c) => c.startsWith("echo 'server 127.127.1.0'"));
    expect(appended).toHaveLength(1);
    expect(md).toContain('Left out: `server 127.127.1.0`: step');
  });

  it('a config path no command can carry (a newline): the step is in words, no sh line names it', async () => {
    const dir = join(mkdtempSync(join(work, 'c-')), 'a\nb;touch pwned');
    mkdirSync(dir);
    const copy = join(dir, 'ntp.conf');
    copyFileSync(`${CONFIGS}seed002-notrust.ntp.conf`, copy);
    const md = renderChecklist(await lintConfig(copy, {}));
    expect(md).toContain('  - By hand: in "');
    expect(md).toContain('delete the word "notrust" from line 7');
    expect(md).toContain('  - Run: systemctl restart ntpd');
    // Inside the sh blocks (what gets pasted) nothing names the file.
    const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    for (const b of blocks) expect(b.includes('pwned'), b).toBe(false);
  });

  it('verify lines are one command in code, what to expect after it', async () => {
    const copy = join(mkdtempSync(join(work, 'c-')), 'ntp.conf');
    copyFileSync(`${CONFIGS}seed002-notrust.ntp.conf`, copy);
    const md = renderChecklist(await lintConfig(copy, {}));
    const verify = md.split('\n').filter((l) => l.includes('verify:'));
    expect(verify.length).toBeGreaterThan(0);
    for (const l of verify) expect(l).toMatch(/verify: `[^`(]+`( — expect: .+)?$/);
  });
});
