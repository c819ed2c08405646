/**
 * firewalld: reads what `firewall-cmd` prints (`--state`, `--get-active-zones`, `--get-default-zone`,
 * `--zone=Z --list-all` / `--list-all-zones`) and decides whether a zone lets a new NTP request in
 * (firewalld.zone(5), firewalld.richlanguage(5)): the zone is the one bound to the client's source address,
 * else the one bound to the interface, else the default zone. Inside it, rich-rule denials come first, then the
 * `ntp` service (123/udp only), a udp port covering the daemon's port or an accepting rich rule, then the zone target; target `default` rejects
 * with what firewalld's generated rules say (firewalld-rules.ts: icmp-host-prohibited on CentOS 7's 0.6,
 * icmpx admin-prohibited on the nftables backend, icmp-port-unreachable on 1.x's iptables backend).
 */
import { parsePrefix } from '../../net/ip.js';
import { NTP_PORT } from '../../ntp/constants.js';
import type { GeneratedReject } from './firewalld-rules.js';
import { portIn, prefixMatch, type InboundNtp } from './packet.js';
import type { FirewallVerdict } from './types.js';

export interface FirewalldZone {
  name: string;
  active: boolean;
  isDefault: boolean;
  target: string;
  interfaces: string[];
  sources: string[];
  services: string[];
  ports: string[];
  protocols: string[];
  richRules: string[];
}

/** `firewall-cmd --state`: "running" (exit 0) or "not running" (exit 252). */
export function parseFirewalldState(text: string): boolean {
  return text.trim() === 'running';
}

/** `--get-active-zones`: zone name lines, each followed by indented `interfaces:` / `sources:` lines. */
export function parseActiveZones(text: string): Array<{ name: string; interfaces: string[]; sources: string[] }> {
  const zones: Array<{ name: string; interfaces: string[]; sources: string[] }> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      zones.push({ name: line.trim().replace(/\s*\(.*\)$/, ''), interfaces: [], sources: [] });
      continue;
    }
    const zone = zones[zones.length - 1];
    const m = /^\s+(interfaces|sources):\s*(.*)$/.exec(line);
    if (zone && m) zone[m[1] as 'interfaces' | 'sources'].push(...(m[2] as string).split(/\s+/).filter(Boolean));
  }
  return zones;
}

/** One or more `--list-all` blocks ("public (active)" / "public (default, active)" then indented `key: value`). */
export function parseListAll(text: string): FirewalldZone[] {
  const zones: FirewalldZone[] = [];
  let zone: FirewalldZone | undefined;
  let inRich = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = /^(\S+)(?:\s+\(([^)]*)\))?\s*$/.exec(line);
    if (header) {
      const flags = (header[2] ?? '').split(',').map((s) => s.trim());
      zone = {
        name: header[1] as string,
        active: flags.includes('active'),
        isDefault: flags.includes('default'),
        target: 'default',
        interfaces: [],
        sources: [],
        services: [],
        ports: [],
        protocols: [],
        richRules: [],
      };
      zones.push(zone);
      inRich = false;
      continue;
    }
    if (!zone) continue;
    const kv = /^\s+([a-z -]+):\s*(.*)$/.exec(line);
    if (kv && !line.trimStart().startsWith('rule ')) {
      const key = kv[1] as string;
      const words = (kv[2] as string).split(/\s+/).filter(Boolean);
      inRich = key === 'rich rules';
      if (key === 'target') zone.target = words[0] ?? 'default';
      else if (key === 'interfaces') zone.interfaces = words;
      else if (key === 'sources') zone.sources = words;
      else if (key === 'services') zone.services = words;
      else if (key === 'ports') zone.ports = words;
      else if (key === 'protocols') zone.protocols = words;
      continue;
    }
    if (inRich && line.trim().startsWith('rule')) zone.richRules.push(line.trim());
  }
  return zones;
}

/** Which zone handles a request from `pkt` (firewalld.zone(5): source binding, then interface, then default). */
export function zoneFor(zones: FirewalldZone[], pkt: InboundNtp, defaultZone?: string): FirewalldZone | undefined {
  if (pkt.from) {
    const from = pkt.from;
    const bySource = zones.find((z) =>
      z.sources.some((s) => {
        const p = parsePrefix(s);
        return p !== undefined && prefixMatch(from, p) === 'yes';
      }),
    );
    if (bySource) return bySource;
  }
  if (pkt.iifname !== undefined) {
    const byIf = zones.find((z) => z.interfaces.includes(pkt.iifname as string));
    if (byIf) return byIf;
  }
  const def = zones.find((z) => z.name === defaultZone) ?? zones.find((z) => z.isDefault);
  if (def) return def;
  // Unknown interface, no default known: a single active zone with interfaces is the one.
  const active = zones.filter((z) => z.active && z.interfaces.length > 0);
  return active.length === 1 ? active[0] : undefined;
}

interface RichRule {
  family?: 4 | 6;
  source?: string;
  sourceNot: boolean;
  /** `service name="…"`: firewalld's `ntp` service is 123/udp only. */
  service?: string;
  /** `port port="…" protocol="udp"`: a port or range. */
  udpPort?: string;
  action?: 'accept' | 'reject' | 'drop';
  rejectType?: string;
}

/** Does a rich rule's service or UDP port element cover `dport`? */
function opens(service: string | undefined, udpPort: string | undefined, dport: number): boolean {
  if (service === 'ntp') return dport === NTP_PORT;
  return udpPort !== undefined && portIn(udpPort.replace('-', ':'), dport);
}

/** The parts of a rich rule that matter for NTP (firewalld.richlanguage(5)). */
function parseRich(rule: string): RichRule {
  const attr = (re: RegExp) => re.exec(rule)?.[1];
  const family = attr(/family="(ipv[46])"/);
  const r: RichRule = { sourceNot: /source\s+NOT\s/.test(rule) };
  if (family) r.family = family === 'ipv4' ? 4 : 6;
  const source = attr(/source\s+(?:NOT\s+)?address="([^"]+)"/);
  if (source) r.source = source;
  const service = attr(/service\s+name="([^"]+)"/);
  const port = attr(/port\s+port="([^"]+)"\s+protocol="udp"/);
  if (service !== undefined) r.service = service;
  if (port !== undefined) r.udpPort = port;
  const action = /\s(accept|reject|drop)(?:\s|$)/.exec(`${rule} `)?.[1];
  if (action) r.action = action as 'accept' | 'reject' | 'drop';
  const rejectType = attr(/reject\s+type="([^"]+)"/);
  if (rejectType) r.rejectType = rejectType;
  return r;
}

/**
 * The zone's verdict for `pkt`. What target `default` sends comes from firewalld's generated rules when they
 * could be read (`generated`, firewalld-rules.ts); else `nftablesBackend` picks the classic default.
 */
export function evaluateZone(zone: FirewalldZone, pkt: InboundNtp, nftablesBackend = false, generated?: GeneratedReject): FirewallVerdict {
  const trace = [`zone ${zone.name} (target ${zone.target}; services: ${zone.services.join(' ') || '-'}; ports: ${zone.ports.join(' ') || '-'})`];
  const uncertain: string[] = [];
  const applies = (r: RichRule): boolean => {
    if (!opens(r.service, r.udpPort, pkt.dport) || r.action === undefined) return false;
    if (r.family !== undefined && r.family !== pkt.family) return false;
    if (r.source === undefined) return true;
    const p = parsePrefix(r.source);
    if (!p || !pkt.from) {
      uncertain.push(`rich rule with source ${r.source}: the client network is not known`);
      return false;
    }
    const m = prefixMatch(pkt.from, p);
    return r.sourceNot ? m === 'no' : m === 'yes';
  };
  const rich = zone.richRules.map((text) => ({ text, r: parseRich(text) }));
  const deny = rich.find(({ r }) => r.action !== 'accept' && applies(r));
  if (deny) {
    const v: FirewallVerdict = { verdict: deny.r.action === 'drop' ? 'drop' : 'reject', decidedBy: { text: deny.text, chain: zone.name }, trace, uncertain };
    if (deny.r.action === 'reject') v.rejectWith = deny.r.rejectType ?? 'icmp-port-unreachable';
    return v;
  }
  // The `ntp` service is 123/udp: it does not open a chrony that serves on another port (`port N`).
  if (pkt.dport === NTP_PORT && zone.services.includes('ntp')) return { verdict: 'accept', decidedBy: { text: 'service ntp', chain: zone.name }, trace, uncertain };
  const port = zone.ports.find((p) => p.endsWith('/udp') && portIn(p.slice(0, -4).replace('-', ':'), pkt.dport));
  if (port) return { verdict: 'accept', decidedBy: { text: `port ${port}`, chain: zone.name }, trace, uncertain };
  if (zone.protocols.includes('udp')) return { verdict: 'accept', decidedBy: { text: 'protocol udp', chain: zone.name }, trace, uncertain };
  const allow = rich.find(({ r }) => r.action === 'accept' && applies(r));
  if (allow) return { verdict: 'accept', decidedBy: { text: allow.text, chain: zone.name }, trace, uncertain };
  const target = zone.target.toUpperCase();
  const decidedBy = { text: `target ${zone.target}`, chain: zone.name, policy: true };
  if (target === 'ACCEPT') return { verdict: 'accept', decidedBy, trace, uncertain };
  if (target === 'DROP') return { verdict: 'drop', decidedBy, insertAt: { chain: zone.name }, trace, uncertain };
  if (generated) trace.push(`target default: firewalld's ${generated.chain} ends \`${generated.text}\``);
  return {
    verdict: 'reject',
    rejectWith: generated?.rejectWith ?? (nftablesBackend ? 'icmpx admin-prohibited' : 'icmp-host-prohibited'),
    decidedBy,
    insertAt: { chain: zone.name },
    trace,
    uncertain,
  };
}
