import { isIP } from 'node:net';
import { InputError } from '../../errors.js';
import { describeRefid } from '../../ntp/refid.js';
import { announce } from '../../serve/announce.js';
import { describeFault } from '../../serve/faults.js';
import { readHostClock } from '../../serve/host-clock.js';
import { describeListenError, listenText, ListenError } from '../../serve/listen-error.js';
import { DEFAULT_STRATUM, parseAllow, parseFaults, parseListen, parseRateLimit, parseRefid, parseStratum } from '../../serve/options.js';
import { isLoopbackHost } from '../../serve/access.js';
import { startServer, type ListenAddress, type ServeStats } from '../../serve/server.js';
import { family, list, num, str } from '../args.js';
import type { CliCommand } from '../io.js';

function statsLine(s: ServeStats, clients: number): string {
  const d = s.dropped;
  return (
    `received ${s.received}, replied ${s.replied} (${s.leaked} over the rate limit, leaked), kod ${s.kod}, dropped: ` +
    `not allowed ${d.denied}, rate-limited ${d.rateLimited}, ` +
    `fault ${d.fault}, control (mode 6/7) ${d.control}, short ${d.short}, mode ${d.mode}, version ${d.version}, ` +
    `malformed ${d.malformed}, send errors ${d.sendError}; clients tracked ${clients}; max reply/request ${s.maxAmplification.toFixed(2)}`
  );
}

/**
 * -4 / -6: of the listen addresses (the defaults or --listen's), the ones of that family; none left is a usage
 * error, not a server that listens nowhere.
 */
export function listenFamily(listen: ListenAddress[], fam: 4 | 6 | undefined): ListenAddress[] {
  if (fam === undefined) return listen;
  const kept = listen.filter((l) => isIP(l.address) === fam).map((l) => ({ ...l, optional: false }));
  if (kept.length === 0) throw new InputError(`-${fam}: no IPv${fam} address among --listen ${listen.map(listenText).join(', ')}`);
  return kept;
}

const serve: CliCommand = async ({ opts }, out) => {
  // --duration, --root-dispersion and --stratum are range-checked by the parser (definition.ts).
  const duration = num(opts.duration);
  const rootDispersion = num(opts['root-dispersion']);
  const faults = parseFaults(list(opts.fault));
  const forcedStratum = num(opts.stratum) !== undefined ? parseStratum(num(opts.stratum)) : undefined;
  const refidText = str(opts.refid);
  const listen = listenFamily(parseListen(list(opts.listen)), family(opts));
  const allow = parseAllow(list(opts.allow));
  const rateLimit = parseRateLimit(str(opts['rate-limit']));
  // Stratum and leap say what the host clock is worth: read the kernel's sync status (read-only) first.
  const host = await readHostClock();
  const said = announce(host, DEFAULT_STRATUM, forcedStratum);
  let server;
  try {
    server = await startServer({
      listen,
      allow,
      stratum: said.stratum,
      leap: said.leap,
      // The user's --refid wins; else INIT when unsynchronized (what ntpd says then), else the local clock's.
      refid: refidText !== undefined ? parseRefid(refidText) : (said.refid ?? parseRefid(undefined)),
      faults,
      rateLimit,
      ...(rootDispersion !== undefined ? { rootDispersion } : {}),
    });
  } catch (err) {
    if (err instanceof ListenError) throw new InputError(describeListenError(err));
    throw err;
  }
  const id = server.identity;
  const where = server.addresses.map(listenText).join(', ');
  const lines = [
    `ntpdoctor serve: listening on ${where}; stratum ${id.stratum}, leap ${id.leap}, refid ${describeRefid(id.stratum, id.refid, 4).text}, ` +
      `precision ${id.precision}, root dispersion ${id.rootDispersion.toFixed(6)} s; faults: ${faults.length ? faults.map(describeFault).join(', ') : 'none'}`,
    `ntpdoctor serve: ${said.note}`,
  ];
  const exposed = server.addresses.some((a) => !isLoopbackHost(a.address));
  lines.push(
    `ntpdoctor serve: answering ${server.access.describe()}` +
      (exposed && allow.length === 0 ? ': clients on the network get no answer until --allow CIDR names them (as chrony `allow`)' : ''),
  );
  if (rateLimit) lines.push(`ntpdoctor serve: rate limit ${rateLimit.burst} back to back, then 1 per ${rateLimit.interval} s per client, 1 in ${2 ** rateLimit.leak} over it answered anyway (leak ${rateLimit.leak})`);
  for (const s of server.skipped) lines.push(`ntpdoctor serve: not listening on ${s}`);
  for (const l of lines) out.line(l);
  // The host clock can lose (or gain) synchronization while we serve: read it again every 64 s (ntpd's
  // minimum poll) and change what we announce, in one line, when it changes. --stratum stays forced.
  let last = said;
  const watch = setInterval(() => {
    void readHostClock().then((h) => {
      const now = announce(h, DEFAULT_STRATUM, forcedStratum);
      if (now.leap === last.leap && now.stratum === last.stratum) return;
      id.stratum = now.stratum;
      id.leap = now.leap;
      if (refidText === undefined) id.refid = now.refid ?? parseRefid(undefined);
      last = now;
      out.line(`ntpdoctor serve: ${now.note}`);
    });
  }, 64_000);
  watch.unref();
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (duration !== undefined) setTimeout(stop, duration * 1000).unref();
  });
  clearInterval(watch);
  await server.close();
  if (opts.json) out.json({ schema: 'ntpdoctor.serve/1', listen: server.addresses, stats: server.stats, clients: server.clients() });
  else out.line(`ntpdoctor serve: ${statsLine(server.stats, server.clients())}`);
  return 0;
};

export default serve;
