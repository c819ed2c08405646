/**
 * The exchange sample of the text report, grouped by client → server path (one heading each), so a row needs
 * only time, frames, the client's port, offset, delay and outcome: it fits 80 columns where one row per
 * exchange with both endpoints took 136. The outcome comes last and wraps under itself when a row is wider
 * than the terminal (a year-long offset), rather than being cut.
 */
import type { NtpExchange } from '../model/exchange.js';
import { formatSeconds } from './format.js';
import { cells, padCells, wrapText } from './text-layout.js';

/** Exchange rows the text shows at most. */
export const TEXT_EXCHANGES = 40;

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A capture (or probe) time of day in UTC with milliseconds, '00:19:01.486'; with the date ('11-22 00:19:01.486')
 * when the exchanges span more than one UTC day. '?' for a time a Date cannot hold.
 */
export function timeOfDay(epochSeconds: number, withDate: boolean): string {
  const ms = Math.floor(epochSeconds * 1000);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return '?';
  const d = new Date(ms);
  const t = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
  return withDate ? `${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${t}` : t;
}

/** 'reply #4 st 11 127.127.1.0' (the refid last), 'reply #45 KoD RATE', 'ICMP 3/10 #4 from 198.51.100.1', 'no reply'. */
export function outcomeText(x: NtpExchange): string {
  let text: string;
  if (x.outcome === 'reply' && x.reply) {
    const r = x.reply;
    text =
      r.stratum === 0
        ? `reply #${x.replyFrame} KoD ${r.refidText || '?'}`
        : `reply #${x.replyFrame} st ${r.stratum}${r.leap !== 0 ? ` leap ${r.leap}` : ''} ${r.refidText || '-'}`;
  } else if (x.outcome === 'icmp' && x.icmp) {
    const i = x.icmp;
    text = `ICMP${i.version === 6 ? 'v6' : ''} ${i.type}/${i.code} #${i.frame}${i.reporter !== x.server.ip ? ` from ${i.reporter}` : ''}`;
  } else text = 'no reply';
  if (x.bogus?.length) text += ` BOGUS ${x.bogus.join(', ')}`;
  return text;
}

function pathKey(x: NtpExchange): string {
  return `${x.client.ip}\u0000${x.server.ip}\u0000${x.server.port}`;
}

const endpoint = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The rows for at most TEXT_EXCHANGES exchanges, under one heading per path, each line at most `width` cells. */
export function exchangeTable(exchanges: readonly NtpExchange[], width: number): string[] {
  const shown = exchanges.slice(0, TEXT_EXCHANGES);
  if (!shown.length) return [];
  const times = shown.map((x) => x.requestTime).filter(Number.isFinite);
  const withDate = times.length > 0 && Math.floor(Math.min(...times) / 86400) !== Math.floor(Math.max(...times) / 86400);
  const cols = {
    time: (x: NtpExchange) => timeOfDay(x.requestTime, withDate),
    req: (x: NtpExchange) => `#${x.requestFrame}`,
    port: (x: NtpExchange) => String(x.client.port),
    offset: (x: NtpExchange) => (x.offset !== undefined ? formatSeconds(x.offset) : '-'),
    delay: (x: NtpExchange) => (x.delay !== undefined ? formatSeconds(x.delay, false) : '-'),
  };
  const heads = { time: 'time (UTC)', req: 'req', port: 'port', offset: 'offset', delay: 'delay' };
  const keys = Object.keys(cols) as Array<keyof typeof cols>;
  const widths = Object.fromEntries(keys.map((k) => [k, Math.max(cells(heads[k]), ...shown.map((x) => cells(cols[k](x))))])) as Record<keyof typeof cols, number>;
  const row = (v: Record<keyof typeof cols, string>) =>
    `    ${padCells(v.time, widths.time)}  ${padCells(v.req, widths.req, true)}  ${padCells(v.port, widths.port, true)}  ${padCells(v.offset, widths.offset, true)}  ${padCells(v.delay, widths.delay, true)}  `;
  // Group by path in first-seen order; within a path the sample's order (request order).
  const groups = new Map<string, NtpExchange[]>();
  for (const x of shown) {
    const list = groups.get(pathKey(x));
    if (list) list.push(x);
    else groups.set(pathKey(x), [x]);
  }
  const out: string[] = [];
  const head = row(heads);
  const outcomeIndent = ' '.repeat(cells(head));
  const narrow = cells(head) + 12 > width;
  for (const list of groups.values()) {
    const first = list[0]!;
    out.push(...wrapText(`${first.client.ip} → ${endpoint(first.server.ip, first.server.port)}`, width, '  ', '    '));
    out.push(`${head}outcome`);
    for (const x of list) {
      const values = Object.fromEntries(keys.map((k) => [k, cols[k](x)])) as Record<keyof typeof cols, string>;
      const line = row(values);
      // Too narrow for the outcome beside the numbers: it goes on its own line(s) below them.
      if (narrow) out.push(line.trimEnd(), ...wrapText(outcomeText(x), width, '      ', '      '));
      else out.push(...wrapText(outcomeText(x), width, line, outcomeIndent));
    }
  }
  return out;
}
