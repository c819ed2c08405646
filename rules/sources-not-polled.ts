import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { DaemonStateObservation } from '../src/model/daemon.js';
import { capped, note, plural } from './_lib/evidence.js';
import { cmd, draft, op, ranked, words, type Draft } from './_lib/fixes.js';
import { file, writeTo } from '../src/shell/command.js';
import { configs, lineEvidence, type ConfigObservation } from './_lib/node.js';

/** Units whose names are safe to print in a command (a detected unit name is node text: only these go through). */
const KNOWN_UNITS = new Set(['chronyd', 'chrony', 'ntpd', 'ntp', 'ntpsec']);

/**
 * The daemon sends nothing: its sources are names it could not resolve (chronyc `-a` lists them as ID#…, `activity`
 * counts "sources with unknown address") or sources left offline (`offline` option, `chronyc offline`, or a
 * NetworkManager/networkd hook that never said online). No request leaves, so no firewall, server or probe can
 * explain it; everything about these sources downstream (reach 0, ^?) is its symptom.
 */
export default defineRule({
  meta: {
    id: 'sources-not-polled',
    summary: 'The daemon polls nothing: source names unresolved, or sources left offline (chronyc activity, sources -a)',
    severity: 'error',
    confidence: 0.9,
    priority: 13,
    explains: ['source-unreachable'],
    why:
      'chronyd resolves source names itself and retries in the background; until a name resolves the source has no ' +
      'address and no request is sent (`chronyc sources -a` shows ID#…, `chronyc activity` counts "sources with unknown ' +
      'address"). At boot this is usually chronyd starting before the network or DNS is up (the unit lacks ' +
      'After=network-online.target), or a resolver that never answers. Sources marked `offline` (the option, or ' +
      '`chronyc offline` from a network hook) are not polled until `chronyc online`. Either way reach stays 0 and no ' +
      'packet leaves: look at the resolver and the network-online ordering, not at a firewall.',
    references: ['chronyc(1) (activity, sources -a, online, refresh)', 'chrony.conf(5) (server: offline)', 'systemd.special(7) (network-online.target)', 'chrony FAQ'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const st of ctx.of('daemon-state')) {
      if (st.daemon !== 'chronyd') continue;
      const h = judge(st, configs(ctx).find((c) => c.kind === 'chrony-config' && c.inUse));
      if (h) hits.push(h);
    }
    return hits;
  },
});

function judge(st: DaemonStateObservation, conf: ConfigObservation | undefined): Hit | undefined {
  const unresolved = st.sources.filter((s) => s.unresolved);
  const a = st.activity;
  const unknown = a?.unknownAddress ?? unresolved.length;
  const offline = (a?.offline ?? 0) + (a?.burstOffline ?? 0);
  const polled = a ? a.online + a.burstOnline : st.sources.filter((s) => !s.unresolved && s.kind !== 'refclock').length;
  if (unknown === 0 && !(offline > 0 && polled === 0)) return undefined;
  const nothing = polled === 0;
  const evidence: Evidence[] = [];
  if (a) evidence.push(note(`Activity as chronyc activity reports it: ${a.online} sources online, ${a.offline} offline, ${a.unknownAddress} with unknown address`));
  // A pool shows once per address slot (`maxsources`): one line per name is enough.
  const names = [...new Set(unresolved.map((s) => s.name ?? s.address))];
  if (names.length) evidence.push(...capped(names.map((n) => note(`Unresolved source in chronyc sources -a: ${n} has no address yet (name not resolved)`)), 5, 'unresolved sources'));
  const namedLines = conf ? conf.config.sources.filter((s) => !s.refclock && unresolved.some((u) => u.name === s.address)) : [];
  for (const s of namedLines.slice(0, 5)) evidence.push(lineEvidence(s));
  const what: string[] = [];
  if (unknown > 0) what.push(`${plural(unknown, 'source')} whose name never resolved`);
  if (offline > 0) what.push(`${plural(offline, 'source')} left offline`);
  return {
    subject: conf?.config.file ?? 'chronyd',
    title: `chronyd ${nothing ? 'polls nothing' : 'does not poll every source'}: ${what.join(', ')}`,
    evidence,
    fixes: ranked(fixes(unknown > 0, offline > 0, conf)),
    ...(nothing ? {} : { severity: 'warning' as const, confidence: 0.8 }),
  };
}

function fixes(unresolved: boolean, offline: boolean, conf: ConfigObservation | undefined): Draft[] {
  const verify = words('chronyc activity');
  const expect = '0 sources with unknown address, the sources online';
  const unit = conf?.service && KNOWN_UNITS.has(conf.service) ? conf.service : 'chronyd';
  const out: Draft[] = [];
  if (offline) out.push(draft('chrony', 'Bring the offline sources online (and check the network hook that should say so)', [words('chronyc online')], verify, expect));
  if (unresolved) {
    out.push(draft('generic', 'See why the names do not resolve: the resolver this node uses, and whether it answers', [words('cat /etc/resolv.conf'), words('resolvectl status')], verify, expect));
    out.push(
      draft(
        'systemd',
        'Start chronyd only once the network is up (network-online ordering), then make it resolve the names again',
        [
          cmd('mkdir', '-p', file(`/etc/systemd/system/${unit}.service.d`)),
          writeTo(cmd('printf', '[Unit]\\nWants=network-online.target\\nAfter=network-online.target\\n'), `/etc/systemd/system/${unit}.service.d/10-network-online.conf`),
          words('systemctl daemon-reload'),
          words('chronyc refresh'),
        ],
        verify,
        expect,
      ),
    );
    out.push(draft('chrony', 'Or write IP addresses instead of names on the server/pool lines (no DNS needed at all), then restart', [words('chronyc -N sources -a'), cmd('systemctl', 'restart', op(unit))], verify, expect));
  }
  return out;
}
