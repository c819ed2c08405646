/**
 * Terminal safety end to end (issue 11 item 2): the hostile corpus (test/hostile.ts) reaches every command
 * the ways real data does — config text and file names (lint, diagnose, checklist), capture file names and
 * damaged captures (analyze, checklist), a loopback server's replies and mode 6 variables (probe, trace),
 * error messages for bad files and bad arguments. For each command in text and in JSON: nothing raw reaches
 * the terminal but `\n`, JSON parses and gives back the exact original value, and an error is one line.
 * Network: loopback only (a stand-in server on 127.0.0.1, an ephemeral port).
 */
import dgram from 'node:dgram';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { decodeNtp, encodeNtp } from '../../src/ntp/codec.js';
import { unixNsToNtp } from '../../src/net/clock.js';
import { allStrings, expectOneLine, expectSafeJson, expectTerminalSafe, HOSTILE, HOSTILE_NAME } from '../hostile.js';
import { assertSchema } from '../_schema.js';

const ROOT = join(__dirname, '..', '..');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}

/** Text mode: safe stdout, safe stderr (empty or notices), a report's exit status. */
async function text(...argv: string[]): Promise<string> {
  const r = await run(...argv);
  expect(r.code, `${JSON.stringify(argv)}: ${r.err}`).toBeLessThanOrEqual(1);
  expectTerminalSafe(r.out, `stdout of ${argv[0]}`);
  expectTerminalSafe(r.err, `stderr of ${argv[0]}`);
  return r.out;
}

/** JSON mode: one document, inert, parsed. */
async function json(...argv: string[]): Promise<unknown> {
  const r = await run(...argv, '--json');
  expect(r.code, `${JSON.stringify(argv)}: ${r.err}`).toBeLessThanOrEqual(1);
  expectTerminalSafe(r.err, `stderr of ${argv[0]} --json`);
  const value = expectSafeJson(r.out, `stdout of ${argv[0]} --json`);
  assertSchema('report', value, `stdout of ${argv[0]} --json`);
  return value;
}

/** An error: exit 2, nothing on stdout, exactly one safe line on stderr. */
async function failure(...argv: string[]): Promise<string> {
  const r = await run(...argv);
  expect(r.code, JSON.stringify(argv)).toBe(2);
  expect(r.out).toBe('');
  expectOneLine(r.err, `error of ${JSON.stringify(argv).slice(0, 80)}`);
  expect(r.err.startsWith('ntpdoctor: ')).toBe(true);
  return r.err;
}

let dir: string;
let ntpConf: string;
let chronyConf: string;
let capture: string;
let truncated: string;
let garbage: string;

/** Config lines carrying the corpus where a config can: options, comments, paths, values (servers on loopback only). */
const NTP_LINES = [
  `server 127.0.0.1 iburst ${HOSTILE.clear}`,
  `restrict default kod nomodify${HOSTILE.bel} notrap nopeer`,
  `driftfile /var/lib/ntp/${HOSTILE.osc52}drift`,
  `# ${HOSTILE.csi8}${HOSTILE.osc8}${HOSTILE.rlo}${HOSTILE.isolate}${HOSTILE.lsep}`,
  `fudge 127.127.1.0 stratum 10 ${HOSTILE.overwrite}`,
  `sever 127.0.0.3 ${HOSTILE.del}${HOSTILE.nul}`,
  `logfile /var/log/${HOSTILE.long}`,
];
const CHRONY_LINES = [
  `server 127.0.0.1 iburst ${HOSTILE.clear}`,
  `allow ${HOSTILE.csi8}`,
  `driftfile /var/lib/chrony/${HOSTILE.osc52}`,
  `local stratum 10 ${HOSTILE.overwrite}${HOSTILE.rlo}`,
  `makestep 1 3 ${HOSTILE.nul}${HOSTILE.del}`,
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-hostile-'));
  const sub = join(dir, HOSTILE_NAME);
  mkdirSync(sub);
  ntpConf = join(sub, `${HOSTILE_NAME}.conf`);
  writeFileSync(ntpConf, `${NTP_LINES.join('\n')}\r\n`);
  chronyConf = join(sub, `chrony${HOSTILE.clear}.conf`);
  writeFileSync(chronyConf, `${CHRONY_LINES.join('\n')}\n`);
  capture = join(sub, `${HOSTILE_NAME}.pcap`);
  copyFileSync(join(ROOT, 'fixtures', 'self-sync.pcap'), capture);
  const whole = readFileSync(join(ROOT, 'fixtures', 'rate-limit-kod.pcap'));
  truncated = join(sub, `cut${HOSTILE.osc52}.pcap`);
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2) + 7));
  garbage = join(sub, `junk${HOSTILE.csi8}.pcap`);
  writeFileSync(garbage, `${HOSTILE.clear}${HOSTILE.osc52} not a capture at all ${'x'.repeat(100)}`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('config text and file names', () => {
  it('lint (ntpd): text and JSON', async () => {
    const out = await text('lint', ntpConf, '--flavor', 'ntpd');
    // Escaped, not dropped: the reader sees what the file is called.
    expect(out).toContain('\\x1b]52;c;cm0gLXJmIH4K\\x07');
    const report = (await json('lint', ntpConf, '--flavor', 'ntpd')) as { inputs: Array<{ name: string }> };
    expect(report.inputs[0]?.name).toBe(ntpConf);
  });

  it('lint (chrony): text and JSON', async () => {
    await text('lint', chronyConf, '--flavor', 'chrony');
    const report = await json('lint', chronyConf, '--flavor', 'chrony');
    expect(allStrings(report)).toContain(chronyConf);
  });

  it('diagnose --plain --no-probe and diagnose --json with both configs', async () => {
    await text('diagnose', '--plain', '--no-probe', '--config', ntpConf, '--config', chronyConf);
    const report = await json('diagnose', '--no-probe', '--config', ntpConf, '--config', chronyConf);
    expect(allStrings(report).some((s) => s.includes(HOSTILE.clear))).toBe(true);
  });

  it('checklist of this node with the hostile configs', async () => {
    await text('checklist', '--no-probe', '--config', ntpConf);
  });
});

describe('capture file names and damaged captures', () => {
  it('analyze: text and JSON (the exact name comes back in JSON)', async () => {
    const out = await text('analyze', capture);
    expect(out).toContain('\\x1b[2J');
    const report = (await json('analyze', capture)) as { inputs: Array<{ name: string }> };
    expect(report.inputs[0]?.name).toBe(capture);
  });

  it('analyze of a capture cut in half: the notice on stderr is one safe line per input', async () => {
    const r = await run('analyze', truncated);
    expectTerminalSafe(r.out);
    if (r.err) for (const line of r.err.slice(0, -1).split('\n')) expectOneLine(`${line}\n`);
    expect(r.err.split('\n').length - 1).toBeLessThanOrEqual(1);
  });

  it('checklist of a capture', async () => {
    const out = await text('checklist', capture);
    expect(out).toContain('\\x1b[2J');
  });
});

describe('error lines: one line, file name escaped', () => {
  it.each([
    ['a missing capture', () => ['analyze', join(dir, `missing${HOSTILE.clear}${HOSTILE.newline}.pcap`)]],
    ['a file that is not a capture', () => ['analyze', garbage]],
    ['a missing config', () => ['lint', join(dir, `gone${HOSTILE.osc52}\n${HOSTILE.overwrite}`)]],
    ['a directory as the config', () => ['lint', join(dir, HOSTILE_NAME)]],
    ['a missing checklist input', () => ['checklist', join(dir, `${HOSTILE.rlo}.pcap`)]],
    ['a huge file name', () => ['lint', join(dir, `d${HOSTILE.clear}`, HOSTILE.long)]],
    // In JSON mode an error is still one line on stderr and nothing on stdout.
    ['a missing capture, --json', () => ['analyze', join(dir, `m${HOSTILE.osc52}.pcap`), '--json']],
    ['a missing config, --json', () => ['lint', join(dir, `m${HOSTILE.csi8}`), '--json']],
    ['a file that is not a capture, checklist', () => ['checklist', garbage]],
    // A capture interface that does not exist (nothing is sent; the backend says so in one line).
    ['an unknown capture interface', () => ['capture', '-i', `x${HOSTILE.clear}${HOSTILE.csi8}`, '--duration', '1', '--json']],
  ])('%s', async (_what, argv) => {
    const err = await failure(...argv());
    expect(err.length).toBeLessThan(2300);
  });
});

describe('usage errors: one line, exit 2, pointing at --help', () => {
  it.each([
    ['unknown command', [`x${HOSTILE.clear}`], /^ntpdoctor: unknown command 'x\\x1b\[2J' \(see ntpdoctor --help\)\n$/],
    ['unknown option', ['lint', `--${HOSTILE.csi8}`], /^ntpdoctor: unknown option '--\\u009b31m' \(see ntpdoctor lint --help\)\n$/],
    ['unknown short option', ['analyze', '-Z'], /\(see ntpdoctor analyze --help\)\n$/],
    ['missing argument', ['probe'], /^ntpdoctor: missing required argument 'HOST\[:PORT\]' \(see ntpdoctor probe --help\)\n$/],
    ['too many arguments', ['lint', 'a', `b${HOSTILE.newline}`], /^ntpdoctor: too many arguments for 'lint'\. Expected 1 argument but got 2\. \(see ntpdoctor lint --help\)\n$/],
    ['a value missing', ['trace', '127.0.0.1', '--max-hops'], /^ntpdoctor: option '--max-hops N' argument missing \(see ntpdoctor trace --help\)\n$/],
    ['not a number', ['probe', '127.0.0.1', '--samples', HOSTILE.osc52], /argument '\\x1b\]52;c;cm0gLXJmIH4K\\x07' is invalid\. Not a number\./],
    ['a bad flavor', ['lint', 'x', '--flavor', HOSTILE.overwrite], /option '--flavor F' argument 'real value\\rFAKE' is invalid\. Allowed choices are ntpd, chrony\./],
    ['a bad IPv6 target (no lookup made)', ['probe', `[${HOSTILE.clear}]`], /not an IPv6 address/],
    ['a bad port', ['trace', `127.0.0.1:${HOSTILE.bel}`], /bad port/],
    ['a bad --listen', ['serve', '--listen', `${HOSTILE.clear}:123`], /--listen/],
    ['a bad --fault', ['serve', '--fault', HOSTILE.isolate], /unknown fault '\\u2067evil\\u2069'/],
    ['a bad --backend', ['capture', '--backend', HOSTILE.csi8], /--backend/],
    ['checklist options that do not go together', ['checklist', 'x.pcap', '--server', HOSTILE.clear], /for this node/],
  ])('%s', async (_what, argv, message) => {
    expect(await failure(...argv)).toMatch(message);
  });

  it('--help prints the usage on stdout and exits 0, per command and overall', async () => {
    for (const argv of [['--help'], ['lint', '--help'], ['probe', '-h'], ['serve', '--help']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^Usage: ntpdoctor/);
    }
  });
});

/**
 * A stand-in server on loopback: time replies whose refid is raw control bytes, mode 6 answers whose variables
 * carry the corpus (READVAR of the system, READSTAT naming one association, READVAR of it). Replies
 * are well formed otherwise (origin echoed, stratum 1), so the clients take them as a real server's.
 */
function hostileServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  const systemVars = latin1(
    `version="ntpd 4.2.8 ${HOSTILE.osc52}", stratum=1, leap=00, refid="${HOSTILE.clear}\r\x9d0;t\x9c${HOSTILE.del}", peer=7, ` +
      `processor="x86\x1b[1A\x1b[2K"\r\n`,
  );
  const peerVars = latin1(`srcadr="${HOSTILE.clear}\x9b31m.evil", dstadr=127.0.0.1, refid="\x07\x1b]0;x\x07"\r\n`);
  socket.on('message', (msg, rinfo) => {
    const m = decodeNtp(msg).message;
    if (!m) return;
    if (m.kind === 'time' && m.mode === 3) {
      const now = unixNsToNtp(BigInt(Date.now()) * 1_000_000n);
      const reply = encodeNtp({
        kind: 'time', leap: 0, version: m.version, mode: 4, stratum: 1, poll: m.poll, precision: -20, rootDelay: 0, rootDispersion: 0.0005,
        // Refid "\x1b[2J" as its four octets.
        refid: 0x1b5b324a, referenceTime: unixNsToNtp(BigInt(Date.now() - 1000) * 1_000_000n), originTime: m.transmitTime,
        receiveTime: now, transmitTime: now, extensions: [],
      });
      socket.send(reply, rinfo.port, rinfo.address);
      return;
    }
    if (m.kind === 'control' && !m.response) {
      const data = m.opcode === 1 ? Uint8Array.from([0, 7, 0x96, 0x1a]) : m.associationId === 0 ? systemVars : peerVars;
      const out = encodeNtp({ ...m, response: true, error: false, more: false, offset: 0, count: data.length, data: new Uint8Array(data) });
      socket.send(out, rinfo.port, rinfo.address);
    }
  });
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () =>
      resolve({ port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) }),
    ),
  );
}

describe('server replies and mode 6 variables (a hostile server on loopback)', () => {
  let server: Awaited<ReturnType<typeof hostileServer>> | undefined;
  beforeAll(async () => {
    server = await hostileServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('probe: text (transcript and report) and JSON', async () => {
    const target = `127.0.0.1:${server!.port}`;
    const out = await text('probe', target, '--samples', '2', '--timeout', '1', '--interval', '0');
    expect(out).toContain('receive(127.0.0.1)');
    await json('probe', target, '--samples', '2', '--timeout', '1', '--interval', '0');
  });

  it('trace: the mode 6 refid, system peer and sources are shown escaped; JSON gives them back exactly', async () => {
    const target = `127.0.0.1:${server!.port}`;
    const out = await text('trace', target, '--max-hops', '2');
    expect(out).toContain('mode 6: stratum 1, refid \\x1b[2J\\r\\u009d0;t');
    const report = await json('trace', target, '--max-hops', '2');
    expect(allStrings(report).some((s) => s.startsWith(`${HOSTILE.clear}\r\u009d0;t`))).toBe(true);
  });
});
