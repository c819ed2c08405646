import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import { PANIC_THRESHOLD } from '../src/ntp/constants.js';
import { note } from './_lib/evidence.js';
import { appendLine, cmd, draft, op, ranked, words } from './_lib/fixes.js';
import { duration } from './_lib/format.js';
import { fromSyncedServer } from './_lib/paths.js';
import { lineEvidence, replaceDirective, restartOf } from './_lib/node.js';

/** chronyd's default maxslewrate: 83333.333 ppm, i.e. at most 83 ms of correction per second (chrony.conf(5)). */
const CHRONY_MAX_SLEW = 0.083333333;
/** Offsets worth stepping: chrony's own example `makestep 1 3` steps above 1 s. */
const STEP_WORTHY = 1;

/**
 * The clock is far off and the daemon will not step it: chrony without `makestep` slews at most 83 ms/s (an hour
 * off takes half a day), ntpd without `-g` exits when the first offset exceeds the panic threshold (1000 s). The seed
 * stepped a client a year off with ntpdate; ntpd alone would have refused.
 */
export default defineRule({
  meta: {
    id: 'makestep-missing',
    summary: 'The clock is far off and the daemon will not step it (chrony without `makestep`, ntpd without `-g`)',
    severity: 'warning',
    confidence: 0.8,
    priority: 44,
    why:
      'chronyd only steps the clock when `makestep` allows it; otherwise it slews at no more than 83 ms per second ' +
      '(maxslewrate 83333 ppm), so an offset of an hour takes about 12 hours to go. ntpd steps offsets above 128 ms but ' +
      'exits when the first one exceeds the panic threshold of 1000 s unless started with -g (or `tinker panic 0`). ' +
      'The seed\'s client was 31566952 s (a year) off: ntpdate stepped it; ntpd would have exited, logging "time ' +
      'correction of N seconds exceeds sanity limit (1000); set clock manually to the correct UTC time.". On a VM, ' +
      '`makestep 1 3` is not enough either: it steps only in the first 3 updates, and a suspend, snapshot restore or ' +
      'migration puts the clock off much later.',
    references: ['chrony.conf(5) (makestep, maxslewrate)', 'ntpd(8) (-g)', 'ntp_misc(5) (tinker panic)', 'RFC 5905 §10 (STEPT 0.128 s), ntpd PANICT 1000 s', 'ntpd/ntp_loopfilter.c ("exceeds sanity limit")'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    const offset = worstOffset(ctx);
    for (const o of ctx.of('chrony-config')) {
      if (o.config.makestep) continue;
      const fix = draft(
        'chrony',
        'Let chronyd step the clock when it is more than 1 s off in its first 3 updates (or step once now: chronyc makestep)',
        [appendLine(o.config.file, 'makestep 1 3'), restartOf(o)],
        words('chronyc tracking'),
        'System time: a few ms at most',
      );
      if (offset && Math.abs(offset.value) > STEP_WORTHY) {
        hits.push({
          subject: o.config.file,
          title: `The clock is ${duration(offset.value)} off and ${o.config.file} has no makestep: chronyd will slew for about ${duration(Math.abs(offset.value) / CHRONY_MAX_SLEW)}`,
          evidence: [offset.evidence, note(`No makestep in ${o.config.files.join(', ')}: chronyd corrects at most 83 ms per second`)],
          fixes: ranked([fix]),
        });
      } else if (!offset) {
        hits.push({
          subject: o.config.file,
          title: `${o.config.file} has no makestep: a clock far off at boot would be slewed for hours instead of stepped`,
          evidence: [note(`No makestep in ${o.config.files.join(', ')}`)],
          fixes: ranked([fix]),
          severity: 'info',
          confidence: 0.5,
        });
      }
    }
    if (offset && Math.abs(offset.value) > PANIC_THRESHOLD) {
      for (const d of ctx.of('time-daemons').flatMap((t) => t.daemons)) {
        if (d.name !== 'ntpd' || d.argv.some((a) => /^-\w*g/.test(a) && !a.startsWith('--'))) continue;
        const panicOff = ctx.of('ntpd-config').some((c) => c.config.tinker.some((t) => t.name === 'panic' && t.value === 0));
        if (panicOff) continue;
        const unit = d.variant === 'ntpsec' ? 'ntpsec' : 'ntpd';
        hits.push({
          subject: 'this node',
          title: `The clock is ${duration(offset.value)} off and ntpd (pid ${d.pid}) runs without -g: it will exit at the first update (panic threshold ${PANIC_THRESHOLD} s)`,
          evidence: [offset.evidence, note(`ntpd command line: ${d.argv.join(' ')} (no -g)`)] as Evidence[],
          fixes: ranked([
            draft(d.variant === 'ntpsec' ? 'ntpsec' : 'ntpd', 'Step the clock once with ntpd -gq (set and quit), then start the daemon again', [cmd('systemctl', 'stop', unit), words('ntpd -gq'), cmd('systemctl', 'start', unit)], words('ntpq -pn'), 'offsets in milliseconds'),
          ]),
          severity: 'error',
        });
      }
    }
    hits.push(...vmLimitedSteps(ctx), ...panicExits(ctx, hits));
    return hits;
  },
});

/** Hypervisors whose guests are routinely suspended or saved (VMware suspend/vMotion, VirtualBox save state, Hyper-V save). */
const SUSPEND_PRONE = new Set(['vmware', 'oracle', 'microsoft']);

/**
 * chrony `makestep 1 3` steps only in the first 3 clock updates after chronyd starts. A VM that is suspended,
 * restored from a snapshot or live-migrated (or any machine resumed from suspend) comes back seconds or hours off
 * long after those 3 updates: chronyd then slews at 83 ms/s at most. chrony.conf(5): a negative limit steps
 * whenever the offset passes the threshold. Only suspend-prone hypervisors or a resume in this boot's kernel log
 * count: every distribution ships `makestep 1 3`, and a cloud VM that never pauses is fine with it.
 */
function vmLimitedSteps(ctx: RuleContext): Hit[] {
  const p = ctx.of('platform-clock').find((x) => (x.virtualization !== undefined && SUSPEND_PRONE.has(x.virtualization)) || x.resumes !== undefined);
  if (!p) return [];
  const vm = p.virtualization;
  const why = p.resumes
    ? note(`${p.resumes.via}: ${p.resumes.count} resume(s) from suspend this boot, the last: ${p.resumes.last}`)
    : note(`This node is a virtual machine (${vm}): suspend, snapshot restore and migration put the clock off long after start`);
  const hits: Hit[] = [];
  for (const o of ctx.of('chrony-config')) {
    const m = o.config.makestep;
    if (!m || m.limit <= 0) continue;
    hits.push({
      subject: o.config.file,
      title: `\`${m.text}\` steps only in the first ${m.limit} updates: after a suspend, snapshot restore or migration${vm ? ` of this VM (${vm})` : ''} chronyd will only slew`,
      evidence: [lineEvidence(m, `\`${m.text}\`: steps larger than ${m.threshold} s only in the first ${m.limit} clock updates after start`), why],
      fixes: ranked([
        draft('chrony', `Let chronyd step whenever the clock is more than ${m.threshold} s off (a negative limit: no limit)`, [replaceDirective(m, `makestep ${m.threshold} -1`), restartOf(o)], words('chronyc tracking'), 'System time: a few ms at most'),
      ]),
      severity: 'info',
      confidence: 0.5,
    });
  }
  return hits;
}

/**
 * ntpd's own log says it exited at its panic threshold (ntpd/ntp_loopfilter.c: "time correction of N seconds
 * exceeds sanity limit (1000); set clock manually to the correct UTC time."). Folded into the offset finding for
 * ntpd when there is one; otherwise its own finding: ntpd is gone and nothing keeps the clock.
 */
function panicExits(ctx: RuleContext, earlier: Hit[]): Hit[] {
  const panics = ctx.of('platform-clock').flatMap((p) => p.ntpdPanics);
  const last = panics.at(-1);
  if (!last) return [];
  const evidence = note(`${last.via}: ${last.line}`);
  const existing = earlier.find((h) => h.subject === 'this node' && /ntpd \(pid/.test(h.title));
  if (existing) {
    existing.evidence.push(evidence);
    return [];
  }
  const conf = ctx.of('ntpd-config').find((c) => c.inUse) ?? ctx.of('ntpd-config')[0];
  const ntpsec = conf?.variant === 'ntpsec';
  const unit = conf?.service ?? (ntpsec ? 'ntpsec' : 'ntpd');
  const platform = ntpsec ? 'ntpsec' : 'ntpd';
  const fixes = [draft(platform, 'Step the clock once with ntpd -gq (set and quit), then start the daemon again', [cmd('systemctl', 'stop', op(unit)), words('ntpd -gq'), cmd('systemctl', 'start', op(unit))], words('ntpq -pn'), 'offsets in milliseconds')];
  if (conf && !conf.config.tinker.some((t) => t.name === 'panic')) {
    fixes.push(draft(platform, `Or let ntpd step any offset for ever (tinker panic 0, as advised for virtual machines that are suspended or migrated): append it to ${conf.config.file}`, [appendLine(conf.config.file, 'tinker panic 0'), cmd('systemctl', 'restart', op(unit))], words('ntpq -pn'), 'offsets in milliseconds'));
  }
  return [
    {
      subject: 'this node',
      title: `ntpd exited at its panic threshold: the clock was ${duration(last.seconds)} off (more than ${PANIC_THRESHOLD} s) and ntpd was started without -g`,
      evidence: [evidence, ...(panics.length > 1 ? [note(`${panics.length} such exits in this boot's log`)] : [])],
      fixes: ranked(fixes),
      severity: 'error',
    },
  ];
}

/** The largest offset seen: probes of this node's servers, then the daemon's own estimate. */
function worstOffset(ctx: RuleContext): { value: number; evidence: Evidence } | undefined {
  let best: { value: number; evidence: Evidence } | undefined;
  const consider = (value: number, text: string) => {
    if (!best || Math.abs(value) > Math.abs(best.value)) best = { value, evidence: note(text) };
  };
  for (const p of ctx.of('ntp-path')) {
    // Only an accepted sample counts: the probe gives an offset only for a reply that passed every RFC 5905 §8
    // test (src/ntp/tests.ts); a path that also saw an unsynchronised or failing reply gives none.
    if (p.source !== 'probe' || !p.offset || !fromSyncedServer(p)) continue;
    const v = p.offset.best ?? p.offset.mean;
    consider(v, `ntpdoctor's probe of ${p.server.ip}: offset ${v >= 0 ? '+' : '-'}${duration(v)} (this clock is ${v >= 0 ? 'behind' : 'ahead'})`);
  }
  for (const st of ctx.of('daemon-state')) {
    if (st.system?.offset !== undefined && st.system.synchronized) consider(st.system.offset, `${st.daemon} estimates the clock offset at ${duration(st.system.offset)}`);
    for (const s of st.sources) if (s.offset !== undefined) consider(s.offset, `${st.daemon}: ${s.address} offset ${duration(s.offset)}`);
  }
  return best;
}
