/**
 * nftables: reads `nft -j list ruleset` (libnftables-json(5)) and walks the filter chains a new inbound NTP
 * request crosses — base chains on the prerouting and input hooks of the ip/ip6/inet tables, lowest priority
 * first; accept in one base chain hands the packet to the next, drop or reject ends it, a chain without a
 * verdict applies its policy (nft(8) "CHAINS", "VERDICT STATEMENT"). Conditions it cannot decide (an xt match
 * from iptables-nft, an unknown interface) are assumed not to match and are listed as uncertain.
 */
import { parseAddress, parsePrefix, type Prefix } from '../../net/ip.js';
import { and, not, prefixMatch, SERVICE_PORTS, type InboundNtp, type Tri } from './packet.js';
import { renderRule } from './nftables-render.js';
import type { FirewallVerdict } from './types.js';
import { isObj, type Json, type NftChain, type NftRule, type NftRuleset, type NftSet } from './nftables-parse.js';

export { renderRule };

export interface NftOptions {
  /** Rule text from `nft -a list ruleset`, when available. */
  ruleText?: Map<string, string>;
  /** Tables to leave out (iptables-nft's own tables, judged from iptables-save instead). */
  skipTables?: Array<{ family: string; name: string }>;
}

const IN_HOOK_ORDER: Record<string, number> = { prerouting: 0, input: 1 };
/** This node's own request crosses the output hook, then postrouting. */
const OUT_HOOK_ORDER: Record<string, number> = { output: 0, postrouting: 1 };

/** The verdict of the ruleset for `pkt`. */
export function evaluateNft(rs: NftRuleset, pkt: InboundNtp, opts: NftOptions = {}): FirewallVerdict {
  const HOOK_ORDER = pkt.direction === 'out' ? OUT_HOOK_ORDER : IN_HOOK_ORDER;
  const families = pkt.family === 4 ? ['ip', 'inet'] : ['ip6', 'inet'];
  const skipped = (c: { family: string; table: string }) =>
    (opts.skipTables ?? []).some((t) => t.family === c.family && t.name === c.table);
  const base = rs.chains
    .filter((c) => c.hook !== undefined && c.hook in HOOK_ORDER && (c.type ?? 'filter') === 'filter')
    .filter((c) => families.includes(c.family) && !skipped(c))
    .sort((a, b) => (HOOK_ORDER[a.hook as string] as number) - (HOOK_ORDER[b.hook as string] as number) || (a.prio ?? 0) - (b.prio ?? 0));
  const walk = new Walker(rs, pkt, opts);
  let lastAccept: FirewallVerdict['decidedBy'];
  for (const chain of base) {
    walk.trace.push(`${chain.family} ${chain.table} ${chain.name} (hook ${chain.hook}, priority ${chain.prio ?? 0})`);
    const r = walk.run(chain, 0);
    if (r.kind === 'verdict') {
      if (r.verdict === 'accept') {
        lastAccept = r.decidedBy;
        continue;
      }
      const v: FirewallVerdict = { verdict: r.verdict, decidedBy: r.decidedBy, trace: walk.trace, uncertain: walk.uncertain };
      if (r.rejectWith !== undefined) v.rejectWith = r.rejectWith;
      v.insertAt = { family: r.decidedBy.family ?? chain.family, table: chain.table, chain: r.decidedBy.chain ?? chain.name, beforeHandle: r.decidedBy.handle ?? 0 };
      return v;
    }
    if (chain.policy === 'drop') {
      return {
        verdict: 'drop',
        decidedBy: { text: `policy drop`, family: chain.family, table: chain.table, chain: chain.name, policy: true },
        insertAt: { family: chain.family, table: chain.table, chain: chain.name },
        trace: walk.trace,
        uncertain: walk.uncertain,
      };
    }
  }
  const v: FirewallVerdict = { verdict: 'accept', trace: walk.trace, uncertain: walk.uncertain };
  if (lastAccept) v.decidedBy = lastAccept;
  if (base.length === 0) v.trace.push(pkt.direction === 'out' ? 'no filter chain on the output hook: nothing filters outbound traffic' : 'no filter chain on the input hook: nothing filters inbound traffic');
  return v;
}

type RunResult =
  | { kind: 'verdict'; verdict: 'accept' | 'drop' | 'reject'; rejectWith?: string; decidedBy: NonNullable<FirewallVerdict['decidedBy']> }
  | { kind: 'end' };

class Walker {
  trace: string[] = [];
  uncertain: string[] = [];
  constructor(
    private rs: NftRuleset,
    private pkt: InboundNtp,
    private opts: NftOptions,
  ) {}

  text(rule: NftRule): string {
    return this.opts.ruleText?.get(`${rule.family} ${rule.table} ${rule.chain} ${rule.handle}`) ?? renderRule(rule.expr);
  }

  run(chain: NftChain, depth: number): RunResult {
    if (depth > 16) return { kind: 'end' };
    const rules = this.rs.rules.filter((r) => r.family === chain.family && r.table === chain.table && r.chain === chain.name);
    for (const rule of rules) {
      const out = this.rule(rule, depth);
      if (out === 'next') continue;
      if (out === 'return') return { kind: 'end' };
      return out;
    }
    return { kind: 'end' };
  }

  private decided(rule: NftRule) {
    return { text: this.text(rule), family: rule.family, table: rule.table, chain: rule.chain, handle: rule.handle };
  }

  /** Runs one rule: 'next' (no verdict), 'return', or a final result. */
  private rule(rule: NftRule, depth: number): RunResult | 'next' | 'return' {
    let cond: Tri = 'yes';
    for (const e of rule.expr) {
      if (!isObj(e)) continue;
      if (isObj(e.match)) {
        cond = and(cond, this.match(e.match, rule));
        if (cond === 'no') return 'next';
        continue;
      }
      if (isObj(e.xt) && e.xt.type !== 'target') {
        // An iptables-nft match nft cannot show (xt conntrack, multiport...): undecidable.
        cond = and(cond, 'maybe');
        continue;
      }
      if (cond === 'maybe') {
        this.uncertain.push(`${rule.family} ${rule.table} ${rule.chain}: "${this.text(rule)}" has a condition ntpdoctor cannot decide; assumed not to match`);
        return 'next';
      }
      const verdict = this.statement(e, rule, depth);
      if (verdict !== undefined) return verdict;
    }
    return 'next';
  }

  /** A statement after the conditions held: a verdict, a jump, or nothing (counter, log, limit...). */
  private statement(e: Json, rule: NftRule, depth: number): RunResult | 'return' | undefined {
    if ('accept' in e) return { kind: 'verdict', verdict: 'accept', decidedBy: this.decided(rule) };
    if ('drop' in e) {
      this.trace.push(`  drop: ${this.text(rule)}`);
      return { kind: 'verdict', verdict: 'drop', decidedBy: this.decided(rule) };
    }
    if ('reject' in e) {
      this.trace.push(`  reject: ${this.text(rule)}`);
      return { kind: 'verdict', verdict: 'reject', rejectWith: rejectKind(e.reject, rule.family), decidedBy: this.decided(rule) };
    }
    if ('return' in e) return 'return';
    if (isObj(e.xt) && e.xt.type === 'target') {
      // An iptables-nft target: REJECT / DROP / ACCEPT end the packet; its options (--reject-with) are not shown.
      const name = String(e.xt.name);
      if (name === 'REJECT') return { kind: 'verdict', verdict: 'reject', rejectWith: 'icmp (type not shown by nft)', decidedBy: this.decided(rule) };
      if (name === 'DROP') return { kind: 'verdict', verdict: 'drop', decidedBy: this.decided(rule) };
      if (name === 'ACCEPT') return { kind: 'verdict', verdict: 'accept', decidedBy: this.decided(rule) };
      return undefined;
    }
    if (isObj(e.jump) || isObj(e.goto)) {
      const target = String(((e.jump ?? e.goto) as Json).target);
      const sub = this.rs.chains.find((c) => c.family === rule.family && c.table === rule.table && c.name === target);
      if (!sub) return undefined;
      this.trace.push(`  ${'jump' in e ? 'jump' : 'goto'} ${target}`);
      const r = this.run(sub, depth + 1);
      if (r.kind === 'verdict') return r;
      return 'goto' in e ? 'return' : undefined;
    }
    if (isObj(e.vmap)) {
      const key = this.value(e.vmap.key as unknown);
      const data = e.vmap.data;
      const entries = Array.isArray(isObj(data) ? data.set : undefined) ? ((data as Json).set as unknown[]) : this.setElems(data);
      for (const pair of entries) {
        const [k, verdict] = Array.isArray(pair) ? pair : [];
        if (key.kind !== 'unknown' && this.compare(key, '==', k) === 'yes' && isObj(verdict)) {
          return this.statement(verdict, rule, depth);
        }
      }
      return undefined;
    }
    return undefined;
  }

  private setElems(ref: unknown): unknown[] {
    if (typeof ref !== 'string' || !ref.startsWith('@')) return [];
    const name = ref.slice(1);
    return this.rs.sets.find((s) => s.name === name)?.elem ?? [];
  }

  private match(m: Json, rule: NftRule): Tri {
    const left = this.value(m.left);
    const op = String(m.op ?? '==');
    if (left.kind === 'unknown') {
      if (left.why) this.uncertain.push(`${rule.family} ${rule.table} ${rule.chain}: ${left.why}`);
      return 'maybe';
    }
    if (left.kind === 'absent') return op === '!=' ? 'yes' : 'no';
    return this.compare(left, op, m.right);
  }

  /** What the packet carries for an expression. */
  private value(expr: unknown): PacketValue {
    if (!isObj(expr)) return { kind: 'unknown' };
    const p = this.pkt;
    if (isObj(expr.payload)) {
      const proto = String(expr.payload.protocol);
      const field = String(expr.payload.field);
      if (proto === 'udp' || proto === 'th') {
        if (field === 'dport') return { kind: 'num', value: p.dport };
        if (field === 'sport') return { kind: 'num', value: p.sport };
        return { kind: 'unknown' };
      }
      if (['tcp', 'sctp', 'dccp', 'icmp', 'icmpv6', 'udplite'].includes(proto)) return { kind: 'absent' };
      if ((proto === 'ip' && p.family === 6) || (proto === 'ip6' && p.family === 4)) return { kind: 'absent' };
      if (proto === 'ip' || proto === 'ip6') {
        if (p.direction === 'out') {
          // This node's own request: the destination is the server; the source address the kernel picks is not modelled.
          if (field === 'daddr' && p.to) return { kind: 'net', value: p.to };
          if (field === 'saddr') return { kind: 'unknown', why: "this node's own source address" };
        }
        if (field === 'saddr') return p.from ? { kind: 'net', value: p.from } : { kind: 'unknown', why: 'source address of "some client" unknown' };
        if (field === 'protocol' || field === 'nexthdr') return { kind: 'str', value: 'udp' };
        return { kind: 'unknown' };
      }
      return { kind: 'unknown' };
    }
    if (isObj(expr.meta)) {
      const key = String(expr.meta.key);
      if (key === 'l4proto') return { kind: 'str', value: 'udp' };
      if (key === 'nfproto' || key === 'protocol') return { kind: 'str', value: p.family === 4 ? 'ipv4' : 'ipv6', alt: p.family === 4 ? 'ip' : 'ip6' };
      if (p.direction === 'out') {
        // Sent by this node: no input interface; the output one is not loopback (the server is remote).
        if (key === 'iifname' || key === 'iif') return { kind: 'str', value: '' };
        if (key === 'oifname' || key === 'oif') return { kind: 'notlo' };
      }
      if (key === 'iifname' || key === 'iif') {
        return p.iifname !== undefined ? { kind: 'str', value: p.iifname } : { kind: 'notlo' };
      }
      if (key === 'pkttype') return { kind: 'str', value: 'host' };
      return { kind: 'unknown', why: `meta ${key} not modelled` };
    }
    if (isObj(expr.ct)) {
      const key = String(expr.ct.key);
      if (key === 'state') return { kind: 'str', value: 'new' };
      if (key === 'direction') return { kind: 'str', value: 'original' };
      if (key === 'status') return { kind: 'str', value: '' };
      return { kind: 'unknown', why: `ct ${key} not modelled` };
    }
    return { kind: 'unknown', why: `expression ${Object.keys(expr)[0] ?? '?'} not modelled` };
  }

  private compare(left: PacketValue, op: string, right: unknown): Tri {
    let r: Tri;
    if (Array.isArray(right)) r = anyOf(right.map((x) => this.eq(left, x)));
    else if (isObj(right) && Array.isArray(right.set)) r = anyOf(right.set.map((x) => this.eq(left, x)));
    else if (typeof right === 'string' && right.startsWith('@')) r = anyOf(this.setElems(right).map((x) => this.eq(left, x)));
    else r = this.eq(left, right);
    if (op === '!=') return not(r);
    if (op === '==' || op === 'in') return r;
    if (left.kind === 'num' && typeof right === 'number') {
      const ok = op === '<' ? left.value < right : op === '>' ? left.value > right : op === '<=' ? left.value <= right : left.value >= right;
      return ok ? 'yes' : 'no';
    }
    return 'maybe';
  }

  private eq(left: PacketValue, right: unknown): Tri {
    if (left.kind === 'num') {
      if (typeof right === 'number') return left.value === right ? 'yes' : 'no';
      if (typeof right === 'string') return (SERVICE_PORTS[right] ?? Number(right)) === left.value ? 'yes' : 'no';
      if (isObj(right) && Array.isArray(right.range)) {
        const [lo, hi] = right.range.map((x) => (typeof x === 'number' ? x : (SERVICE_PORTS[String(x)] ?? Number(x))));
        return left.value >= (lo ?? 0) && left.value <= (hi ?? 65535) ? 'yes' : 'no';
      }
      return 'maybe';
    }
    if (left.kind === 'str') {
      if (typeof right !== 'string' && typeof right !== 'number') return 'maybe';
      const r = normalizeName(String(right));
      return r === normalizeName(left.value) || (left.alt !== undefined && r === left.alt) ? 'yes' : 'no';
    }
    if (left.kind === 'notlo') return right === 'lo' ? 'no' : 'maybe';
    if (left.kind === 'net') return netMatch(left.value, right);
    return 'maybe';
  }
}

type PacketValue =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string; alt?: string }
  | { kind: 'net'; value: Prefix }
  /** An interface that is not loopback, name unknown. */
  | { kind: 'notlo' }
  /** The packet has no such field (a tcp port on a UDP packet): the match fails. */
  | { kind: 'absent' }
  | { kind: 'unknown'; why?: string };

function anyOf(list: Tri[]): Tri {
  if (list.includes('yes')) return 'yes';
  if (list.includes('maybe')) return 'maybe';
  return 'no';
}

const PROTO_ALIASES: Record<string, string> = { '17': 'udp', '6': 'tcp', '1': 'icmp', '58': 'ipv6-icmp', icmpv6: 'ipv6-icmp' };

function normalizeName(s: string): string {
  return PROTO_ALIASES[s] ?? s;
}

/** Does the client network `from` match an address / prefix / range on the right? */
function netMatch(from: Prefix, right: unknown): Tri {
  let target: Prefix | undefined;
  if (typeof right === 'string') target = parsePrefix(right);
  else if (isObj(right) && isObj(right.prefix)) target = parsePrefix(`${String(right.prefix.addr)}/${String(right.prefix.len)}`);
  else if (isObj(right) && Array.isArray(right.range)) {
    const lo = parseAddress(String(right.range[0]));
    const hi = parseAddress(String(right.range[1]));
    if (!lo || !hi || lo.family !== from.family) return 'no';
    const inside = (v: bigint) => v >= lo.value && v <= hi.value;
    const width = from.family === 4 ? 32 : 128;
    const last = from.network | ((1n << BigInt(width - from.length)) - 1n);
    if (inside(from.network) && inside(last)) return 'yes';
    return inside(from.network) || inside(last) || (lo.value >= from.network && lo.value <= last) ? 'maybe' : 'no';
  }
  return target ? prefixMatch(from, target) : 'no';
}

/** The ICMP error a reject statement sends (nft(8) REJECT STATEMENT: default icmp port-unreachable). */
function rejectKind(r: unknown, family: string): string {
  if (!isObj(r)) return family === 'inet' ? 'icmpx port-unreachable' : 'icmp port-unreachable';
  const type = String(r.type ?? (family === 'inet' ? 'icmpx' : 'icmp'));
  if (type === 'tcp reset') return 'tcp reset';
  return `${type} ${String(r.expr ?? 'port-unreachable')}`;
}
