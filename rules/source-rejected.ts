import { isIP } from '../src/net/ip.js';
import { defineRule } from '../src/diagnose/define.js';
import type { Hit, Platform } from '../src/diagnose/types.js';
import { writeTo, type Command } from '../src/shell/command.js';
import type { DaemonSource, DaemonStateObservation } from '../src/model/daemon.js';
import { note } from './_lib/evidence.js';
import { appendLine, cmd, draft, op, ranked, words, type Draft } from './_lib/fixes.js';
import { configs, isOwnAddress, ownAddressSet, restartOf, type ConfigObservation } from './_lib/node.js';
import { rejectionOf, rootDistanceOf, type Rejection } from './_lib/rejection.js';

/**
 * Replies arrive but the daemon throws them away: chrony's `^?` with reach 377 (the chrony FAQ's "no selectable
 * sources"), `chronyc ntpdata` with a failing test or every reply invalid, selectdata `d`/`~`/`s`/`x`; ntpd's reach
 * > 0 with flash bits set. The failing test is named with its threshold, so the admin looks at the server's
 * synchronisation, a key or a limit — not at a firewall.
 */
export default defineRule({
  meta: {
    id: 'source-rejected',
    summary: 'Replies from a source arrive, but the daemon rejects them (chrony ^? with reach > 0, ntpd flash bits)',
    severity: 'error',
    confidence: 0.9,
    priority: 23,
    explains: ['source-unreachable'],
    why:
      'chronyc shows `^?` both for a silent source and for one whose replies fail its tests; `chronyc ntpdata` tells ' +
      'them apart (Total RX, valid RX, the "NTP tests" bits: chrony ntp_core.c test1–3 and test5 make a reply valid, ' +
      'test6 (leap/stratum), test7 (root distance < 16 s) and testA–D (delay, loop) make it good) and `chronyc selectdata` ' +
      'says why a good source is still not selectable: d = root distance above `maxdistance` (3 s by default), ' +
      '~ = jitter above `maxjitter` (1 s), s = unsynchronised, x = falseticker. ntpd keeps the failed tests in the ' +
      'peer\'s flash bits (TEST11 peer_dist: root distance above `tos maxdist`, 1.5 s). Reach 377 with such a verdict ' +
      'means the path works: the fix is on the server, the key, or the limit.',
    references: ['chronyc(1) (ntpdata, selectdata, sources)', 'chrony.conf(5) (maxdistance, maxjitter)', 'chrony FAQ (^? with reach 377)', 'RFC 5905 §8 (packet tests), §11.2.1 (root distance)', 'ntpq(1) (flash)'],
  },
  match(ctx) {
    const own = ownAddressSet(ctx);
    const hits: Hit[] = [];
    for (const st of ctx.of('daemon-state')) {
      for (const s of st.sources) {
        if (isOwnAddress(s.address, own) || s.address.startsWith('127.127.')) continue;
        const r = rejectionOf(st, s);
        if (!r) continue;
        if (st.daemon === 'systemd-timesyncd') hits.push(timesyncdHit(st, s, r));
        else hits.push(hit(st, s, r, configs(ctx).find((c) => c.inUse && (c.kind === 'chrony-config') === (st.daemon === 'chronyd'))));
      }
    }
    return hits;
  },
});

function hit(st: DaemonStateObservation, s: DaemonSource, r: Rejection, conf: ConfigObservation | undefined): Hit {
  const tool = st.daemon === 'chronyd' ? 'chronyc' : 'ntpq';
  const named = s.name ? `${s.name} (${s.address})` : s.address;
  const evidence = [note(`${tool}: ${named} ${st.daemon === 'chronyd' ? `^${s.state}` : `tally '${s.state}'`}, ${r.heard}`), note(`${r.test}: ${r.detail}`)];
  const p = s.packets;
  if (p && (p.rootDelay !== undefined || p.leap !== undefined)) {
    const parts = [p.leap !== undefined ? `leap ${p.leap}` : '', p.stratum !== undefined ? `stratum ${p.stratum}` : '', p.rootDelay !== undefined ? `root delay ${p.rootDelay.toFixed(6)} s` : '', p.rootDispersion !== undefined ? `root dispersion ${p.rootDispersion.toFixed(6)} s` : '', p.authenticated !== undefined ? `authenticated ${p.authenticated ? 'yes' : 'no'}` : ''];
    evidence.push(note(`its last valid reply: ${parts.filter(Boolean).join(', ')}`));
  }
  if (s.selection) evidence.push(note(`selectdata: state ${s.selection.state}, auth ${s.selection.authenticated ? 'Y' : 'N'}${s.selection.leap ? `, leap ${s.selection.leap}` : ''}`));
  return {
    subject: s.address,
    title: `${st.daemon} hears ${named} but rejects it: ${r.detail} [${r.test}]`,
    evidence,
    fixes: ranked(fixesFor(st, s, r, conf)),
  };
}

/** systemd-timesyncd: its log is the evidence; its limit lives in timesyncd.conf(5) [Time] RootDistanceMaxSec=. */
function timesyncdHit(st: DaemonStateObservation, s: DaemonSource, r: Rejection): Hit {
  const named = s.name ? `${s.name} (${s.address})` : s.address;
  const verify = words('timedatectl timesync-status');
  const expect = 'a Server line for the source, Packet count rising, an Offset shown';
  const fixes: Draft[] = [];
  const ask = isIP(s.address) ? [cmd('ntpdoctor', 'probe', op(s.address))] : [];
  fixes.push(draft('generic', "Fix the server's own synchronisation (its root dispersion or delay is what timesyncd refuses), or use another server", ask.length ? ask : [words('timedatectl show-timesync --all')], verify, expect));
  if (r.kind === 'distance') {
    const dir = '/etc/systemd/timesyncd.conf.d';
    fixes.push(
      draft(
        'systemd',
        'Only if that distance is expected (a distant or long-unsynchronised upstream): raise RootDistanceMaxSec in a drop-in, then restart timesyncd',
        [cmd('mkdir', '-p', dir), writeTo(cmd('printf', '[Time]\\nRootDistanceMaxSec=10\\n'), `${dir}/50-ntpdoctor.conf`), words('systemctl restart systemd-timesyncd')],
        verify,
        expect,
      ),
    );
  }
  return {
    subject: s.address,
    title: `${st.daemon} hears ${named} but rejects it: ${r.detail} [${r.test}]`,
    evidence: [note(r.heard), note(`${r.test}: ${r.detail}`)],
    fixes: ranked(fixes),
  };
}

function fixesFor(st: DaemonStateObservation, s: DaemonSource, r: Rejection, conf: ConfigObservation | undefined): Draft[] {
  const chrony = st.daemon === 'chronyd';
  const platform: Platform = chrony ? 'chrony' : 'ntpd';
  const verify = chrony ? words('chronyc sources') : words('ntpq -pn');
  const expect = chrony ? '^* or ^+ for the source, reach 377' : 'tally * or + for the source';
  const fix = (pf: Platform, title: string, commands: readonly Command[]): Draft => draft(pf, title, commands, verify, expect);
  // ntpq: `&N` names the Nth association of the `associations` listing in the same invocation (ntpq(1)); the
  // condition column shows which one is `reject`. Association 0 would be the system variables, not the peer.
  const inspect = chrony
    ? [words('chronyc ntpdata'), words('chronyc selectdata -v')]
    : [cmd('ntpq', '-n', '-c', 'associations', '-c', 'rv &1 flash,leap,stratum,rootdelay,rootdisp'), words('ntpq -pn')];
  // Only a literal address goes into a command: names and other daemon text stay in the title and evidence.
  const probe = isIP(s.address) ? [cmd('ntpdoctor', 'probe', op(s.address))] : [];
  const out: Draft[] = [];
  switch (r.kind) {
    case 'distance': {
      out.push(fix('generic', "Fix the server's own synchronisation: its root dispersion (or delay) is what the daemon refuses", [...probe, ...inspect].slice(0, 3)));
      const d = rootDistanceOf(s);
      if (conf && d !== undefined && d < 16) {
        const limit = Math.ceil(d + 1);
        const line = chrony ? `maxdistance ${limit}` : `tos maxdist ${limit}`;
        out.push(fix(platform, `Only if that error is expected (a distant or long-unsynchronised upstream): accept it with \`${line}\``, [appendLine(conf.config.file, line), restartOf(conf)]));
      }
      break;
    }
    case 'jitter':
      out.push(fix('generic', 'Find why the measurements vary (a congested or asymmetric path, an overloaded server)', [...probe, ...(chrony ? [words('chronyc sourcestats -v')] : [words('ntpq -pn')])]));
      if (conf && chrony) out.push(fix('chrony', 'Only if that jitter is expected: raise `maxjitter`', [appendLine(conf.config.file, 'maxjitter 2'), restartOf(conf)]));
      break;
    case 'unsynchronized':
      out.push(fix('generic', 'The server is not synchronised itself (leap 3 / stratum 16): fix its upstream, or use another server', [...probe, ...inspect].slice(0, 3)));
      break;
    case 'authentication':
      out.push(fix(platform, 'The key (or NTS) does not match the server: compare the key ID, type and value on both sides', chrony ? [words('chronyc -N authdata'), words('chronyc ntpdata')] : [cmd('ntpq', '-n', '-c', 'associations', '-c', 'rv &1 flash,keyid'), words('ntpq -pn')]));
      break;
    case 'loop':
      out.push(fix('generic', "The server takes its time from this host: remove the loop (one of the two must follow an independent upstream)", [...probe, ...inspect].slice(0, 3)));
      break;
    default:
      out.push(fix(platform, 'Read which test the replies fail', inspect));
  }
  if (out.length === 0 || !out.some((d) => d.commands.length > 0)) out.push(fix(platform, 'Read which test the replies fail', inspect));
  return out.filter((d) => d.commands.length > 0);
}
