/** Synthetic node reports for the cluster tests: the fields `diagnose --json` writes that the cluster reads. */
import type { NtpExchange } from '../../src/model/exchange.js';
import type { Finding, Report } from '../../src/diagnose/types.js';
import type { ReportInput } from '../../src/model/report-input.js';
import { toNodes } from '../../src/cluster/load.js';
import type { ClusterNode } from '../../src/cluster/types.js';

export interface ProbeSpec {
  server: string;
  /** Reply fields; absent = no reply (timeout). */
  stratum?: number;
  leap?: number;
  refid?: string;
  offset?: number;
  icmp?: { type: number; code: number };
}

export interface NodeSpec {
  name: string;
  addresses: string[];
  probes?: ProbeSpec[] | undefined;
  findings?: Array<Pick<Finding, 'rule' | 'subject'> & Partial<Finding>> | undefined;
}

export function finding(f: NodeSpec['findings'] extends Array<infer T> | undefined ? T : never): Finding {
  return { severity: 'error', confidence: 0.9, title: `${f.rule} on ${f.subject}`, evidence: [{ text: `${f.rule} evidence` }], fixes: [], ...f };
}

export function report(spec: NodeSpec): Report {
  const inputs: ReportInput[] = [{ kind: 'node', name: spec.name, addresses: spec.addresses, daemons: [], configs: [], firewall: [] }];
  const exchanges: NtpExchange[] = [];
  for (const p of spec.probes ?? []) {
    inputs.push({ kind: 'probe', name: p.server.includes(':') ? `[${p.server}]:123` : `${p.server}:123`, from: '/etc/chrony.conf:1', samples: 3, replies: p.stratum === undefined ? 0 : 3 });
    for (let i = 1; i <= 3; i++) {
      const x: NtpExchange = {
        client: { ip: spec.addresses[0] ?? '192.0.2.1', port: 40000 + i },
        server: { ip: p.server, port: 123 },
        requestFrame: i,
        requestTime: 1_800_000_000 + i,
        requestVersion: 4,
        requestMode: 3,
        requestTransmit: { seconds: 0, fraction: 0 },
        outcome: p.stratum !== undefined ? 'reply' : p.icmp ? 'icmp' : 'none',
        offsetMethod: 'probe',
      };
      if (p.stratum !== undefined) {
        const z = { seconds: 0, fraction: 0 };
        x.reply = { leap: p.leap ?? 0, version: 4, mode: 4, stratum: p.stratum, poll: 6, precision: -20, rootDelay: 0, rootDispersion: 0, refid: 0, refidText: p.refid ?? 'GPS', referenceTime: z, originTime: z, receiveTime: z, transmitTime: z };
        x.replyFrame = i;
        if (p.offset !== undefined) x.offset = p.offset + i * 1e-4;
      }
      if (p.icmp) x.icmp = { frame: i, version: 4, ...p.icmp, reporter: p.server, errno: 'EHOSTUNREACH' };
      exchanges.push(x);
    }
  }
  return { schema: 'ntpdoctor.report/1', findings: (spec.findings ?? []).map(finding), exchanges, exchangesOmitted: 0, inputs };
}

export function nodes(specs: NodeSpec[]): ClusterNode[] {
  return toNodes(specs.map((s) => ({ from: `test:${s.name}`, label: s.name, text: JSON.stringify(report(s)) })));
}
