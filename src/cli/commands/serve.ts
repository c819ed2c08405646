import { InputError } from '../../errors.js';
import { describeRefid } from '../../ntp/refid.js';
import { describeFault, FAULT_HELP } from '../../serve/faults.js';
import { parseFaults, parseListen, parseRateLimit, parseRefid, parseStratum } from '../../serve/options.js';
import { startServer, type ServeStats } from '../../serve/server.js';
import { list, num, parseArgs, str } from '../args.js';
import type { Command } from '../io.js';

const USAGE = `usage: ntpdoctor serve [--listen ADDR:PORT]... [--stratum N] [--refid ID] [--fault KIND]...
       [--root-dispersion S] [--rate-limit BURST/INTERVAL|off] [--duration S] [--json]
  faults: ${FAULT_HELP}`;

function statsLine(s: ServeStats, clients: number): string {
  const d = s.dropped;
  return (
    `received ${s.received}, replied ${s.replied}, kod ${s.kod}, dropped: rate-limited ${d.rateLimited}, ` +
    `fault ${d.fault}, control (mode 6/7) ${d.control}, short ${d.short}, mode ${d.mode}, version ${d.version}, ` +
    `malformed ${d.malformed}, send errors ${d.sendError}; clients tracked ${clients}; max reply/request ${s.maxAmplification.toFixed(2)}`
  );
}

const serve: Command = async (argv, out) => {
  const args = parseArgs(argv, {
    options: {
      listen: 'string[]',
      stratum: 'number',
      refid: 'string',
      fault: 'string[]',
      'root-dispersion': 'number',
      'rate-limit': 'string',
      duration: 'number',
      json: 'boolean',
    },
    maxPositionals: 0,
    usage: USAGE,
  });
  const duration = num(args.values.duration);
  if (duration !== undefined && !(duration > 0)) throw new InputError('--duration must be > 0 seconds');
  const rootDispersion = num(args.values['root-dispersion']);
  if (rootDispersion !== undefined && !(rootDispersion >= 0 && rootDispersion < 65536)) {
    throw new InputError('--root-dispersion must be in [0, 65536) seconds');
  }
  const faults = parseFaults(list(args.values.fault));
  const stratum = parseStratum(num(args.values.stratum));
  const refid = parseRefid(str(args.values.refid));
  let server;
  try {
    server = await startServer({
      listen: parseListen(list(args.values.listen)),
      stratum,
      refid,
      faults,
      rateLimit: parseRateLimit(str(args.values['rate-limit'])),
      ...(rootDispersion !== undefined ? { rootDispersion } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT') {
      throw new InputError(`cannot listen: ${e.code} ${(e as { address?: string }).address ?? ''}:${(e as { port?: number }).port ?? ''} (port 123 needs root or CAP_NET_BIND_SERVICE; try --listen 127.0.0.1:11123)`);
    }
    throw err;
  }
  const id = server.identity;
  const where = server.addresses.map((a) => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)).join(', ');
  out.line(
    `ntpdoctor serve: listening on ${where}; stratum ${id.stratum}, refid ${describeRefid(id.stratum, id.refid, 4).text}, ` +
      `precision ${id.precision}, root dispersion ${id.rootDispersion.toFixed(6)} s; faults: ${faults.length ? faults.map(describeFault).join(', ') : 'none'}`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (duration !== undefined) setTimeout(stop, duration * 1000).unref();
  });
  await server.close();
  if (args.values.json) out.json({ listen: server.addresses, stats: server.stats, clients: server.clients() });
  else out.line(`ntpdoctor serve: ${statsLine(server.stats, server.clients())}`);
  return 0;
};

export default serve;
