/**
 * chrony.conf: the directives ntpdoctor reasons about, split into fields (chrony.conf(5), chrony 4.x).
 */
import { isKnownDirective } from './directives.js';
import type { ChronyAccess, ChronyConfig, ConfigSource, Directive } from '../../model/config.js';


function sourceFrom(d: Directive): ConfigSource | undefined {
  const [address, ...options] = d.args;
  if (address === undefined) return undefined;
  const src: ConfigSource = {
    file: d.file,
    line: d.line,
    text: d.text,
    directive: d.keyword as ConfigSource['directive'],
    address,
    options,
    iburst: options.includes('iburst'),
    prefer: options.includes('prefer'),
    noselect: options.includes('noselect'),
  };
  if (d.keyword === 'refclock') {
    // `refclock SHM 0 refid GPS`: driver and its parameter (chrony.conf(5) refclock).
    src.refclock = { type: -1, unit: Number(options[0]) || 0, driver: address.toUpperCase() };
    src.options = options.slice(1);
  }
  const keyAt = options.indexOf('key');
  if (keyAt >= 0 && /^\d+$/.test(options[keyAt + 1] ?? '')) src.key = Number(options[keyAt + 1]);
  // `server X port N` (chrony.conf(5)): requests go to UDP N. A refclock's options are its driver's, not this.
  const portAt = options.indexOf('port');
  const port = portAt >= 0 && /^\d{1,5}$/.test(options[portAt + 1] ?? '') ? Number(options[portAt + 1]) : undefined;
  if (d.keyword !== 'refclock' && port !== undefined && port >= 1 && port <= 65535) src.port = port;
  return src;
}

function accessFrom(d: Directive): ChronyAccess {
  const verb = d.keyword.endsWith('allow') ? 'allow' : 'deny';
  let args = d.args;
  const all = args[0] === 'all';
  if (all) args = args.slice(1);
  const a: ChronyAccess = { file: d.file, line: d.line, text: d.text, verb, all };
  if (args[0] !== undefined) a.subnet = args[0];
  return a;
}

/** Interprets the directives (include/confdir/sourcedir already expanded, in order) of one chrony.conf. */
export function interpretChronyConf(file: string, files: string[], directives: Directive[]): ChronyConfig {
  const cfg: ChronyConfig = {
    flavor: 'chrony',
    file,
    files,
    directives,
    sources: [],
    access: [],
    cmdAccess: [],
    bindAddresses: [],
    bindCmdAddresses: [],
    unknown: [],
    unreadable: [],
  };
  for (const d of directives) {
    const at = { file: d.file, line: d.line, text: d.text };
    switch (d.keyword) {
      case 'server':
      case 'pool':
      case 'peer':
      case 'refclock': {
        const s = sourceFrom(d);
        if (s) cfg.sources.push(s);
        break;
      }
      case 'allow':
      case 'deny':
        cfg.access.push(accessFrom(d));
        break;
      case 'cmdallow':
      case 'cmddeny':
        cfg.cmdAccess.push(accessFrom(d));
        break;
      case 'local': {
        // `local` alone = stratum 10 (chrony.conf(5) local: "The default value is 10").
        const i = d.args.indexOf('stratum');
        const stratum = i >= 0 ? Number(d.args[i + 1]) : 10;
        cfg.local = { ...at, stratum: Number.isFinite(stratum) ? stratum : 10, orphan: d.args.includes('orphan') };
        break;
      }
      case 'makestep': {
        const threshold = Number(d.args[0]);
        const limit = Number(d.args[1]);
        if (Number.isFinite(threshold) && Number.isFinite(limit)) cfg.makestep = { ...at, threshold, limit };
        break;
      }
      case 'port': {
        const port = Number(d.args[0]);
        if (Number.isInteger(port)) cfg.port = { ...at, port };
        break;
      }
      case 'cmdport': {
        const port = Number(d.args[0]);
        if (Number.isInteger(port)) cfg.cmdPort = port;
        break;
      }
      case 'bindaddress':
        if (d.args[0] !== undefined) cfg.bindAddresses.push({ ...at, address: d.args[0] });
        break;
      case 'bindcmdaddress':
        if (d.args[0] !== undefined) cfg.bindCmdAddresses.push({ ...at, address: d.args[0] });
        break;
      default:
        if (!isKnownDirective('chrony', d.keyword)) cfg.unknown.push(d);
    }
  }
  return cfg;
}
