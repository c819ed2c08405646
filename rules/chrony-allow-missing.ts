import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { ChronyConfigObservation } from '../src/model/node.js';
import { note } from './_lib/evidence.js';
import { appendLine, byHand, cmd, draft, op, ranked } from './_lib/fixes.js';
import { clientProbe, commentOut, lineEvidence, restartOf, serverIntent } from './_lib/node.js';

/**
 * chronyd serves nobody unless an `allow` covers the client: without any, it does not even open UDP 123
 * (clients get ICMP port unreachable); a later `deny all` (as generated configs append) cancels every allow
 * before it; `port 0` closes the server port.
 */
export default defineRule({
  meta: {
    id: 'chrony-allow-missing',
    summary: 'chronyd serves nobody: no `allow` for the clients, a later `deny all` overriding it, or `port 0`',
    severity: 'error',
    confidence: 0.9,
    priority: 14,
    why:
      'chronyd is a client only by default: "the default is that no clients are allowed access". Without an allow ' +
      'directive it does not open the NTP port, so clients get ICMP port unreachable; with allow but a later ' +
      '`deny all`, which "overrides the effect of any previous directive", it ignores them silently. `port 0` turns ' +
      'the server off altogether.',
    references: ['chrony.conf(5) (allow, deny, all, port)', 'chronyc(1) (accheck)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of ctx.of('chrony-config')) {
      const cfg = o.config;
      const intent = serverIntent(ctx, o).filter((e) => !/chronyd is meant to serve/.test(e.text));
      if (cfg.port && cfg.port.port === 0) {
        hits.push(portZero(o, intent));
        continue;
      }
      const allows = cfg.access.filter((a) => a.verb === 'allow');
      if (allows.length === 0) {
        const hit: Hit = {
          subject: cfg.file,
          title: `chronyd serves no clients: ${cfg.file} has no \`allow\` directive`,
          evidence: [
            note(`No allow in ${cfg.files.join(', ')}: chronyd acts as a client only and does not open UDP ${cfg.port?.port ?? 123} (clients get ICMP port unreachable)`),
            ...intent,
          ],
          fixes: ranked([allowFix(o, ctx)]),
        };
        // A plain client needs no allow: only a node meant to serve others is wrong without one.
        if (intent.length === 0) {
          hit.severity = 'info';
          hit.confidence = 0.4;
          hit.title += ' (fine if no other node uses it as a server)';
        }
        hits.push(hit);
        continue;
      }
      const reported = new Set<string>();
      // The first denied client network per address (and per IPv4 dotted prefix, chrony's `allow 10.0` form): one
      // lookup per allow line instead of a scan of every network (100 k allow lines stay linear).
      const denied = o.clientAccess.filter((x) => !x.served && x.by);
      const deniedByStart = new Map<string, (typeof denied)[number]>();
      for (const x of denied) for (const k of startKeys(x.network)) if (!deniedByStart.has(k)) deniedByStart.set(k, x);
      for (const allow of allows) {
        const subnet = allow.subnet;
        const decision = subnet === undefined ? denied[0] : deniedByStart.get(normalizeStart(subnet));
        if (!decision?.by) continue;
        const by = decision.by;
        if (reported.has(`${by.file}:${by.line}`)) continue;
        reported.add(`${by.file}:${by.line}`);
        hits.push({
          subject: cfg.file,
          title: `${by.file}:${by.line}: \`${by.text}\` cancels \`${allow.text}\` (line ${allow.line}): chronyd serves nobody on ${decision.network}`,
          evidence: [
            lineEvidence(allow, `\`${allow.text}\`: meant to serve ${decision.network}`),
            lineEvidence(by, `\`${by.text}\` comes later and overrides it: ${decision.network} is denied`),
            note('chronyd ignores requests it denies without a word: clients see a timeout'),
          ],
          fixes: ranked([
            draft('chrony', `Comment out line ${by.line} (or move the allow after it)`, [commentOut(by), restartOf(o)], cmd('chronyc', 'accheck', op(hostIn(decision.network))), '208 Access allowed'),
          ]),
        });
      }
    }
    return hits;
  },
});

/** The keys a network answers to: its address, and for IPv4 each dotted prefix ("10.", "10.0.", "10.0.1."). */
function startKeys(network: string): string[] {
  const addr = network.split('/')[0] ?? '';
  if (addr.includes(':')) return [addr];
  const p = addr.split('.');
  return [addr, `${p[0]}.`, `${p[0]}.${p[1]}.`, `${p[0]}.${p[1]}.${p[2]}.`];
}

/** "192.168.1" → "192.168.1.", "192.168.1.0/24" → "192.168.1.0". */
function normalizeStart(subnet: string): string {
  const base = subnet.split('/')[0] as string;
  const parts = base.split('.');
  return parts.length < 4 && !base.includes(':') ? `${parts.join('.')}.` : base;
}

/** A host inside a network, for `chronyc accheck`: 198.51.100.0/24 → 198.51.100.1. */
function hostIn(network: string): string {
  const [addr = ''] = network.split('/');
  if (addr.includes(':')) return addr.endsWith('::') ? `${addr}1` : addr;
  const p = addr.split('.');
  return `${p[0]}.${p[1]}.${p[2]}.${Number(p[3]) + 1}`;
}

function allowFix(o: ChronyConfigObservation, ctx: RuleContext) {
  const net = o.clientAccess.find((a) => a.why === 'interface')?.network;
  const port = o.config.port?.port ?? 123;
  if (!net) {
    // No network of this node's is known (lint of a file alone): which clients to serve is the admin's to say,
    // so the step is in words; no guessed network is printed as a command to paste.
    return byHand(
      'chrony',
      `Allow the client network: chronyd then opens UDP ${port} and answers it`,
      [`Add a line \`allow\` followed by the client network (for example \`allow 192.168.1.0/24\`) to ${o.config.file}`],
      [restartOf(o)],
      cmd('ss', '-lun', 'sport', '=', `:${port}`),
      `chronyd listening on UDP ${port}; ${clientProbe(ctx)}`,
    );
  }
  const line = `allow ${net}`;
  return draft(
    'chrony',
    `Allow the client network (${net}, this node's own network): chronyd then opens UDP ${port} and answers it`,
    [appendLine(o.config.file, line), restartOf(o)],
    cmd('chronyc', 'accheck', op(hostIn(net))),
    `208 Access allowed; ${clientProbe(ctx, net)}`,
  );
}

function portZero(o: ChronyConfigObservation, intent: Evidence[]): Hit {
  const port = o.config.port as NonNullable<ChronyConfigObservation['config']['port']>;
  return {
    subject: o.config.file,
    title: `${port.file}:${port.line}: \`${port.text}\` turns chronyd's NTP server off`,
    evidence: [lineEvidence(port, '`port 0`: chronyd opens no NTP server port, whatever allow says'), ...intent],
    fixes: ranked([draft('chrony', `Comment out line ${port.line} (the default port is 123)`, [commentOut(port), restartOf(o)], cmd('ss', '-lun', 'sport', '=', ':123'), 'chronyd listening on UDP 123')]),
    ...(intent.length === 0 ? { severity: 'info' as const, confidence: 0.4 } : {}),
  };
}
