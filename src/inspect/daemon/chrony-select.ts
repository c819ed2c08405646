/**
 * Why chronyd does not use a source: `chronyc -c -n ntpdata` (the last valid reply and the RFC 5905 tests it passed),
 * `chronyc -c -n selectdata` (the selection state letter, chrony ≥ 4.0), `chronyc -c activity` (online / offline /
 * unresolved counts) and `chronyc -c -N sources -a` (names as configured). Pure: text in, data out. Formats as
 * chrony 4.3 prints them (recorded in test/inspect/fixtures/daemon/, README there).
 *
 * ntpdata (34 fields in 4.3; later versions append more): remote address, remote refid hex, remote port, local
 * address, local hex, leap, version, mode, stratum, poll, poll s, precision, precision s, root delay, root
 * dispersion, refid hex, refid name, ref time, offset, peer delay, peer dispersion, response time, jitter
 * asymmetry, tests 1–3, tests 5–7, tests A–D, interleaved, authenticated, TX ts, RX ts, total TX, RX, valid RX, good RX.
 * selectdata: state, address, auth (Y/N), 5 configured option columns, 5 effective option columns, last (s), score,
 * interval low, interval high (s), leap.
 */
import type { DaemonSource, DaemonStateObservation, SourcePackets } from '../../model/daemon.js';
import { LEAP } from './chronyc.js';

function num(s: string | undefined): number | undefined {
  if (s === undefined || s === '' || s === '-') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function count(s: string | undefined): number | undefined {
  const n = num(s);
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Each CSV record, split; lines that are not records (`501 Not authorised`, blank) are skipped by the callers. */
function records(csv: string, min: number): string[][] {
  return csv
    .split('\n')
    .map((l) => l.trim().split(','))
    .filter((f) => f.length >= min);
}

/** ntpdata per remote address. A source that never sent a valid reply shows mode "Invalid": only its totals count. */
export function parseChronycNtpdata(csv: string): Map<string, SourcePackets> {
  const out = new Map<string, SourcePackets>();
  for (const f of records(csv, 34)) {
    const address = f[0] ?? '';
    const p: SourcePackets = {};
    const totals: Array<[keyof SourcePackets, string | undefined]> = [
      ['totalTx', f[30]],
      ['totalRx', f[31]],
      ['validRx', f[32]],
      ['goodRx', f[33]],
    ];
    for (const [k, v] of totals) {
      const n = count(v);
      if (n !== undefined) (p as Record<string, number>)[k] = n;
    }
    if (f[7] !== 'Invalid') {
      const leap = LEAP[f[5] ?? ''];
      if (leap !== undefined) p.leap = leap;
      const stratum = count(f[8]);
      if (stratum !== undefined) p.stratum = stratum;
      const rd = num(f[13]);
      if (rd !== undefined) p.rootDelay = rd;
      const rdisp = num(f[14]);
      if (rdisp !== undefined) p.rootDispersion = rdisp;
      const tests = `${f[23] ?? ''}${f[24] ?? ''}${f[25] ?? ''}`;
      if (/^[01]{10}$/.test(tests)) p.tests = tests;
      p.authenticated = f[27] === 'Yes';
    }
    out.set(address, p);
  }
  return out;
}

/** selectdata per address. */
export function parseChronycSelectdata(csv: string): Map<string, NonNullable<DaemonSource['selection']>> {
  const out = new Map<string, NonNullable<DaemonSource['selection']>>();
  for (const f of records(csv, 18)) {
    const state = f[0] ?? '';
    if (state.length !== 1) continue;
    const sel: NonNullable<DaemonSource['selection']> = { state, authenticated: f[2] === 'Y' };
    const lo = num(f[15]);
    const hi = num(f[16]);
    if (lo !== undefined && hi !== undefined) sel.interval = [lo, hi];
    if (f[17]) sel.leap = f[17];
    out.set(f[1] ?? '', sel);
  }
  return out;
}

/** `chronyc -c activity`: online, offline, burst→online, burst→offline, unknown address. */
export function parseChronycActivity(csv: string): DaemonStateObservation['activity'] | undefined {
  const f = records(csv, 5)[0];
  const n = f?.slice(0, 5).map(count);
  if (!n || n.some((x) => x === undefined)) return undefined;
  const [online, offline, burstOnline, burstOffline, unknownAddress] = n as number[];
  return { online: online!, offline: offline!, burstOnline: burstOnline!, burstOffline: burstOffline!, unknownAddress: unknownAddress! };
}

/**
 * Names from `-N sources -a`, paired with `-n sources -a` row by row (both walk chronyd's source table in the same
 * order). Paired only when the lists have the same length and every literal address agrees: a source added or
 * resolved between the two calls would otherwise give a name to the wrong row.
 */
export function mergeChronycNames(sources: DaemonSource[], namedCsv: string): DaemonSource[] {
  const names = records(namedCsv, 10).map((f) => f[2] ?? '');
  if (names.length !== sources.length) return sources;
  const agree = sources.every((s, i) => s.unresolved || s.address === names[i] || !/^[\d.:a-fA-F]+$/.test(names[i] ?? ''));
  if (!agree) return sources;
  sources.forEach((s, i) => {
    const name = names[i];
    if (name && name !== s.address) s.name = name;
  });
  return sources;
}

/** Adds ntpdata and selectdata to the sources of the same address. */
export function mergeChronycSelection(sources: DaemonSource[], ntpdata: string, selectdata: string): DaemonSource[] {
  const packets = parseChronycNtpdata(ntpdata);
  const select = parseChronycSelectdata(selectdata);
  for (const s of sources) {
    const p = packets.get(s.address);
    if (p) s.packets = p;
    const sel = select.get(s.address);
    if (sel) s.selection = sel;
  }
  return sources;
}
