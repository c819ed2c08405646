/**
 * chronyd's own words about NTS-KE failures, from its journal (read-only: `journalctl -u UNIT -o cat`, bounded in
 * lines and time). The messages, as chronyd 4.3 logs them (the first two recorded in the lab, fixtures/nts/):
 *   Could not connect to 198.51.100.100:4460 (nts.example.test) : Connection refused
 *   TLS handshake with 198.51.100.100:4460 (nts.example.test) failed : Error in the certificate verification. …
 *   NTS-KE session with 198.51.100.100:4460 (nts.example.test) timed out
 * A dropped SYN logs nothing until chronyd's own connect timeout ends the session ("timed out").
 */
import { access } from 'node:fs/promises';
import type { NtsLogLine } from '../../model/daemon.js';
import type { Runner } from '../run.js';

/** The journal is read only this far back and this deep: the last attempts are what matter. */
const SINCE = '-6h';
const MAX_LINES = 2000;
/** Lines kept per address: the newest. */
const KEEP = 3;

const PATTERNS: Array<{ re: RegExp; kind: NtsLogLine['kind'] }> = [
  { re: /Could not connect to (\S+?):(\d+)(?: \(([^)]*)\))? : (.*)$/, kind: 'connect' },
  { re: /TLS handshake with (\S+?):(\d+)(?: \(([^)]*)\))? failed : (.*)$/, kind: 'tls' },
  { re: /NTS-KE session with (\S+?):(\d+)(?: \(([^)]*)\))? timed out()$/, kind: 'timeout' },
];

/** Text in, NTS-KE failure lines out (newest last, KEEP per address). Unrelated lines are ignored. */
export function parseNtsLog(text: string): NtsLogLine[] {
  const out: NtsLogLine[] = [];
  for (const raw of text.split('\n').slice(-MAX_LINES)) {
    const line = raw.trim().slice(0, 400);
    for (const { re, kind } of PATTERNS) {
      const m = re.exec(line);
      if (!m) continue;
      const [, address = '', port = '', name, detail = ''] = m;
      const entry: NtsLogLine = { address: address.replace(/^\[|\]$/g, ''), port: Number(port), kind, text: line };
      if (name) entry.name = name;
      if (kind === 'tls' && /certif/i.test(detail)) entry.kind = 'certificate';
      out.push(entry);
      break;
    }
  }
  const kept: NtsLogLine[] = [];
  for (let i = out.length - 1; i >= 0; i--) {
    const e = out[i] as NtsLogLine;
    if (kept.filter((k) => k.address === e.address).length < KEEP) kept.unshift(e);
  }
  return kept;
}

/**
 * chronyd's journal lines about NTS-KE, when systemd runs here (no journal: nothing to read, not a gap). A failing
 * journalctl (no permission to read the system journal) is a gap the report lists.
 */
export async function readNtsLog(run: Runner, timeoutMs: number): Promise<{ lines: NtsLogLine[]; gap?: string; command: string }> {
  const args = ['-u', 'chronyd', '-u', 'chrony', '--since', SINCE, '-n', String(MAX_LINES), '-o', 'cat', '--no-pager', '-q'];
  const command = `journalctl ${args.join(' ')}`;
  try {
    await access('/run/systemd/system');
  } catch {
    return { lines: [], command };
  }
  const r = await run('journalctl', args, { timeoutMs });
  if (!r.ok) return { lines: [], gap: r.problem === 'not-found' ? 'journalctl is not installed' : `\`${command}\` failed: ${(r.stderr.split('\n')[0] ?? '').trim()}`, command };
  return { lines: parseNtsLog(r.stdout), command };
}
