/**
 * chronyc's CSV output (`chronyc -c -n sources | sourcestats | tracking`, chronyc(1)): one record per line,
 * the same fields as the text tables. Pure: text in, sources out.
 *
 * sources:     (-a: also sources without an address yet, as ID#NNNNNNNNNN) mode, state, address, stratum, poll (log2 s), reach (octal), last rx (s; 4294967295 = never),
 *              adjusted offset, measured offset, error (s)
 * sourcestats: address, NP, NR, span (s), frequency (ppm), skew (ppm), offset (s), std dev (s)
 * tracking:    refid (hex), address, stratum, ref time (Unix s), system time (s), last offset, RMS offset,
 *              frequency, residual freq, skew (ppm), root delay, root dispersion (s), update interval (s), leap status
 */
import type { DaemonSource, DaemonStateObservation } from '../../model/daemon.js';

/** chrony reports "never" as the largest 32-bit value. */
const NEVER = 4294967295;

function num(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const MODE_KIND: Record<string, DaemonSource['kind']> = { '^': 'server', '=': 'peer', '#': 'refclock' };

export function parseChronycSources(csv: string): DaemonSource[] {
  const out: DaemonSource[] = [];
  for (const line of csv.split('\n')) {
    const f = line.trim().split(',');
    if (f.length < 10) continue;
    const [mode = '', state = '', address = '', stratum, poll, reach, lastRx, , measured, error] = f;
    const s: DaemonSource = {
      address,
      kind: MODE_KIND[mode] ?? 'other',
      state,
      selected: state === '*',
      reach: parseInt(reach ?? '0', 8) || 0,
    };
    const st = num(stratum);
    if (st !== undefined) s.stratum = st;
    const p = num(poll);
    if (p !== undefined) s.poll = p;
    const rx = num(lastRx);
    if (rx !== undefined && rx !== NEVER) s.lastRx = rx;
    const off = num(measured);
    if (off !== undefined && s.lastRx !== undefined) s.offset = off;
    const err = num(error);
    if (err !== undefined && s.lastRx !== undefined) s.error = err;
    // `sources -a` lists sources without an address yet (a name not resolved) as ID#NNNNNNNNNN (chronyc(1)).
    if (/^ID#\d+$/.test(address)) s.unresolved = true;
    out.push(s);
  }
  return out;
}

/** Adds sourcestats (NP, std dev) to the sources of the same address. */
export function mergeChronycSourcestats(sources: DaemonSource[], csv: string): DaemonSource[] {
  for (const line of csv.split('\n')) {
    const f = line.trim().split(',');
    if (f.length < 8) continue;
    const src = sources.find((s) => s.address === f[0]);
    if (!src) continue;
    const np = num(f[1]);
    if (np !== undefined) src.samples = np;
    const sd = num(f[7]);
    if (sd !== undefined) src.jitter = sd;
  }
  return sources;
}

/** chronyc leap status words → RFC 5905 leap indicator (3 = not synchronized). */
export const LEAP: Record<string, number> = { Normal: 0, 'Insert second': 1, 'Delete second': 2, 'Not synchronised': 3 };

export function parseChronycTracking(csv: string): DaemonStateObservation['system'] | undefined {
  const line = csv.split('\n').find((l) => l.split(',').length >= 14);
  if (!line) return undefined;
  const f = line.trim().split(',');
  const leapText = f[13] ?? '';
  const leap = LEAP[leapText] ?? 3;
  const refidHex = f[0] ?? '00000000';
  const system: NonNullable<DaemonStateObservation['system']> = {
    stratum: num(f[2]) ?? 0,
    leap,
    refid: f[1] ? f[1] : refidText(refidHex),
    // chronyd says "Not synchronised" (and stratum 0) until a source is selected.
    synchronized: leap !== 3,
  };
  const offset = num(f[4]);
  if (offset !== undefined) system.offset = offset;
  const rootDelay = num(f[10]);
  if (rootDelay !== undefined) system.rootDelay = rootDelay;
  const rootDispersion = num(f[11]);
  if (rootDispersion !== undefined) system.rootDispersion = rootDispersion;
  return system;
}

/** 7F7F0101 → "127.127.1.1"; 4C4F434C → "LOCL" (chrony's refid for `local`). */
function refidText(hex: string): string {
  const n = parseInt(hex, 16) >>> 0;
  const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  if (bytes.every((b) => b >= 0x20 && b < 0x7f) && bytes.some((b) => b >= 0x41)) return String.fromCharCode(...bytes).trim();
  return bytes.join('.');
}
