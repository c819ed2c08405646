/**
 * Collecting node reports over SSH: `ssh … DEST ntpdoctor diagnose --json` on each node through the system's own
 * ssh (its config, agent and known_hosts), a bounded number at once, each with a deadline. The argv is an array
 * (no local shell); the remote command is one string because ssh always hands it to the remote user's shell, so
 * each word of it is quoted for POSIX sh by src/shell. A destination that could be read as an ssh option is
 * refused, and `--` ends ssh's options anyway.
 */
import { spawn } from 'node:child_process';
import { InputError } from '../errors.js';
import { pasteHazard, quote } from '../shell/quote.js';
import { boundedRead } from './bounded.js';
import { MAX_NODES, MAX_REPORT_BYTES, type RawReport } from './load.js';

export interface SshTarget {
  destination: string;
  /** Extra `diagnose` arguments for this node (an inventory line's words after the destination). */
  args: string[];
}

export interface SshOptions {
  /** The remote ntpdoctor, as words: ['ntpdoctor'] or ['node', '/opt/ntpdoctor/dist/cli.js']. */
  remote: string[];
  /** `diagnose` arguments for every node. */
  args: string[];
  /** At most this many ssh at once. */
  parallel: number;
  /** Per node, seconds: connect + diagnose + transfer; then ssh is killed and the node is unreachable. */
  timeout: number;
  /** `ssh -F FILE` (then ~/.ssh/config is not read). */
  config?: string;
  /** StrictHostKeyChecking=accept-new instead of yes: trust a host key seen for the first time. */
  acceptNew?: boolean;
  /** The ssh program (tests may point at another path); default 'ssh' from PATH. */
  program?: string;
}

/** user@host, host, host:port is not ssh syntax (use ssh_config); brackets for IPv6; nothing that starts with '-'. */
const DESTINATION = /^(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+)$/;

export function checkDestination(d: string): string {
  if (d.startsWith('-') || !DESTINATION.test(d) || d.length > 255) throw new InputError(`not an ssh destination: ${d}`);
  return d;
}

/** The remote command line: each word quoted for the remote shell. */
export function remoteCommand(t: SshTarget, o: Pick<SshOptions, 'remote' | 'args'>): string {
  const words = [...o.remote, 'diagnose', '--json', ...o.args, ...t.args];
  for (const w of words) {
    const hazard = pasteHazard(w);
    if (hazard) throw new InputError(`remote command word for ${t.destination}: ${hazard}`);
  }
  return words.map(quote).join(' ');
}

/** ssh's argv for one node: batch mode (never a password prompt), host keys checked, bounded connect. */
export function sshArgv(t: SshTarget, o: SshOptions): string[] {
  return [
    ...(o.config !== undefined ? ['-F', o.config] : []),
    '-o', 'BatchMode=yes',
    '-o', `StrictHostKeyChecking=${o.acceptNew ? 'accept-new' : 'yes'}`,
    '-o', `ConnectTimeout=${Math.max(1, Math.min(60, Math.ceil(o.timeout / 2)))}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=2',
    '-T',
    '--',
    checkDestination(t.destination),
    remoteCommand(t, o),
  ];
}

/** An inventory: one node per line, `DESTINATION [DIAGNOSE-ARG...]`; `#` starts a comment. */
export function parseInventory(text: string, file: string): SshTarget[] {
  const out: SshTarget[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const [dest, ...args] = line.split(/\s+/);
    try {
      checkDestination(dest!);
    } catch {
      throw new InputError(`${file}:${i + 1}: not an ssh destination: ${dest!}`);
    }
    if (out.length >= MAX_NODES) throw new InputError(`${file}: more than ${MAX_NODES} nodes`);
    out.push({ destination: dest!, args });
  });
  return out;
}

export function readInventory(file: string): SshTarget[] {
  return parseInventory(boundedRead(file, 4 * 1024 * 1024), file);
}

export interface SshResult {
  raw?: RawReport;
  error?: string;
}

/** Runs ssh for one node; resolves with the report text, or why there is none. Never rejects. */
export function collectOne(t: SshTarget, o: SshOptions): Promise<SshResult> {
  const argv = sshArgv(t, o);
  return new Promise((resolve) => {
    const child = spawn(o.program ?? 'ssh', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let why: string | undefined;
    const timer = setTimeout(() => {
      why = `no report within ${o.timeout} s`;
      child.kill('SIGKILL');
    }, o.timeout * 1000);
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > MAX_REPORT_BYTES) {
        why = `more than ${MAX_REPORT_BYTES} bytes of output`;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ error: `cannot run ssh: ${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (why) return resolve({ error: why });
      const text = Buffer.concat(chunks).toString('utf8');
      const last = stderr.trim().split('\n').pop() ?? '';
      // ssh exits 255 on its own errors; diagnose exits 0 or 1 with a report, 2 with one line on stderr.
      if (code === 255) return resolve({ error: `ssh: ${last || 'connection failed'}` });
      if (text.trim() === '') return resolve({ error: `no report (exit ${code ?? 'killed'}${last ? `: ${last}` : ''})` });
      resolve({ raw: { from: `ssh:${t.destination}`, label: t.destination, text } });
    });
  });
}

/** Every node, at most `parallel` at once; results in the order of `targets`. */
export async function collectAll(targets: readonly SshTarget[], o: SshOptions): Promise<SshResult[]> {
  const results: SshResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      results[i] = await collectOne(targets[i]!, o);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, targets.length)) }, worker));
  return results;
}
