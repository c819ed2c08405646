/**
 * Real reports for the UI tests, from the project's own captures (fixtures/README: made by tcpdump in the lab
 * against real chronyd / ntpd): one firewall reject, one healthy chrony exchange set, and a merge of several
 * faults so the list has more findings than an 80×24 screen shows.
 */
import { fileURLToPath } from 'node:url';
import { analyzeCaptures, observeCapture } from '../../src/run/capture-file.js';
import type { NtpExchange } from '../../src/model/exchange.js';
import type { Report } from '../../src/diagnose/types.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string) => `${ROOT}fixtures/${name}`;

export const REJECT = 'firewall-reject-hostprohib.pcap';
export const HEALTHY = 'healthy-chrony.pcap';
/** Several faults at once: more findings than one screen holds. */
export const MANY = [
  REJECT,
  'firewall-reject-adminprohib.pcap',
  'checksum-offload-veth.pcap',
  'rate-limit-kod.pcap',
  'self-sync.pcap',
  'client-year-off.pcap',
  'mode6-exposed.pcap',
  'chrony-no-allow.pcap',
  'local-clock-fresh.pcap',
];

export function reportOf(...names: string[]): Promise<Report> {
  return analyzeCaptures(names.map(fixture));
}

export async function exchangesOf(name: string): Promise<NtpExchange[]> {
  return (await observeCapture(fixture(name))).exchanges;
}
