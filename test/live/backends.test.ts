/** The backends' words, as data: cap's link-type names and errors, tcpdump's arguments, banner and complaints. */
import { describe, expect, it } from 'vitest';
import { capLinkType, classifyCapError } from '../../src/capture/live/cap-source.js';
import { adviceFor, HINT_BUILD_CAP, HINT_PRIVILEGE } from '../../src/capture/live/open.js';
import { CaptureUnavailable } from '../../src/capture/live/session.js';
import { classifyTcpdumpError, parseDropped, parseListening, tcpdumpArgs } from '../../src/capture/live/tcpdump-source.js';
import { InputError } from '../../src/errors.js';

describe('cap backend', () => {
  it("maps cap's link-type names (binding.cc) to LINKTYPE numbers", () => {
    const table: Array<[string, number | undefined]> = [
      ['ETHERNET', 1],
      ['LINKTYPE_LINUX_SLL', 113],
      ['RAW', 101],
      ['NULL', 0],
      ['Unknown linktype 276', 276], // DLT_LINUX_SLL2 = LINKTYPE_LINUX_SLL2
      ['Unknown linktype 14', 101], // DLT_RAW on OpenBSD
      ['something else', undefined],
    ];
    for (const [name, linkType] of table) expect(capLinkType(name), name).toBe(linkType);
  });

  it("classifies cap.open() errors (libpcap's own words, as seen here)", () => {
    const perm = classifyCapError('any', 'socket: Operation not permitted');
    expect(perm).toBeInstanceOf(CaptureUnavailable);
    expect((perm as CaptureUnavailable).reason).toBe('no-permission');
    expect(perm.message).toBe('libpcap on any: socket: Operation not permitted');
    const dev = classifyCapError('nonexist0', 'No such device exists');
    expect(dev).toBeInstanceOf(InputError);
    expect(dev.message).toBe('-i nonexist0: no such interface');
    const other = classifyCapError('lo', 'syntax error in filter expression');
    expect(other).toBeInstanceOf(InputError);
    expect(other.message).toBe('cannot capture on lo: syntax error in filter expression');
  });
});

describe('tcpdump backend', () => {
  it('runs tcpdump writing pcap to stdout, flushed per packet, ns stamps, no name lookups', () => {
    expect(tcpdumpArgs('any', 'udp port 123')).toEqual([
      '-i', 'any', '-n', '-w', '-', '-U', '--immediate-mode', '--time-stamp-precision', 'nano', '-s', '65535', 'udp port 123',
    ]);
  });

  it("reads tcpdump 4.99's banner and closing statistics", () => {
    expect(parseListening('tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 65535 bytes')).toEqual({ device: 'any', linkType: 276 });
    expect(parseListening('tcpdump: listening on lv-cli, link-type EN10MB (Ethernet), snapshot length 65535 bytes')).toEqual({ device: 'lv-cli', linkType: 1 });
    expect(parseListening('tcpdump: listening on x, link-type PPP (PPP), snapshot length 65535 bytes')).toEqual({ device: 'x', linkType: undefined });
    expect(parseListening('tcpdump: data link type LINUX_SLL2')).toBeUndefined();
    expect(parseDropped('12 packets captured\n12 packets received by filter\n3 packets dropped by kernel\n')).toBe(3);
    expect(parseDropped('1 packet dropped by kernel')).toBe(1);
    expect(parseDropped('')).toBeUndefined();
  });

  it("classifies tcpdump's complaints at start (its exact stderr here)", () => {
    const perm = classifyTcpdumpError('any', "tcpdump: any: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n");
    expect(perm).toBeInstanceOf(CaptureUnavailable);
    expect(perm.message).toBe("tcpdump: any: You don't have permission to perform this capture on that device (socket: Operation not permitted)");
    expect((perm as CaptureUnavailable).backend).toBe('tcpdump');
    const dev = classifyTcpdumpError('nonexist0', 'tcpdump: nonexist0: No such device exists\n(No such device exists)\n');
    expect(dev.message).toBe('-i nonexist0: no such interface');
    expect(classifyTcpdumpError('lo', '').message).toBe('tcpdump failed: exited before capturing');
  });
});

describe('what the user is told', () => {
  it('says what to do, in one line, for each way a backend is unavailable', () => {
    const lines = [
      adviceFor(new CaptureUnavailable('cap', 'not-installed', "the optional module 'cap' is not installed or not built (Cannot find package 'cap')")),
      adviceFor(new CaptureUnavailable('cap', 'no-permission', 'cannot capture on any: socket: Operation not permitted')),
      adviceFor(new CaptureUnavailable('tcpdump', 'not-installed', 'tcpdump is not installed')),
      adviceFor(new CaptureUnavailable('tcpdump', 'no-permission', 'tcpdump cannot capture on any: ...')),
    ];
    for (const l of lines) expect(l).not.toMatch(/\n/);
    expect(lines[0]).toContain(HINT_BUILD_CAP);
    expect(HINT_BUILD_CAP).toBe('apt-get install libpcap-dev && npm rebuild cap');
    expect(lines[1]).toContain(HINT_PRIVILEGE);
    // Root for this run or tcpdump's own privileges; never file capabilities on the node binary (every script gets them).
    expect(HINT_PRIVILEGE).toBe("run it as root (sudo ntpdoctor capture …), or with --backend tcpdump, which captures with tcpdump's own privileges");
    for (const l of lines) expect(l).not.toMatch(/setcap|\+eip/);
    expect(lines[2]).toMatch(/apt-get install tcpdump/);
    expect(lines[3]).toMatch(/run it as root \(sudo ntpdoctor capture …\)/);
  });
});
