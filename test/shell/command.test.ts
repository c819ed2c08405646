/** Commands from argv parts (src/shell/command.ts, sed.ts) as data: quoting, refusals, the plain-language step. */
import { describe, expect, it } from 'vitest';
import { appendLine, cmd, file, op, rendered, words, writeTo } from '../../src/shell/command.js';
import { changeTextLiteral, commentOutLine, editSourceLines, ereLiteral, replaceLine } from '../../src/shell/sed.js';

const text = (c: ReturnType<typeof cmd>) => {
  const r = rendered(c);
  return r.ok ? r.text : `REFUSED: ${r.reason}`;
};

describe('commands from parts', () => {
  it('quotes each argument once; the issue\'s path comes out as one word', () => {
    expect(text(commentOutLine('/srv/a;touch pwned;b/ntp.conf', 1))).toBe("sed -i '1s/^/# /' '/srv/a;touch pwned;b/ntp.conf'");
    expect(text(commentOutLine('/etc/my ntp.conf', 3))).toBe("sed -i '3s/^/# /' '/etc/my ntp.conf'");
  });

  it("puts a config line in `c\\` text with its backslashes doubled, then quotes it", () => {
    expect(text(replaceLine('/etc/ntp.conf', 6, "server 127.127.1.0 iburst';touch pwned;'"))).toBe(`sed -i '6c\\server 127.127.1.0 iburst'"'"';touch pwned;'"'"'' /etc/ntp.conf`);
    expect(changeTextLiteral('a\\tb')).toBe('a\\\\tb');
  });

  it('escapes every ERE metacharacter and the / delimiter of a host in a sed address', () => {
    expect(ereLiteral('1.2.3.4')).toBe('1\\.2\\.3\\.4');
    expect(ereLiteral('a/b|c(d)*[e]{f}^$+?\\')).toBe('a\\/b\\|c\\(d\\)\\*\\[e\\]\\{f\\}\\^\\$\\+\\?\\\\');
    expect(text(editSourceLines('/etc/chrony.conf', 'ntp.example', 'X', 'x'))).toBe("sed -i -E '/^(server|pool|peer)[[:space:]]+ntp\\.example([[:space:]]|$)/ s/X//g' /etc/chrony.conf");
  });

  it('appends with echo, or printf when echo would read the line (a backslash, a leading -)', () => {
    expect(text(appendLine('/etc/ntp.conf', 'server 127.127.1.0'))).toBe("echo 'server 127.127.1.0' >> /etc/ntp.conf");
    expect(text(appendLine('/etc/ntp.conf', 'a\\c'))).toBe("printf '%s\\n' 'a\\c' >> /etc/ntp.conf");
    expect(text(appendLine('/etc/ntp.conf', '-n'))).toBe("printf '%s\\n' -n >> /etc/ntp.conf");
    expect(text(writeTo(cmd('echo', 'flush ruleset'), '/etc/nftables.conf'))).toBe("echo 'flush ruleset' > /etc/nftables.conf");
  });

  it('refuses an operand that reads as an option, and gives a relative path beginning with - a ./', () => {
    expect(text(cmd('ping', '-c', '3', op('-f')))).toMatch(/^REFUSED: "-f" begins with '-'/);
    expect(text(cmd('sed', '-i', '1d', file('-x.conf')))).toBe('sed -i 1d ./-x.conf');
  });

  it('refuses what cannot be pasted and says the step in words, every character escaped', () => {
    const r = rendered(commentOutLine('/etc/a\nb.conf', 2));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.step).toBe('By hand: in "/etc/a\\nb.conf", put "# " at the start of line 2 (no command printed: "/etc/a\\nb.conf" cannot be pasted safely: it contains the control character U+000A)');
      expect(r.step).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    const c1 = rendered(cmd('ntpdoctor', 'probe', op('a\u009bb')));
    expect(!c1.ok && c1.step.includes('\\u009b')).toBe(true);
  });

  it('takes only literals as fixed words', () => {
    expect(words('chronyc sources -v').argv).toEqual(['chronyc', 'sources', '-v']);
  });
});
