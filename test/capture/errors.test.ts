/**
 * What the user did wrong becomes one InputError line (the CLI prints it and exits 2): missing file,
 * directory, empty, not a capture, no permission. Nothing else throws for the input's sake.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture, readCaptureStream } from '../../src/capture/read.js';
import { InputError } from '../../src/errors.js';
import { bundleReaderScript, CAPTURE_FIXTURES, hasTool, REPO, skipLine } from './helpers.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'ndcap-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function inputError(path: string): Promise<string> {
  const error = await readCapture(path, () => {
    throw new Error('no record expected');
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  const message = (error as InputError).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('input errors', () => {
  it('missing file', async () => {
    expect(await inputError('/nonexistent/ndcap.pcap')).toBe('/nonexistent/ndcap.pcap: no such file');
  });

  it('a path through a file', async () => {
    const path = join(REPO, 'package.json', 'x.pcap');
    expect(await inputError(path)).toBe(`${path}: not found (a part of the path is not a directory)`);
  });

  it('directory', async () => {
    expect(await inputError(CAPTURE_FIXTURES)).toBe(`${CAPTURE_FIXTURES}: is a directory, not a capture file`);
  });

  it('empty file', async () => {
    const path = join(tmp, 'empty.pcap');
    writeFileSync(path, '');
    expect(await inputError(path)).toBe(`${path}: empty (0 bytes), not a capture`);
  });

  it('a text file names its first bytes', async () => {
    const path = join(REPO, 'package.json');
    expect(await inputError(path)).toBe(`${path}: not a pcap or pcapng file (starts with 7b 0a 20 20)`);
  });

  it('gzip and modified pcap get a hint', async () => {
    const gz = join(tmp, 'x.pcap.gz');
    writeFileSync(gz, Buffer.from('1f8b0800000000000003', 'hex'));
    expect(await inputError(gz)).toBe(`${gz}: not a pcap or pcapng file (starts with 1f 8b 08 00; gzip-compressed: gunzip it first)`);
    const kuznetzov = join(tmp, 'modified.pcap');
    writeFileSync(kuznetzov, Buffer.from('34cdb2a102000400', 'hex'));
    expect(await inputError(kuznetzov)).toMatch(/starts with 34 cd b2 a1; a "modified" \(Kuznetzov\) pcap: convert it with editcap -F pcap\)$/);
  });

  it('a sink error is not an input error: it propagates as is', async () => {
    const bug = new Error('sink bug');
    await expect(readCapture(join(CAPTURE_FIXTURES, 'lo-udp-us.pcap'), () => { throw bug; })).rejects.toBe(bug);
  });

  it('a stream that fails after the first bytes: records before, then a truncated stop naming the error', async () => {
    const bytes = readFileSync(join(CAPTURE_FIXTURES, 'lo-udp-us.pcap'));
    const failing = new Readable({ read() {} });
    failing.push(bytes.subarray(0, 600)); // records of 106, 126 and 258 bytes after the 24-byte header, then part of one
    setImmediate(() => failing.destroy(Object.assign(new Error('device gone'), { code: 'EIO' })));
    const frames: number[] = [];
    const result = await readCaptureStream(failing, (r) => frames.push(r.frame), { name: 'stdin' });
    expect(frames).toEqual([1, 2, 3]);
    expect(result.stop).toEqual({ kind: 'truncated', offset: 24 + 106 + 126 + 258, frame: 4, reason: 'input failed: read error (EIO)' });
  });

  it('an aborted read rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(readCapture(join(CAPTURE_FIXTURES, 'lo-udp-us.pcap'), () => {}, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

const canDropToNobody = process.getuid?.() === 0 && (await hasTool('setpriv'));
if (!canDropToNobody) skipLine('permission-denied input error', 'needs root and setpriv to read as user nobody');

describe.skipIf(!canDropToNobody)('permission denied', () => {
  it('a file the user may not read: one line on stderr, exit 2', async () => {
    const script = await bundleReaderScript(tmp);
    const secret = join(tmp, 'secret.pcap');
    writeFileSync(secret, Buffer.from('d4c3b2a1', 'hex'));
    chmodSync(secret, 0o600);
    chmodSync(tmp, 0o755);
    // setpriv: run the reader as nobody, without the right to set the clock (house rule for spawned tools).
    const child = await run(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--', process.execPath, script, secret],
      { timeout: 20_000 },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(child.code).toBe(2);
    expect(child.stderr).toBe(`${secret}: permission denied\n`);
  });
});
