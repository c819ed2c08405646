/**
 * Why `serve` could not listen, said as it is (bind(2) errors): the port is taken, the port needs privileges,
 * or the address is not one of this host's. One line each, with what to do.
 */
import type { ListenAddress } from './server.js';

export function listenText(l: Pick<ListenAddress, 'address' | 'port'>): string {
  return l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
}

export class ListenError extends Error {
  readonly where: string;
  constructor(
    readonly listen: Pick<ListenAddress, 'address' | 'port'>,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'ListenError';
    this.where = listenText(listen);
  }
}

/** One line: what went wrong with the listen address, and what to do. */
export function describeListenError(e: Pick<ListenError, 'listen' | 'code' | 'where'>): string {
  const { where } = e;
  const sparePort = e.listen.port === 11123 ? 11124 : 11123;
  const spare = listenText({ address: e.listen.address, port: sparePort });
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: it is in use by another program (chronyd/ntpd?): stop it, or use another port (--listen ${spare})`;
    case 'EACCES':
    case 'EPERM':
      return `cannot listen on ${where}: port ${e.listen.port} needs root or CAP_NET_BIND_SERVICE: run it as root, or use a port above 1023 (--listen ${spare})`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${e.listen.address} is not an address of this host (ip -brief address lists them)`;
    case 'EAFNOSUPPORT':
      return `cannot listen on ${where}: IPv6 is not available on this host`;
    default:
      return `cannot listen on ${where}: ${e.code}`;
  }
}
