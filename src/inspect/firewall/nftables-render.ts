/** Renders `nft -j` rule expressions back to nft syntax, for evidence when `nft -a list ruleset` text is not at hand. */
import { formatPrefix, parsePrefix } from '../../net/ip.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Renders rule expressions back to nft syntax (used when `nft -a list ruleset` text is not at hand). */
export function renderRule(expr: unknown[]): string {
  return expr.map(renderStatement).filter((s) => s !== '').join(' ');
}

function renderStatement(e: unknown): string {
  if (!isObj(e)) return '';
  if (isObj(e.match)) {
    const op = String(e.match.op ?? '==');
    return `${renderExpr(e.match.left)} ${op === '==' || op === 'in' ? '' : `${op} `}${renderExpr(e.match.right)}`;
  }
  if ('accept' in e) return 'accept';
  if ('drop' in e) return 'drop';
  if ('return' in e) return 'return';
  if ('reject' in e) {
    const r = e.reject;
    return isObj(r) ? `reject with ${String(r.type)}${r.expr !== undefined ? ` type ${String(r.expr)}` : ''}` : 'reject';
  }
  if (isObj(e.jump)) return `jump ${String(e.jump.target)}`;
  if (isObj(e.goto)) return `goto ${String(e.goto.target)}`;
  if ('counter' in e) return 'counter';
  if (isObj(e.xt)) return `xt ${String(e.xt.type)} ${String(e.xt.name)}`;
  if (isObj(e.vmap)) return `${renderExpr(e.vmap.key)} vmap ${renderExpr(e.vmap.data)}`;
  return Object.keys(e)[0] ?? '';
}

function renderExpr(x: unknown): string {
  if (typeof x === 'string' || typeof x === 'number') return String(x);
  if (Array.isArray(x)) return x.map(renderExpr).join(',');
  if (!isObj(x)) return '';
  if (isObj(x.payload)) return `${String(x.payload.protocol)} ${String(x.payload.field)}`;
  if (isObj(x.meta)) {
    const key = String(x.meta.key);
    return ['iifname', 'oifname', 'iif', 'oif'].includes(key) ? key : `meta ${key}`;
  }
  if (isObj(x.ct)) return `ct ${String(x.ct.key)}`;
  if (Array.isArray(x.set)) return `{ ${x.set.map(renderExpr).join(', ')} }`;
  if (isObj(x.prefix)) return formatPrefix(parsePrefix(`${String(x.prefix.addr)}/${String(x.prefix.len)}`) ?? { family: 4, network: 0n, length: 0 });
  if (Array.isArray(x.range)) return `${renderExpr(x.range[0])}-${renderExpr(x.range[1])}`;
  if (Array.isArray(x.concat)) return x.concat.map(renderExpr).join(' . ');
  return Object.keys(x)[0] ?? '';
}
