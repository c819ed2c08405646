import { describe, expect, it } from 'vitest';
import rule from '../../rules/capture-damaged.js';
import type { InputObservation } from '../../src/model/observation.js';
import { hitsOf, path } from './_build.js';
import { ruleTester } from './_tester.js';

function input(over: Partial<InputObservation> = {}): InputObservation {
  return { kind: 'input', source: 'capture', file: 'cut.pcap', frames: 12, ntpFrames: 8, decodeIssues: { count: 0, frames: [] }, ...over };
}

const TRUNCATED = { kind: 'truncated', offset: 2100, frame: 13, reason: 'file ends inside a record (40 of 106 bytes)' } as const;

describe('capture-damaged', () => {
  it('says where the readable part ends: byte offset, frame, why, and what was analysed', () => {
    const [hit, ...rest] = hitsOf(rule, [path(), input({ stop: TRUNCATED })]);
    expect(rest).toEqual([]);
    expect(hit!.subject).toBe('cut.pcap');
    expect(hit!.title).toBe('cut.pcap was read only up to byte 2100 (frame 13): the capture is truncated');
    expect(hit!.evidence.map((e) => e.text)).toEqual([
      'cut.pcap: truncated at byte 2100 (frame 13): file ends inside a record (40 of 106 bytes)',
      'The 12 frames before byte 2100 were analysed (8 NTP/ICMP frames); nothing after it was read',
    ]);
    expect(hit!.severity).toBeUndefined(); // the rule's own: warning, so exit 1
    expect(rule.meta.severity).toBe('warning');
    expect(hit!.fixes.map((f) => f.commands[0])).toEqual([
      'ls -l cut.pcap',
      "tcpdump -i any -U -w ntp.pcap 'udp port 123 or icmp or icmp6'",
      'editcap -F pcap cut.pcap readable.pcap',
    ]);
  });

  it('calls an impossible length damage, not truncation', () => {
    const stop = { kind: 'malformed', offset: 24, frame: 1, reason: 'invalid packet capture length 268435457, bigger than the maximum of 262144' } as const;
    const hit = hitsOf(rule, [input({ frames: 0, ntpFrames: 0, stop })])[0]!;
    expect(hit.title).toBe('cut.pcap was read only up to byte 24 (frame 1): the capture is damaged');
    expect(hit.evidence[1]!.text).toBe('No frame could be read before byte 24: there is nothing to analyse');
  });

  it('quotes a hostile file name, and gives no command for one that no quoting carries', () => {
    const hostile = hitsOf(rule, [input({ file: "-x';touch pwned;'$(id).pcap", stop: TRUNCATED })])[0]!;
    // src/shell quotes as shlex.quote does; a name beginning with '-' becomes a path (./-x…), never an option.
    expect(hostile.fixes[0]!.commands[0]).toBe(`ls -l './-x'"'"';touch pwned;'"'"'$(id).pcap'`);
    expect(hostile.fixes[2]!.commands[0]).toBe(`editcap -F pcap './-x'"'"';touch pwned;'"'"'$(id).pcap' readable.pcap`);
    const newline = hitsOf(rule, [input({ file: 'a\nb.pcap', stop: TRUNCATED })])[0]!;
    // No quoting carries a newline safely: the fixes that name the file become steps in words, with no command.
    const named = newline.fixes.filter((f) => f.manual?.length);
    expect(named.length).toBe(2);
    for (const f of named) expect(f.commands).toEqual([]);
    expect(newline.fixes.flatMap((f) => [...f.commands, f.verify]).join('\n')).not.toContain('a\nb');
    const stdin = hitsOf(rule, [input({ file: '-', stop: TRUNCATED })])[0]!;
    expect(stdin.subject).toBe('stdin');
    expect(stdin.fixes).toHaveLength(1);
  });
});

ruleTester.run('capture-damaged', rule, {
  valid: [{ name: 'a capture read to its end', observations: () => [path(), input()] }],
  invalid: [
    {
      name: 'a capture cut inside a record',
      observations: () => [
        path(),
        { kind: 'input', source: 'capture', file: 'cut.pcap', frames: 12, ntpFrames: 8, decodeIssues: { count: 0, frames: [] }, stop: { kind: 'truncated', offset: 2100, frame: 13, reason: 'file ends inside a record (40 of 106 bytes)' } },
      ],
      findings: [
        {
          subject: 'cut.pcap',
          severity: 'warning',
          title: 'cut.pcap was read only up to byte 2100 (frame 13)',
          evidence: ['cut.pcap: truncated at byte 2100 (frame 13): file ends inside a record (40 of 106 bytes)', 'The 12 frames before byte 2100 were analysed'],
        },
      ],
    },
  ],
});
