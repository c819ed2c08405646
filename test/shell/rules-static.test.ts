/**
 * No rule makes command text itself (issue 11 item 1): commands come from src/shell/ builders, and `words()` takes a
 * plain literal only. The type of `draft()` already refuses strings; this catches a template literal slipped into
 * `words()` or a command-looking template string anywhere in rules/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', 'rules');
const files = [...readdirSync(root).map((f) => join(root, f)), ...readdirSync(join(root, '_lib')).map((f) => join(root, '_lib', f))].filter((f) => f.endsWith('.ts'));
const PROGRAMS = 'sed|echo|printf|nft|iptables|ip6tables|firewall-cmd|chronyc|ntpq|ntpdc|systemctl|ss|ethtool|ntpdoctor|tcpdump|ping|ip|service|grep|watch|hwclock';

describe('rules build commands from parts', () => {
  it('no words() with a template literal, no template string that starts like a command', () => {
    const offenders: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/words\(\s*`/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
          if (new RegExp(`(^|[\\[(,=:]\\s*)\`(${PROGRAMS}) [^\`]*\\$\\{`).test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
