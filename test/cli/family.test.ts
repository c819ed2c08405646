/**
 * -4 / -6 (definition.ts): probe and trace resolve HOST to one family, diagnose probes one family of the
 * configured and --server addresses, serve keeps one family of its listen addresses. Names are only ever
 * looked up in /etc/hosts here (localhost), and no packet is sent.
 */
import { describe, expect, it } from 'vitest';
import { listenFamily } from '../../src/cli/commands/serve.js';
import { InputError } from '../../src/errors.js';
import { probeTargets } from '../../src/run/node-probes.js';
import type { NodeFacts } from '../../src/inspect/node.js';
import { resolveAll } from '../../src/net/target.js';
import { parseListen } from '../../src/serve/options.js';
import { run } from './_run.js';

describe('resolveAll with a family', () => {
  it('keeps a literal of that family, and refuses one of the other with one clear message', async () => {
    expect(await resolveAll('198.51.100.1', 4)).toEqual([{ address: '198.51.100.1', family: 4 }]);
    expect(await resolveAll('2001:db8::1', 6)).toEqual([{ address: '2001:db8::1', family: 6 }]);
    await expect(resolveAll('2001:db8::1', 4)).rejects.toThrow(new InputError("'2001:db8::1' is an IPv6 address, but -4 asks for IPv4 only"));
    await expect(resolveAll('198.51.100.1', 6)).rejects.toThrow(/is an IPv4 address, but -6 asks for IPv6 only/);
  });

  it('resolves a name (/etc/hosts) to that family only', async () => {
    const v4 = await resolveAll('localhost', 4);
    expect(v4.length).toBeGreaterThan(0);
    expect(v4.every((a) => a.family === 4)).toBe(true);
  });
});

describe('serve -4 / -6', () => {
  it('keeps the listen addresses of the family, made mandatory (asked for by name)', () => {
    expect(listenFamily(parseListen([]), 4)).toEqual([{ address: '127.0.0.1', port: 123, optional: false }]);
    expect(listenFamily(parseListen([]), 6)).toEqual([{ address: '::1', port: 123, optional: false }]);
    expect(listenFamily(parseListen(['127.0.0.1:1123', '[::1]:1123']), 6)).toEqual([{ address: '::1', port: 1123, optional: false }]);
    expect(listenFamily(parseListen([]), undefined)).toEqual(parseListen([]));
  });

  it('refuses a family none of the listen addresses has', () => {
    expect(() => listenFamily(parseListen(['127.0.0.1:1123']), 6)).toThrow(/-6: no IPv6 address among --listen 127\.0\.0\.1:1123/);
  });
});

describe('diagnose -4 / -6: the probe targets', () => {
  // A pool name resolved to two IPv6 addresses before its IPv4 one: -4 must still find the IPv4 one.
  const facts = {
    configs: [{ config: { sources: [{ file: '/etc/chrony/chrony.conf', line: 3, resolved: ['2001:db8::1', '2001:db8::2', '198.51.100.1'] }] } }],
  } as unknown as NodeFacts;

  it('keeps one family, chosen before the per-name cut', async () => {
    expect((await probeTargets(facts, [], 4)).map((t) => t.address)).toEqual(['198.51.100.1']);
    expect((await probeTargets(facts, [], 6)).map((t) => t.address)).toEqual(['2001:db8::1', '2001:db8::2']);
    expect((await probeTargets(facts, [])).map((t) => t.address)).toEqual(['2001:db8::1', '2001:db8::2']);
  });

  it('applies to --server too', async () => {
    expect((await probeTargets(facts, ['127.0.0.1:1123'], 4)).map((t) => `${t.address}:${t.port}`)).toEqual(['198.51.100.1:123', '127.0.0.1:1123']);
    await expect(probeTargets(facts, ['::1'], 4)).rejects.toThrow(/--server ::1: '::1' is an IPv6 address, but -4 asks for IPv4 only/);
  });
});

describe('end to end: the option reaches the core (refused before a packet is sent)', () => {
  it.each([
    [['probe', '-6', '127.0.0.1'], "ntpdoctor: '127.0.0.1' is an IPv4 address, but -6 asks for IPv6 only\n"],
    [['probe', '--ipv4', '[::1]:1123'], "ntpdoctor: '::1' is an IPv6 address, but -4 asks for IPv4 only\n"],
    [['trace', '-6', '127.0.0.1'], "ntpdoctor: '127.0.0.1' is an IPv4 address, but -6 asks for IPv6 only\n"],
    [['serve', '-6', '--listen', '127.0.0.1:1123'], 'ntpdoctor: -6: no IPv6 address among --listen 127.0.0.1:1123\n'],
  ])('%j', async (argv, line) => {
    expect(await run(argv)).toEqual({ code: 2, out: '', err: line });
  });
});
