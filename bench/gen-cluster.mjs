// A generated cluster of node reports (`ntpdoctor.report/1`, as `diagnose --json` writes them) for the cluster
// benchmark and its test: 4 servers in the cluster (one behind a firewall, one self-synced, one pair that follows
// each other), the rest clients spread over them, one client far off, a few on Google's smearing servers.
// Deterministic: the same n gives the same reports.

const z = { seconds: 0, fraction: 0 };

function exchange(client, server, i, reply, icmp, offset) {
  const x = {
    client: { ip: client, port: 40000 + i },
    server: { ip: server, port: 123 },
    requestFrame: i,
    requestTime: 1_800_000_000 + i,
    requestVersion: 4,
    requestMode: 3,
    requestTransmit: z,
    outcome: reply ? 'reply' : icmp ? 'icmp' : 'none',
    offsetMethod: 'probe',
  };
  if (reply) {
    x.replyFrame = i;
    x.reply = { leap: reply.leap, version: 4, mode: 4, stratum: reply.stratum, poll: 6, precision: -20, rootDelay: 0.01, rootDispersion: 0.02, refid: 0, refidText: reply.refid, referenceTime: z, originTime: z, receiveTime: z, transmitTime: z };
    x.offset = offset;
    x.delay = 0.0004;
  }
  if (icmp) x.icmp = { frame: i, version: 4, type: 3, code: 10, reporter: server, errno: 'EHOSTUNREACH' };
  return x;
}

function finding(rule, subject, severity = 'error') {
  return {
    rule,
    severity,
    confidence: 0.9,
    title: `${rule}: ${subject}`,
    subject,
    evidence: [{ text: `${rule} seen on ${subject}` }],
    fixes: [{ rank: 1, platform: 'generic', title: `fix ${rule}`, commands: [`ntpdoctor probe ${subject}`], verify: `ntpdoctor probe ${subject}` }],
    why: 'generated',
    references: ['RFC 5905'],
  };
}

/** n reports (n ≥ 8). */
export function generateCluster(n) {
  const addr = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const servers = [
    { name: 'srv-fw', address: addr(1), findings: [finding('firewall-blocks-ntp', addr(1)), finding('self-sync', addr(1))], probes: [] },
    { name: 'srv-self', address: addr(2), findings: [finding('self-sync', addr(2))], probes: [[addr(2), { stratum: 16, leap: 3, refid: 'INIT' }]] },
    { name: 'srv-a', address: addr(3), findings: [], probes: [[addr(4), { stratum: 3, leap: 0, refid: addr(4) }]] },
    { name: 'srv-b', address: addr(4), findings: [], probes: [[addr(3), { stratum: 3, leap: 0, refid: addr(3) }]] },
  ];
  const reports = servers.map((s) => report(s.name, s.address, s.probes, s.findings, 0));
  for (let i = 0; i < n - servers.length; i++) {
    const me = addr(100 + i);
    const pick = i % 4;
    const findings = [finding('single-upstream', '/etc/chrony/chrony.conf', 'info'), finding('no-clock-control', 'chronyd[1]', 'warning')];
    let probes;
    if (pick === 0) {
      probes = [[addr(1), null]];
      findings.unshift(finding('firewall-reject', addr(1)), finding('source-unreachable', addr(1)));
    } else if (pick === 1) {
      probes = [[addr(2), { stratum: 16, leap: 3, refid: 'INIT' }]];
      findings.unshift(finding('server-unsynchronized', addr(2)));
    } else if (pick === 2) probes = [[addr(3), { stratum: 4, leap: 0, refid: addr(4) }]];
    else probes = [[i % 8 === 3 ? '216.239.35.0' : '192.0.2.123', { stratum: 1, leap: 0, refid: 'GPS' }]];
    const offset = i === 7 ? 31_566_952.6 : ((i * 37) % 11) * 1e-4;
    if (i === 7) findings.unshift(finding('large-offset', probes[0][0], 'error'));
    reports.push(report(`client-${i}`, me, probes, findings, offset));
  }
  return reports;
}

function report(name, address, probes, findings, offset) {
  const exchanges = [];
  const inputs = [{ kind: 'node', name, daemons: ['chronyd[1]'], configs: ['/etc/chrony/chrony.conf'], firewall: ['nftables'], addresses: [address, 'fe80::1'] }];
  for (const [server, reply] of probes) {
    inputs.push({ kind: 'probe', name: `${server}:123`, from: '/etc/chrony/chrony.conf:3', samples: 3, replies: reply ? 3 : 0 });
    for (let i = 1; i <= 3; i++) exchanges.push(exchange(address, server, i, reply, !reply, offset + i * 1e-5));
  }
  return { schema: 'ntpdoctor.report/1', findings, exchanges, exchangesOmitted: 0, inputs };
}
