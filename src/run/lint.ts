/** `lint FILE`: the config rules alone on one file (with its includes), no node inspection and no network. */
import { rules as defaultRules } from '../../rules/index.js';
import { judge } from '../diagnose/judge.js';
import type { Report, Rule } from '../diagnose/types.js';
import { InputError } from '../errors.js';
import { loadConfig } from '../inspect/config/load.js';
import { reasonOf } from '../inspect/config/read.js';
import { ownAddresses, type OwnAddress } from '../inspect/interfaces.js';
import type { NodeConfig } from '../inspect/node.js';
import { configObservations } from '../inspect/observations.js';
import type { ConfigInput } from '../model/report-input.js';
import { canonicalAddress, parseAddress } from '../net/ip.js';

export interface LintOptions {
  /** This host's addresses; default the interfaces (self-sync needs them). */
  addresses?: OwnAddress[];
  /** Extra own addresses (--local-ip). */
  localIps?: readonly string[];
  flavor?: 'ntpd' | 'chrony';
  rules?: readonly Rule[];
}

/** The config rules alone on one file (with its includes). Throws InputError when the file cannot be read. */
export async function lintConfig(file: string, options: LintOptions = {}): Promise<Report> {
  let config;
  try {
    config = await loadConfig(file, undefined, options.flavor);
  } catch (err) {
    throw new InputError(`${file}: ${reasonOf(err)}`);
  }
  for (const s of config.sources) {
    if (!s.refclock && parseAddress(s.address)) s.resolved = [canonicalAddress(s.address)];
  }
  const addresses = [...(options.addresses ?? ownAddresses())];
  for (const ip of options.localIps ?? []) {
    const a = parseAddress(ip);
    if (!a) throw new InputError(`--local-ip: not an address: ${ip}`);
    addresses.push({ interface: '--local-ip', address: canonicalAddress(ip), family: a.family, network: `${canonicalAddress(ip)}/${a.family === 4 ? 32 : 128}`, internal: false, linkLocal: false });
  }
  const variant = config.flavor === 'ntpd' && file.includes('ntpsec') ? 'ntpsec' : 'unknown';
  const nc: NodeConfig = { config, inUse: false, variant };
  const observations = configObservations([nc], addresses);
  const input: ConfigInput = { kind: 'config', name: file, flavor: config.flavor, files: config.files, directives: config.directives.length };
  if (config.unknown.length) input.unknownDirectives = config.unknown.map((d) => `${d.file}:${d.line}: ${d.keyword}`);
  // { file, reason, from: "FILE:LINE" of the include directive }: what could not be read, or only in part (caps).
  if (config.unreadable.length) input.unreadable = config.unreadable.map((u) => (u.from ? { file: u.file, reason: u.reason, from: `${u.from.file}:${u.from.line}` } : { file: u.file, reason: u.reason }));
  return judge(observations, [input], [], options.rules ?? defaultRules);
}
