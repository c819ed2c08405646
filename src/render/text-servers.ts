/**
 * The per-server table of the text report, in the columns of `ntpq -p` / `chronyc sources`: remote, refid, st,
 * reach (here answered/sent: a capture has no 8-poll shift register), offset, delay, jitter, then a note (KoD,
 * ICMP, silence, unsynchronised). Rows come from the report's `servers`, counted over every exchange.
 */
import type { ServerSummary } from '../diagnose/servers.js';
import { formatSeconds } from './format.js';
import { cells, padCells, wrapText } from './text-layout.js';

/** Rows the text shows at most (the JSON lists up to REPORT_SERVERS). */
export const TEXT_SERVERS = 20;

interface Column {
  head: string;
  /** Right-aligned (numbers). */
  right?: boolean;
  value: (s: ServerSummary) => string;
}

const dash = (v: number | undefined, signed = true) => (v === undefined ? '-' : formatSeconds(v, signed));

const COLUMNS: Column[] = [
  { head: 'remote', value: (s) => (s.port === 123 ? s.server : `${s.server.includes(':') ? `[${s.server}]` : s.server}:${s.port}`) },
  { head: 'refid', value: (s) => s.refid ?? '-' },
  { head: 'st', right: true, value: (s) => (s.stratum === undefined ? '-' : String(s.stratum)) },
  { head: 'reach', right: true, value: (s) => `${s.answered}/${s.sent}` },
  { head: 'offset', right: true, value: (s) => dash(s.offset) },
  { head: 'delay', right: true, value: (s) => dash(s.delay, false) },
  { head: 'jitter', right: true, value: (s) => dash(s.jitter, false) },
];

const CLIENT: Column = { head: 'client', value: (s) => s.client };

/** What a reader should notice about a row, in words: 'KoD RATE ×14', 'ICMP ×5', '12 unanswered', 'unsynchronised'. */
export function serverNote(s: ServerSummary): string {
  const parts: string[] = [];
  if (s.stratum === 16 || s.leap === 3) parts.push(s.leap === 3 ? 'unsynchronised (leap 3)' : 'unsynchronised (stratum 16)');
  for (const k of s.kiss ?? []) parts.push(`KoD ${k.code} ×${k.count}`);
  for (const i of s.icmpErrors ?? []) parts.push(`ICMP${i.version === 6 ? 'v6' : ''} ${i.type}/${i.code} ×${i.count}`);
  if (s.unanswered > 0) parts.push(`${s.unanswered} unanswered`);
  if (s.strata !== undefined) parts.push(`${s.strata} strata`);
  if (s.refids !== undefined) parts.push(`${s.refids} refids`);
  if (s.offsetMethod === 'one-way') parts.push('one-way offset');
  if (s.nts !== undefined) parts.push(`NTS ${s.nts.authenticated}/${s.nts.requests} authenticated${s.nts.mismatched ? `, ${s.nts.mismatched} mismatched` : ''}${s.nts.malformed ? `, ${s.nts.malformed} malformed` : ''}`);
  return parts.join(', ');
}

/**
 * The table, `width` cells wide at most. Columns take the width of their widest value; the note wraps under
 * itself. When even the columns do not fit (long IPv6 addresses), each row takes two lines as `ntpq -w` does:
 * the addresses on the first, the numbers indented on the second. Nothing is cut.
 */
export function serverTable(servers: readonly ServerSummary[], omitted: number, width: number): string[] {
  if (!servers.length) return [];
  const shown = servers.slice(0, TEXT_SERVERS);
  const clients = new Set(servers.map((s) => s.client));
  const addressCols = clients.size > 1 ? [CLIENT, COLUMNS[0]!] : [COLUMNS[0]!];
  const numberCols = COLUMNS.slice(1);
  const widthOf = (c: Column) => Math.max(cells(c.head), ...shown.map((s) => cells(c.value(s))));
  const addrWidths = addressCols.map(widthOf);
  const numWidths = numberCols.map(widthOf);
  const cellsOf = (cols: Column[], widths: number[], s: ServerSummary | undefined) =>
    cols.map((c, i) => padCells(s ? c.value(s) : c.head, widths[i]!, c.right === true)).join('  ');
  const numbersWidth = numWidths.reduce((a, b) => a + b + 2, 0);
  const addrWidth = addrWidths.reduce((a, b) => a + b + 2, 0);
  const wide = 2 + addrWidth + numbersWidth > width;
  const out: string[] = [];
  const emit = (head: string, note: string) => {
    if (!note) return out.push(head.trimEnd());
    const indent = ' '.repeat(cells(head) + 1);
    if (cells(indent) + 12 > width) return out.push(head.trimEnd(), ...wrapText(note, width, '      ', '      '));
    return out.push(...wrapText(note, width, `${head} `, indent));
  };
  if (wide) {
    out.push(`  ${addressCols.map((c) => c.head).join(' → ')}`);
    out.push(`      ${cellsOf(numberCols, numWidths, undefined)}`.trimEnd());
    for (const s of shown) {
      out.push(...wrapText(addressCols.map((c) => c.value(s)).join(' → '), width, '  ', '    '));
      emit(`      ${cellsOf(numberCols, numWidths, s)}`, serverNote(s));
    }
  } else {
    out.push(`  ${cellsOf(addressCols, addrWidths, undefined)}  ${cellsOf(numberCols, numWidths, undefined)}`.trimEnd());
    for (const s of shown) emit(`  ${cellsOf(addressCols, addrWidths, s)}  ${cellsOf(numberCols, numWidths, s)}`, serverNote(s));
  }
  const more = servers.length - shown.length + omitted;
  if (more > 0) out.push(`  … ${more} more path${more === 1 ? '' : 's'}${servers.length > shown.length ? ' (--json lists up to 256)' : ''}`);
  return out;
}
