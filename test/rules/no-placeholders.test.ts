/**
 * Issue 11: no placeholder in any pasteable command, proven for every rule. Every invalid case of every rule's
 * rule-tester cases (test/rules/_tester.ts, collected as test/rules/meta.test.ts collects them) is judged and
 * rendered by the two renderers that print fixes — the text report (src/render/text.ts) and the Markdown checklist
 * (src/render/checklist.ts) — and every line a user would paste is read back from the rendered text: the fix
 * commands and the verify commands. None may hold a placeholder the user must fill in: `<...>`, an ALL-CAPS word
 * that is not a real program's name, option or keyword (SERVER, IFACE, THIS-HOST, ADDR, PORT, NTP_SERVER),
 * `x.x.x.x`, `example.com`, `...`. A fix that has no real value to put there says the step in words (`manual`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { judge } from '../../src/diagnose/judge.js';
import type { Finding, Report } from '../../src/diagnose/types.js';
import { renderChecklist } from '../../src/render/checklist.js';
import { renderText } from '../../src/render/text.js';
import { collectRuleCases, type RegisteredCases } from './_tester.js';

/**
 * ALL-CAPS words that are real: iptables targets, chains and conntrack states, chrony/ntpd keywords, locale and
 * environment names. Anything else in capitals is a word the user was meant to replace.
 */
const REAL_CAPS = new Set<string>([
  // iptables(8) built-in chains and targets, iptables-extensions(8) conntrack states.
  'INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING', 'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG',
  'NEW', 'ESTABLISHED', 'RELATED', 'INVALID',
  // Variables the distributions' daemon defaults files really hold (/etc/sysconfig/ntpd OPTIONS, /etc/default/chrony DAEMON_OPTS, /etc/default/ntp NTPD_OPTS).
  'OPTIONS', 'DAEMON_OPTS', 'NTPD_OPTS',
  // capabilities(7) as docker/podman/systemd name them.
  'SYS_TIME', 'CAP_SYS_TIME',
]);

/** The placeholder a pasteable line holds, or undefined. */
export function placeholderIn(line: string): string | undefined {
  const angle = /<[A-Za-z_][^<>]*>/.exec(line);
  if (angle) return angle[0];
  const dots = /\.\.\.|…/.exec(line);
  if (dots) return dots[0];
  const xs = /\b(?:x{1,3}\.){3}x{1,3}\b/i.exec(line);
  if (xs) return xs[0];
  const example = /\bexample\.(?:com|org|net)\b/i.exec(line);
  if (example) return example[0];
  for (const m of line.matchAll(/(?<![\w.$/-])[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)*(?![\w/])/g)) {
    const word = m[0];
    if (word.length < 2 || REAL_CAPS.has(word)) continue;
    return word;
  }
  return undefined;
}

/** Commands and verify commands, read back from the text report (laid out wide: no fix line is wrapped). */
function textPasteables(report: Report): string[] {
  const out: string[] = [];
  for (const line of renderText(report, { width: 10_000 }).split('\n')) {
    const verify = /^ {8}verify: (.*)$/.exec(line);
    if (verify) out.push(verify[1]!);
    else if (/^ {10}[^ -]/.test(line) || /^ {10}-[^ ]/.test(line)) out.push(line.slice(10));
  }
  return out;
}

/** Commands (the `sh` blocks) and verify commands (the `verify:` code spans), read back from the checklist. */
function checklistPasteables(report: Report): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of renderChecklist(report).split('\n')) {
    const t = line.trim();
    if (t === '```sh') inBlock = true;
    else if (t === '```' && inBlock) inBlock = false;
    else if (inBlock) out.push(t);
    else {
      const v = /verify: (`+) ?(.*?) ?\1(?: — expect: |$)/.exec(t);
      if (v) out.push(v[2]!);
    }
  }
  return out;
}

/**
 * Commands quoted inside the words of a fix (its manual steps and its `expect`): code spans, and an `ntpdoctor …`
 * run written out in prose ("then from a client: ntpdoctor probe 198.51.100.1 gets replies"), up to the next ';',
 * ')' or ' gets'. A user copies these too.
 */
function quotedInWords(findings: readonly Finding[]): string[] {
  const out: string[] = [];
  for (const f of findings) {
    for (const fix of f.fixes) {
      for (const text of [...(fix.manual ?? []), fix.expect ?? '']) {
        for (const m of text.matchAll(/(`+) ?(.+?) ?\1/g)) out.push(m[2]!);
        for (const m of text.replace(/`[^`]*`/g, '').matchAll(/\bntpdoctor [a-z]+(?: (?!gets\b)[^\s;),]+)*/g)) out.push(m[0]);
      }
    }
  }
  return out;
}

const pasteableCount = (findings: readonly Finding[]) => findings.reduce((n, f) => n + f.fixes.reduce((m, x) => m + x.commands.length + (x.verify ? 1 : 0), 0), 0);

describe('placeholderIn', () => {
  it('finds each kind of placeholder and passes real commands', () => {
    for (const bad of [
      'chronyc -h <server> sources',
      "echo 'server SERVER iburst' >> /etc/chrony.conf",
      'tcpdump -i IFACE udp port 123',
      'ethtool -K IF tx off',
      'ntpdate -q THIS-HOST',
      'nc -u ADDR PORT',
      'ntpdig NTP_SERVER',
      'ping x.x.x.x',
      'ntpdate -q pool.example.com',
      'ip route get ...',
      'chronyc sources …',
    ]) {
      expect(placeholderIn(bad), bad).toBeDefined();
    }
    for (const good of [
      'iptables -I INPUT -p udp --dport 123 -j ACCEPT',
      "nft add rule inet filter input udp dport 123 accept",
      'chronyc -n sources',
      "sed -i 's/^server 198.51.100.1 iburst$/# &/' /etc/ntp.conf",
      'ntpdig -t 2 198.51.100.100',
      'systemctl restart chronyd',
    ]) {
      expect(placeholderIn(good), good).toBeUndefined();
    }
  });
});

describe('no placeholder in any pasteable command (every rule, every invalid case, text and checklist)', () => {
  let cases: ReadonlyMap<string, RegisteredCases[]> = new Map();
  beforeAll(async () => {
    cases = await collectRuleCases();
  });

  it('reads back every command and verify command of every invalid case', () => {
    const found: string[] = [];
    let cmds = 0;
    for (const rule of rules) {
      for (const set of cases.get(rule.meta.id) ?? []) {
        for (const c of set.invalid) {
          const report = judge(c.observations(), [], [], [rule]);
          const want = pasteableCount(report.findings);
          const text = textPasteables(report);
          const md = checklistPasteables(report);
          // The readers must see what the fixes hold: else this test would pass on lines it never read.
          expect(text.length, `${rule.meta.id} / ${c.name}: text lines read back`).toBe(want);
          expect(md.length, `${rule.meta.id} / ${c.name}: checklist lines read back`).toBeGreaterThanOrEqual(Math.min(want, 1));
          cmds += want;
          for (const [where, lines] of [['text', text], ['checklist', md], ['words', quotedInWords(report.findings)]] as const) {
            for (const line of lines) {
              const p = placeholderIn(line);
              if (p !== undefined) found.push(`${rule.meta.id} / ${c.name} (${where}): ${p} in: ${line}`);
            }
          }
        }
      }
    }
    expect(cmds).toBeGreaterThan(100);
    expect([...new Set(found)]).toEqual([]);
  });
});
