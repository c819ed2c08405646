/**
 * Issue 11 item 1: every printed fix is safe to paste, whatever the input. A corpus of hostile values (`;`, `$(…)`,
 * backticks, quotes, newlines, tabs, spaces, globs, unicode, a leading `-`, backslashes, `&`, `|`, `/`) goes into
 * server names (capture/probe paths, daemon sources), config file paths, config lines and firewall chain names;
 * the real rules run on them (the engine on each rule's trigger, its first rule-tester case, with the value
 * swapped in); every printed command runs in a sandbox (./_sandbox.ts) next to its twin — the same case with a plain
 * placeholder word instead of the value. Each command must run the same programs as its twin, with the twin's
 * argv where the placeholder becomes the hostile value as one whole argument, and change the same files in the same
 * way; nothing the value names (`touch`, `pwned`) runs or appears. A value no quoting makes safe to paste yields
 * plain-language steps instead of commands.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Fix } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';
import { pasteHazard } from '../../src/shell/quote.js';
import { centosReject, chronySeesUnreachable, CONFIGS, iface, LOOPBACK, localAddresses } from '../node/_build.js';
import { diagnose, SERVER } from '../rules/_build.js';
import { collectRuleCases, triggers } from '../rules/_tester.js';
import { type RunResult, Sandbox, sandboxUnavailable } from './_sandbox.js';

export const HOSTILE = [
  ';touch pwned;',
  '$(touch pwned)',
  '`touch pwned`',
  "x';touch pwned;'",
  '"q";touch pwned',
  'a b',
  '*',
  '?[a]',
  'é✓🕒',
  '-rf',
  'back\\slash\\',
  '\\n',
  '&touch pwned&',
  '|touch pwned',
  'a/b',
  '>pwned',
  '#x',
  '$HOME',
  '%s',
  '~',
  '\n;touch pwned',
  'a\tb',
  'a\u001b[31mb',
  'a\u202eb',
];

/** Where hostile config files live; the sandbox puts a tmpfs over /tmp. */
const ROOT = '/tmp/ndsh-root';

interface Case {
  name: string;
  observations: Observation[];
  /** Files the fixes may edit, with their content, as the sandbox creates them. */
  files: Record<string, string>;
}

/** JSON-level swap of an anchor string (every occurrence, inside any string) for the value. */
function swap<T>(value: T, anchor: string, by: string): T {
  const json = JSON.stringify(value);
  const a = JSON.stringify(anchor).slice(1, -1);
  const b = JSON.stringify(by).slice(1, -1);
  return JSON.parse(json.split(a).join(b)) as T;
}

/** The /etc files path rules edit, each naming the value as a source so the pattern edits have lines to act on. */
function etcFiles(v: string): Record<string, string> {
  const text = `server ${v} iburst minpoll 4 burst xleave\nserver 10.0.0.1 iburst\n`;
  return { '/etc/ntp.conf': text, '/etc/ntpsec/ntp.conf': text, '/etc/chrony.conf': text, '/etc/nftables.conf': '', '/etc/sysconfig/nftables.conf': '' };
}

/** Each rule's trigger (test/rules/_tester.ts), split: node rules read a node-side observation (config, node, daemon). */
let TRIGGERS = new Map<string, () => Observation[]>();
const isNodeCase = (obs: readonly Observation[]) => obs.some((o) => o.source !== 'capture' && o.source !== 'probe');
const trigger = (id: string): Observation[] => TRIGGERS.get(id)!();

/** Every case for one value: the same constructions whatever the value, so a twin lines up fix by fix. */
function cases(v: string): Case[] {
  const out: Case[] = [];
  // Server names: capture/probe paths and their fixes (firewall, probe, ping, tcpdump, sed on source lines).
  const all = [...TRIGGERS].map(([id, make]) => ({ id, obs: make() }));
  for (const { id, obs } of all) if (!isNodeCase(obs)) out.push({ name: `${id}: server`, observations: swap(obs, SERVER, v), files: etcFiles(v) });
  // Config file paths: every node rule on its trigger, the config moved to a hostile path.
  for (const { id, obs } of all) {
    if (!isNodeCase(obs)) continue;
    const cfg = obs.find((o) => o.kind === 'ntpd-config' || o.kind === 'chrony-config');
    if (!cfg || (cfg.kind !== 'ntpd-config' && cfg.kind !== 'chrony-config')) continue;
    const from = cfg.config.file;
    const to = `${ROOT}/${v}/${from.slice('/etc/'.length)}`;
    const name = from.slice('/etc/'.length);
    let text: string;
    try {
      text = readFileSync(CONFIGS + name, 'utf8');
    } catch {
      text = 'server 10.0.0.1 iburst\n';
    }
    out.push({ name: `${id}: config path`, observations: swap(obs, from, to), files: { ...etcFiles(v), [to]: text } });
  }
  // A config line: local-clock-mismatch rewrites `server 127.127.1.1 iburst` (seed000-node0-final line 31) with its text.
  const anchor = '127.127.1.1 iburst';
  const finalText = readFileSync(`${CONFIGS}seed000-node0-final.ntp.conf`, 'utf8');
  out.push({
    name: 'local-clock-mismatch: config line',
    observations: swap(trigger('local-clock-mismatch'), anchor, `${anchor}${v}`),
    files: { '/etc/seed000-node0-final.ntp.conf': finalText.split(anchor).join(`${anchor}${v}`) },
  });
  // Firewall chain and table names (iptables insert position, nft family/table/chain).
  const node0 = localAddresses([iface(), LOOPBACK]);
  const daemonsObs = trigger('daemon-not-running');
  out.push({ name: 'firewall-blocks-ntp: iptables chain', observations: [node0, ...daemonsObs, centosReject({ insertAt: { table: 'filter', chain: v, position: 5 } })], files: etcFiles(v) });
  out.push({
    name: 'firewall-blocks-ntp: nft table',
    observations: [node0, ...daemonsObs, centosReject({ backend: 'nftables', insertAt: { family: 'inet', table: v, chain: 'input', beforeHandle: 7 } })],
    files: etcFiles(v),
  });
  // A daemon's source name (chronyc sources).
  out.push({ name: 'source-unreachable: source name', observations: [chronySeesUnreachable({ address: v })], files: etcFiles(v) });
  return out;
}

function firstFixes(findings: readonly Finding[]): Fix[] {
  return findings.flatMap((f) => f.fixes);
}

const WATCH = [ROOT, '/etc'];
const why = sandboxUnavailable();
let sandbox: Sandbox;

beforeAll(async () => {
  TRIGGERS = triggers(await collectRuleCases());
  if (!why) sandbox = new Sandbox();
});
afterAll(() => sandbox?.dispose());

describe('hostile values never reach a shell as code', () => {
  it('no printed command or verify carries a value that cannot be pasted, and those fixes become plain steps', () => {
    for (const v of HOSTILE) {
      for (const c of cases(v)) {
        for (const fix of firstFixes(diagnose(c.observations))) {
          const texts = [...fix.commands, fix.verify];
          if (pasteHazard(v)) for (const t of texts) expect(t.includes(v), `${c.name}: ${JSON.stringify(t)}`).toBe(false);
          for (const t of texts) expect(pasteHazard(t), `${c.name}: ${JSON.stringify(t)}`).toBeUndefined();
          if (fix.commands.length === 0) expect(fix.manual?.length, `${c.name}: ${fix.title}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it.skipIf(why)('every command runs exactly its twin\'s programs and argv, edits the same file the same way, and runs nothing the value names', async () => {
    let ran = 0;
    const jobs: Array<() => Promise<void>> = [];
    HOSTILE.forEach((v, k) => {
      const ph = `ZqZ${k}${v.includes(':') ? ':' : ''}`;
      const hostile = cases(v);
      const groups: Array<{ files: Record<string, string>; commands: string[] }> = [];
      const twinGroups: typeof groups = [];
      const labels: string[] = [];
      const seen = new Set<string>();
      const twins = cases(ph);
      hostile.forEach((c, i) => {
        const twin = twins[i]!;
        const hf = firstFixes(diagnose(c.observations));
        const tf = firstFixes(diagnose(twin.observations));
        expect(hf.map((f) => f.platform), `${c.name}: the same fixes`).toEqual(tf.map((f) => f.platform));
        hf.forEach((fix, j) => {
          const tfix = tf[j]!;
          if (fix.commands.length === 0) {
            expect(fix.manual?.length, `${c.name}: ${fix.title}`).toBeGreaterThan(0);
            return;
          }
          expect(fix.commands.length).toBe(tfix.commands.length);
          // Commands the value does not reach are the same in every case: run those that carry it.
          const pairs = [...fix.commands.map((h, n) => [h, tfix.commands[n]!] as const), ...(fix.verify ? [[fix.verify, tfix.verify] as const] : [])].filter(([, t]) => t.includes(ph));
          if (pairs.length === 0) return;
          // The same fix from several rules (a firewall opening, a probe) runs once.
          const key = JSON.stringify([pairs, Object.keys(c.files)]);
          if (seen.has(key)) return;
          seen.add(key);
          groups.push({ files: c.files, commands: pairs.map(([h]) => h) });
          twinGroups.push({ files: twin.files, commands: pairs.map(([, t]) => t) });
          labels.push(`${c.name} / ${fix.title}`);
        });
      });
      // One namespace for the value and its twin (each group starts from its own files).
      jobs.push(async () => {
        const both = await sandbox.runAsync([...groups, ...twinGroups], WATCH, '/tmp');
        const hr = both.slice(0, groups.length);
        const tr = both.slice(groups.length);
        hr.forEach((group, g) => group.forEach((h, n) => compare(`${labels[g]} / ${h.command}`, h, tr[g]![n]!, ph, v)));
        ran += hr.flat().length;
      });
    });
    // Two namespaces at a time (2 cores): each value's run is a node driver and its shells, CPU-bound.
    const next = async (): Promise<void> => {
      for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) await job();
    };
    await Promise.all([next(), next()]);
    expect(ran).toBeGreaterThan(300);
  }, 600_000);
});

/** One hostile command against its twin. */
function compare(where: string, h: RunResult, t: RunResult, ph: string, v: string): void {
  const sub = (s: string) => s.split(ph).join(v);
  expect(h.stderr, where).toBe('');
  expect(h.status, where).toBe(0);
  expect(h.programs.length, `${where}: exactly one program (none for an echo/printf append)`).toBe(t.programs.length);
  expect(h.programs.length, where).toBeLessThanOrEqual(1);
  for (const [n, argv] of h.programs.entries()) {
    const twin = t.programs[n]!;
    expect(argv[0], where).toBe(twin[0]);
    expect(argv.length, where).toBe(twin.length);
    for (const [m, arg] of argv.entries()) {
      // A sed script carries the value escaped for sed: judged below by what it does to the file.
      if (argv[0] === 'sed' && m < argv.length - 1 && twin[m]!.includes(ph)) continue;
      expect(arg, `${where}: argument ${m}`).toBe(sub(twin[m]!));
    }
  }
  const changed = Object.fromEntries(Object.entries(t.changed).map(([p, text]) => [sub(p), text === null ? null : sub(text)]));
  expect(h.changed, `${where}: the same files, changed the same way`).toEqual(changed);
  for (const p of Object.keys(h.changed)) expect(p.endsWith('pwned'), where).toBe(false);
  for (const argv of h.programs) expect(['touch', 'rm', 'id', 'reboot', 'curl', 'wget', 'sh', 'bash', 'ls', 'b', 'pwned']).not.toContain(argv[0]);
}
