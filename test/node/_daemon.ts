/**
 * Daemon states built from recorded chronyc output (test/inspect/fixtures/daemon/, README there) through the real
 * parsers, as askChronyd assembles them: sources (-a), -N names, sourcestats, ntpdata, selectdata, activity.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mergeChronycNames, mergeChronycSelection, parseChronycActivity } from '../../src/inspect/daemon/chrony-select.js';
import { mergeChronycSourcestats, parseChronycSources, parseChronycTracking } from '../../src/inspect/daemon/chronyc.js';
import type { DaemonStateObservation } from '../../src/model/daemon.js';

const dir = fileURLToPath(new URL('../inspect/fixtures/daemon/', import.meta.url));
const opt = (name: string) => (existsSync(dir + name) ? readFileSync(dir + name, 'utf8') : '');

/** chronyd's state in a recorded scenario ('distance', 'unsync', 'auth', 'names'); `privileged: false` = no ntpdata/selectdata. */
export function recordedChrony(scenario: string, o: { privileged?: boolean; uptime?: number } = {}): DaemonStateObservation {
  const sources = opt(`chronyc-${scenario}-sources-a.csv`) || opt(`chronyc-${scenario}-sources.csv`);
  let list = mergeChronycSourcestats(parseChronycSources(sources), opt(`chronyc-${scenario}-sourcestats.csv`));
  list = mergeChronycNames(list, opt(`chronyc-${scenario}-sources-N-a.csv`));
  if (o.privileged !== false) list = mergeChronycSelection(list, opt(`chronyc-${scenario}-ntpdata.csv`), opt(`chronyc-${scenario}-selectdata.csv`));
  const st: DaemonStateObservation = {
    kind: 'daemon-state',
    source: 'daemon',
    daemon: 'chronyd',
    via: 'chronyc (recorded)',
    uptime: o.uptime ?? 600,
    sources: list,
    limits: { maxDistance: 3, maxJitter: 1 },
    system: parseChronycTracking(opt('chronyc-tracking-unsync.csv'))!,
  };
  const act = parseChronycActivity(opt(`chronyc-${scenario}-activity.csv`));
  if (act) st.activity = act;
  return st;
}
