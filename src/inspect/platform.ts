/**
 * Which distribution this is (/etc/os-release, os-release(5)) and which systemd units run the time daemons
 * here, so fixes name the right file and service: CentOS/RHEL `ntpd` + /etc/ntp.conf and `chronyd` +
 * /etc/chrony.conf; Debian/Ubuntu `ntpsec` + /etc/ntpsec/ntp.conf (or classic `ntp`) and `chrony` +
 * /etc/chrony/chrony.conf.
 */
import { access, readFile } from 'node:fs/promises';

export interface OsRelease {
  id: string;
  idLike: string[];
  prettyName?: string;
}

export function parseOsRelease(text: string): OsRelease {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1] as string] = (m[2] as string).replace(/^["']|["']$/g, '');
  }
  const p: OsRelease = { id: vars.ID ?? 'unknown', idLike: (vars.ID_LIKE ?? '').split(/\s+/).filter(Boolean) };
  if (vars.PRETTY_NAME) p.prettyName = vars.PRETTY_NAME;
  return p;
}

export async function readPlatform(path = '/etc/os-release'): Promise<OsRelease | undefined> {
  try {
    return parseOsRelease(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

const UNIT_DIRS = ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

/** The first of `candidates` that has a unit file here. */
export async function findUnit(candidates: readonly string[]): Promise<string | undefined> {
  for (const name of candidates) {
    for (const dir of UNIT_DIRS) {
      try {
        await access(`${dir}/${name}.service`);
        return name;
      } catch {
        /* next */
      }
    }
  }
  return undefined;
}

export function isDebianLike(p: OsRelease | undefined): boolean {
  return p !== undefined && (p.id === 'debian' || p.id === 'ubuntu' || p.idLike.includes('debian'));
}
