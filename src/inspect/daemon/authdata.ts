/**
 * `chronyc -c authdata` (chronyc(1), chrony ≥ 4.0): one CSV record per source, the same columns as the table
 *   Name/IP address, Mode (- / SK / NTS), KeyID, Type, KLen, Last (s since the last NTS-KE; 4294967295 = never),
 *   Atmp (NTS-KE attempts since the last success), NAK, Cook (cookies held), CLen.
 * Recorded here from chronyd 4.3 in the lab (fixtures/nts/): a healthy NTS source reads
 * `198.51.100.100,NTS,1,15,256,3,0,0,8,100`; one whose key establishment fails (refused, dropped, untrusted
 * certificate) `198.51.100.100,NTS,0,0,0,4294967295,1,0,0,0`: KeyID 0, no cookies, never, one attempt.
 * `-n` prints addresses, `-N` the names as configured, in the same order: zipping them pairs name and address.
 */
import type { DaemonSource, DaemonSourceAuth } from '../../model/daemon.js';

const NEVER = 4294967295;

export interface AuthdataRow extends DaemonSourceAuth {
  address: string;
}

function int(s: string | undefined): number {
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

/** Parses `-c -n authdata`; `named` (`-c -N authdata`) adds each row's configured name when the row counts match. */
export function parseChronycAuthdata(csv: string, named?: string): AuthdataRow[] {
  const rows = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim().split(','))
      .filter((f) => f.length >= 10);
  const out: AuthdataRow[] = rows(csv).map((f) => {
    const last = Number(f[5]);
    const r: AuthdataRow = {
      address: f[0] ?? '',
      mode: f[1] ?? '-',
      keyId: int(f[2]),
      type: int(f[3]),
      keyLength: int(f[4]),
      attempts: int(f[6]),
      naks: int(f[7]),
      cookies: int(f[8]),
      cookieLength: int(f[9]),
    };
    if (Number.isFinite(last) && last >= 0 && last !== NEVER) r.lastKe = last;
    return r;
  });
  const names = named !== undefined ? rows(named) : [];
  if (names.length === out.length) names.forEach((f, i) => {
    const row = out[i];
    const name = f[0];
    if (row && name && name !== row.address) row.name = name;
  });
  return out;
}

/** Puts each authdata row on the source of the same address (chronyc sources -n). */
export function mergeAuthdata(sources: DaemonSource[], rows: readonly AuthdataRow[]): DaemonSource[] {
  for (const row of rows) {
    const src = sources.find((s) => s.address === row.address);
    if (!src) continue;
    const { address: _address, ...auth } = row;
    src.auth = auth;
    if (row.name !== undefined && src.name === undefined) src.name = row.name;
  }
  return sources;
}
