/**
 * Live capture through a `tcpdump -w -` child (the fallback when `cap` is not built): its pcap stream is read
 * by the same streaming reader as files (readCaptureStream), with libpcap's own kernel timestamps at
 * nanosecond precision. tcpdump(1): -U flushes each packet to the pipe as it is written, --immediate-mode
 * hands packets over at once instead of when a TPACKET_V3 block fills, -n never resolves names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { InputError } from '../../errors.js';
import { readCaptureStream } from '../read.js';
import type { CaptureSink } from '../types.js';
import { CaptureUnavailable, type LiveRunResult, type LiveSession } from './session.js';

const SNAPLEN = 65535;
/** tcpdump opens the device and prints "listening on" well within this; past it something is wrong. */
const START_TIMEOUT_MS = 10_000;
/** After SIGINT tcpdump flushes, prints its statistics and exits; past this it gets SIGKILL. */
const STOP_GRACE_MS = 3_000;

export function tcpdumpArgs(device: string, filter: string): string[] {
  return ['-i', device, '-n', '-w', '-', '-U', '--immediate-mode', '--time-stamp-precision', 'nano', '-s', String(SNAPLEN), filter];
}

/** tcpdump's DLT names (pcap_datalink_val_to_name) → LINKTYPE_* numbers, for the ones this tool decodes. */
const DLT_NAMES: Record<string, number> = { NULL: 0, EN10MB: 1, RAW: 101, LINUX_SLL: 113, LINUX_SLL2: 276, IPV4: 228, IPV6: 229 };

/** "tcpdump: listening on veth0, link-type EN10MB (Ethernet), snapshot length 65535 bytes" → device, link type. */
export function parseListening(line: string): { device: string; linkType: number | undefined } | undefined {
  const m = /listening on (\S+), link-type (\S+)/.exec(line);
  if (!m) return undefined;
  return { device: m[1] as string, linkType: DLT_NAMES[m[2] as string] };
}

/** "3 packets dropped by kernel" from tcpdump's closing statistics. */
export function parseDropped(stderr: string): number | undefined {
  const m = /(\d+) packets? dropped by kernel/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/** What tcpdump's complaint at start means (its first lines of stderr). */
export function classifyTcpdumpError(device: string, stderr: string): CaptureUnavailable | InputError {
  const text = stderr.trim().split('\n').filter((l) => l.trim() !== '').join(' ');
  if (/permission|operation not permitted/i.test(text)) {
    return new CaptureUnavailable('tcpdump', 'no-permission', text);
  }
  if (/no such device/i.test(text)) return new InputError(`-i ${device}: no such interface`);
  return new InputError(`tcpdump failed: ${text || 'exited before capturing'}`);
}

class TcpdumpSession implements LiveSession {
  readonly backend = 'tcpdump' as const;
  readonly snapLength = SNAPLEN;
  readonly timestampSource = 'kernel' as const;
  private stopped = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly device: string,
    readonly linkType: number,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    private readonly stderr: () => string,
  ) {}

  async run(sink: CaptureSink): Promise<LiveRunResult> {
    const stdout = this.child.stdout;
    if (!stdout) throw new Error('tcpdump: no stdout pipe');
    let read;
    try {
      read = await readCaptureStream(stdout, sink, { name: 'tcpdump' });
    } catch (error) {
      // Nothing readable came (tcpdump died before its pcap header): its own words say why.
      this.stop();
      await this.exited;
      if (error instanceof InputError) throw new InputError(`tcpdump stopped without a capture: ${this.stderr().trim() || error.message}`);
      throw error;
    }
    this.stop();
    await this.exited;
    if (this.killTimer) clearTimeout(this.killTimer);
    const err = this.stderr();
    const result: LiveRunResult = { frames: read.frames, bytes: read.bytes, warnings: warningLines(err) };
    const dropped = parseDropped(err);
    if (dropped !== undefined) result.dropped = dropped;
    if (read.stop) result.stop = read.stop;
    return result;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // SIGINT: tcpdump flushes the pcap stream and prints its statistics (tcpdump(1)); by PID, our own child.
    this.child.kill('SIGINT');
    this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    this.killTimer.unref();
  }
}

function warningLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /warning/i.test(l)).map((l) => l.trim());
}

/**
 * Starts `tcpdump -w -` on `device` with `filter` and resolves once it says it is listening. Throws
 * CaptureUnavailable (not installed, no permission) or InputError (no such device, a filter it rejects).
 */
export async function openTcpdumpSession(device: string, filter: string, command = 'tcpdump'): Promise<LiveSession> {
  const child = spawn(command, tcpdumpArgs(device, filter), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    // Keep the head (errors, "listening on") and the tail (statistics); a chatty tcpdump cannot grow it.
    stderr = stderr.length > 16_384 ? `${stderr.slice(0, 4096)}\n${stderr.slice(-8192)}${s}` : stderr + s;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
  });
  return new Promise<LiveSession>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new InputError(`tcpdump did not start capturing on ${device} within ${START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`)));
    }, START_TIMEOUT_MS);
    const onData = () => {
      // Whole lines only: a pipe may hand the banner over in pieces.
      const line = stderr.split('\n').slice(0, -1).find((l) => l.includes('listening on'));
      if (!line) return;
      const listening = parseListening(line);
      settle(() => resolve(new TcpdumpSession(listening?.device ?? device, listening?.linkType ?? 1, child, exited, () => stderr)));
    };
    child.stderr.on('data', onData);
    child.once('error', (error: NodeJS.ErrnoException) => {
      settle(() =>
        reject(error.code === 'ENOENT' ? new CaptureUnavailable('tcpdump', 'not-installed', 'tcpdump is not installed') : new InputError(`tcpdump: ${error.message}`)),
      );
    });
    child.once('close', () => settle(() => reject(classifyTcpdumpError(device, stderr))));
  });
}
