/**
 * Firewall observations grouped by the rule that decided (and the port): one finding per deciding rule, since
 * several client networks or servers may stop at the same one. Insertion order kept.
 */
export function byDecidingRule(list: readonly FirewallObservation[]): FirewallObservation[][] {
  const groups = new Map<string, FirewallObservation[]>();
  for (const f of list) {
    const key = `${f.backend}\u0000${f.decidedBy?.table ?? ''}\u0000${f.decidedBy?.chain ?? ''}\u0000${f.decidedBy?.text ?? ''}\u0000${f.port ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()];
}

/**
 * The accept rule for UDP `port` where a firewall observation says the request stopped (ahead of the rule that
 * decided, or appended before the chain's policy), and the command that keeps it across a reboot. Shared by
 * firewall-blocks-ntp's inbound fixes and its outbound ones (rules/_lib/firewall-outbound.ts).
 */
import type { FirewallObservation } from '../../src/model/node.js';
import type { Command } from '../../src/shell/command.js';
import { cmd, op, saveNftRuleset, words } from './fixes.js';

export interface AcceptRule {
  /** nftables: "inet filter input"; iptables: the chain. */
  chain: string;
  /** " ahead of handle 9" / " ahead of rule 5" / '' (appended: before the policy applies). */
  ahead: string;
  /** The add or insert, then the save. */
  commands: Command[];
  /** nftables: `nft -a list chain …` (where the rule landed). */
  list?: Command;
}

/** `direction` picks the default chain when the observation names none (input / INPUT, output / OUTPUT). */
export function acceptRule(f: FirewallObservation, port: number, debian: boolean): AcceptRule {
  const d = f.decidedBy;
  const at = f.insertAt;
  const out = f.direction === 'out';
  if (f.backend === 'nftables') {
    const family = at?.family ?? d?.family ?? 'inet';
    const table = at?.table ?? d?.table ?? 'filter';
    const chain = at?.chain ?? d?.chain ?? (out ? 'output' : 'input');
    const rule = ['udp', 'dport', String(port), 'accept'];
    const add = at?.beforeHandle
      ? cmd('nft', 'insert', 'rule', op(family), op(table), op(chain), 'position', String(at.beforeHandle), ...rule)
      : cmd('nft', 'add', 'rule', op(family), op(table), op(chain), ...rule);
    return {
      chain: `${family} ${table} ${chain}`,
      ahead: at?.beforeHandle ? ` ahead of handle ${at.beforeHandle}` : '',
      commands: [add, ...saveNftRuleset(debian ? '/etc/nftables.conf' : '/etc/sysconfig/nftables.conf')],
      list: cmd('nft', '-a', 'list', 'chain', op(family), op(table), op(chain)),
    };
  }
  const ipt = f.backend === 'ip6tables' ? 'ip6tables' : 'iptables';
  const chain = at?.chain ?? (out ? 'OUTPUT' : 'INPUT');
  const accept = ['-p', 'udp', '--dport', String(port), '-j', 'ACCEPT'];
  const add = at?.position !== undefined ? cmd(ipt, '-I', op(chain), String(at.position), ...accept) : cmd(ipt, '-A', op(chain), ...accept);
  const save = debian ? words('netfilter-persistent save') : cmd('service', ipt, 'save');
  return { chain, ahead: at?.position !== undefined ? ` ahead of rule ${at.position}` : '', commands: [add, save] };
}
