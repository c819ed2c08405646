/**
 * Which NTS-KE servers this node's daemons use, and the probe of each as the daemon would make it: chrony
 * `server NAME nts [ntsport N]` with its `ntstrustedcerts` files (and the system store unless `nosystemcert`),
 * ntpsec `server NAME nts [ca FILE]` (ntp.conf(5)). The name configured is the name the certificate must carry.
 * Runs only when probing is allowed (diagnose without --no-probe): it opens TCP connections to the servers.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigSource, TimeConfig } from '../model/config.js';
import { parseAddress } from '../net/ip.js';
import type { NtsKeObservation } from '../model/daemon.js';
import { NTS_KE_PORT, probeNtsKe } from './nts-ke.js';

export interface NtsKeTarget {
  address: string;
  port: number;
  serverName?: string;
  from: string;
  trustFiles: string[];
  systemCa: boolean;
}

/** At most this many addresses per name and in all (a pool name can resolve to many). */
const PER_NAME = 2;
const MAX_TARGETS = 8;
/** A CA bundle is a few hundred KiB at most; a directory of them a few dozen files. */
const MAX_CA_BYTES = 1024 * 1024;
const MAX_CA_FILES = 64;

export function usesNts(s: ConfigSource): boolean {
  return !s.refclock && s.options.includes('nts');
}

function optionValue(s: ConfigSource, name: string): string | undefined {
  const i = s.options.indexOf(name);
  return i >= 0 ? s.options[i + 1] : undefined;
}

/** The NTS sources of the configs, one target per resolved address. */
export function ntsKeTargets(configs: readonly TimeConfig[]): NtsKeTarget[] {
  const out: NtsKeTarget[] = [];
  for (const config of configs) {
    // chrony.conf(5): ntstrustedcerts [set-ID] file|directory; nosystemcert drops the system store.
    const trust = config.directives.filter((d) => d.keyword === 'ntstrustedcerts').map((d) => d.args[d.args.length - 1] ?? '').filter(Boolean);
    const systemCa = !config.directives.some((d) => d.keyword === 'nosystemcert');
    for (const s of config.sources) {
      if (!usesNts(s)) continue;
      const p = Number(optionValue(s, 'ntsport') ?? NTS_KE_PORT);
      const port = Number.isInteger(p) && p > 0 && p < 65536 ? p : NTS_KE_PORT;
      const ca = config.flavor === 'ntpd' ? optionValue(s, 'ca') : undefined;
      for (const address of (s.resolved ?? []).slice(0, PER_NAME)) {
        if (out.length >= MAX_TARGETS || out.some((t) => t.address === address && t.port === port)) continue;
        const t: NtsKeTarget = { address, port, from: `${s.file}:${s.line}`, trustFiles: ca ? [ca] : trust, systemCa };
        if (!parseAddress(s.address)) t.serverName = s.address;
        out.push(t);
      }
    }
  }
  return out;
}

/** Reads the CA files (a directory: its *.crt / *.pem), bounded; what cannot be read is listed, not fatal. */
export async function readTrust(paths: readonly string[]): Promise<{ pems: string[]; unreadable: string[] }> {
  const pems: string[] = [];
  const unreadable: string[] = [];
  let budget = MAX_CA_BYTES;
  const readOne = async (path: string) => {
    const st = await stat(path);
    if (st.size > budget) throw new Error('too large');
    budget -= st.size;
    pems.push(await readFile(path, 'utf8'));
  };
  for (const path of paths) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) {
        const names = (await readdir(path)).filter((n) => /\.(crt|pem)$/.test(n)).slice(0, MAX_CA_FILES);
        for (const n of names) await readOne(join(path, n)).catch(() => unreadable.push(join(path, n)));
      } else await readOne(path);
    } catch {
      unreadable.push(path);
    }
  }
  return { pems, unreadable };
}

/** Probes every target at once; each probe bounded by `timeoutMs`. */
export async function probeNtsKeTargets(targets: readonly NtsKeTarget[], timeoutMs: number): Promise<NtsKeObservation[]> {
  return Promise.all(
    targets.map(async (t) => {
      const { pems, unreadable } = await readTrust(t.trustFiles);
      const r = await probeNtsKe(t.address, { port: t.port, ca: pems, systemCa: t.systemCa, timeoutMs, ...(t.serverName !== undefined ? { serverName: t.serverName } : {}) });
      const o: NtsKeObservation = { kind: 'nts-ke', source: 'probe', from: t.from, trust: { files: t.trustFiles, system: t.systemCa, unreadable }, ...r };
      return o;
    }),
  );
}
