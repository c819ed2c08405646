/**
 * nts-ke-failure proven on real chrony (issue 12 item 4): a chronyd NTS server (ntsserverkey/ntsservercert, a
 * self-signed certificate made here with openssl, SAN DNS:nts.example.test) in one namespace, a chronyd client
 * (`server nts.example.test iburst nts`, the name from /etc/netns/NS/hosts, resolv.conf at 127.0.0.1) in another.
 * Both run `chronyd -u root -x -d` under setpriv without CAP_SYS_TIME, with their own pid, socket and dump paths.
 * Cases: healthy; TCP 4460 rejected with a TCP reset (nftables); dropped; a certificate the client does not trust.
 * In each: chronyc authdata as ntpdoctor parses it, ntpdoctor's own KE probe (run inside the client namespace), and
 * `ntpdoctor diagnose` in the client namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { parseChronycAuthdata, type AuthdataRow } from '../../src/inspect/daemon/authdata.js';
import type { NtsKeResult } from '../../src/probe/nts-ke.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, ROOT } from './_lab.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable(['chronyd', 'chronyc', 'openssl', 'nft', 'setpriv', 'ss']);
if (why) process.stderr.write(`SKIPPED: NTS lab (${why})\n`);

const NAME = 'nts.example.test';

describe.skipIf(why !== undefined)('nts-ke-failure against real chronyd NTS server and client', () => {
  const lab = new Lab('nts');
  const etcNetns = `/etc/netns/${lab.cli}`;
  let probeJs = '';
  let server: ChildProcess | undefined;

  const cert = (name: string, cn: string) =>
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(lab.dir, `${name}.key`), '-out', join(lab.dir, `${name}.pem`), '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`], { stdio: 'ignore' });

  const tcpListening = (ns: string, port: number) => spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim() !== '';

  const nft = (rule: string | undefined) => {
    spawnSync('ip', ['netns', 'exec', lab.srv, 'nft', 'delete', 'table', 'inet', 'ntsx']);
    if (!rule) return;
    lab.exec(lab.srv, ['nft', '-f', '-'], `table inet ntsx {\n chain in {\n  type filter hook input priority 0;\n  tcp dport 4460 ${rule}\n }\n}\n`);
  };

  beforeAll(async () => {
    ensureCli();
    lab.up();
    cert('server', NAME);
    cert('other', 'other.example.test');
    for (const d of ['srvdump', 'clidump']) mkdirSync(join(lab.dir, d), { mode: 0o700 });
    writeFileSync(
      join(lab.dir, 'srv.conf'),
      ['local stratum 3', 'allow all', `ntsserverkey ${lab.dir}/server.key`, `ntsservercert ${lab.dir}/server.pem`, `ntsdumpdir ${lab.dir}/srvdump`, `pidfile ${lab.dir}/srv.pid`, `bindcmdaddress ${lab.dir}/srv.sock`, 'cmdport 0', ''].join('\n'),
    );
    mkdirSync(etcNetns, { recursive: true });
    writeFileSync(join(etcNetns, 'hosts'), `127.0.0.1 localhost\n${NODE0} ${NAME}\n`);
    writeFileSync(join(etcNetns, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    // ntpdoctor's probe as a script the client namespace can run (the test process itself is outside it).
    writeFileSync(
      join(lab.dir, 'probe.ts'),
      `import { probeNtsKe } from ${JSON.stringify(join(ROOT, 'src/probe/nts-ke.ts'))};\nimport { readFileSync } from 'node:fs';\nconst [addr, name, ca] = process.argv.slice(2);\nconsole.log(JSON.stringify(await probeNtsKe(addr, { serverName: name, ca: [readFileSync(ca, 'utf8')], systemCa: false, timeoutMs: 3000 })));\n`,
    );
    probeJs = join(lab.dir, 'probe.mjs');
    execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [join(lab.dir, 'probe.ts'), '--bundle', '--platform=node', '--format=esm', `--outfile=${probeJs}`], { stdio: 'ignore', timeout: 60_000 });
    const s = lab.spawn('server', lab.srv, ['chronyd', '-u', 'root', '-x', '-d', '-f', join(lab.dir, 'srv.conf')]);
    server = s;
    await lab.until(20, 'chronyd NTS-KE on TCP 4460 and NTP on UDP 123', () => {
      if (s.exitCode !== null) throw new Error(`server chronyd exited: ${lab.log('server')}`);
      return tcpListening(lab.srv, 4460) && lab.udpBound(lab.srv, 123);
    });
  }, 120_000);

  afterAll(async () => {
    if (server) await lab.stop(server);
    await lab.down();
    rmSync(etcNetns, { recursive: true, force: true });
  });

  /**
   * One client run: its own config, pid, socket and dump dir; authdata (and the log) polled until `done` says the KE
   * ended. Atmp counts an attempt while it is still running, so a failure is only certain with its log line.
   */
  async function clientCase(tag: string, trust: string, done: (a: AuthdataRow | undefined, log: string) => boolean): Promise<{ auth: AuthdataRow[]; probe: NtsKeResult; report: Report; ms: number; log: string; text: string }> {
    const dump = join(lab.dir, `dump-${tag}`);
    mkdirSync(dump, { mode: 0o700 });
    const conf = join(lab.dir, `client-${tag}.conf`);
    const sock = join(lab.dir, `client-${tag}.sock`);
    writeFileSync(conf, [`server ${NAME} iburst nts`, `ntstrustedcerts ${trust}`, `ntsdumpdir ${dump}`, `pidfile ${lab.dir}/client-${tag}.pid`, `bindcmdaddress ${sock}`, 'cmdport 0', ''].join('\n'));
    const c = lab.spawn(`client-${tag}`, lab.cli, ['chronyd', '-u', 'root', '-x', '-d', '-f', conf]);
    try {
      const authdata = (flag: string) => lab.run(lab.cli, ['chronyc', '-h', sock, '-c', flag, 'authdata']).stdout;
      let auth: AuthdataRow[] = [];
      // chronyd's KE attempt: a refusal or TLS failure ends in ~1 s, a dropped SYN takes its own connect timeout.
      await lab.until(40, `client ${tag}: an NTS-KE attempt in authdata`, () => {
        if (c.exitCode !== null) throw new Error(`client chronyd exited: ${lab.log(`client-${tag}`)}`);
        auth = parseChronycAuthdata(authdata('-n'), authdata('-N'));
        return done(auth[0], lab.log(`client-${tag}`));
      });
      const p = lab.run(lab.cli, ['node', probeJs, NODE0, NAME, trust]);
      const probe = JSON.parse(p.stdout) as NtsKeResult;
      const d = lab.run(lab.cli, ['node', CLI, 'diagnose', '--json', '--config', conf]);
      expect(d.stderr, 'diagnose wrote to stderr').toBe('');
      // The text report as a user reads it (NO_COLOR: plain).
      const text = lab.run(lab.cli, ['env', 'NO_COLOR=1', 'node', CLI, 'diagnose', '--config', conf]).stdout;
      return { auth, probe, report: parseReport<Report>(d.stdout), ms: d.ms, log: lab.log(`client-${tag}`), text };
    } finally {
      await lab.stop(c);
    }
  }

  const nts = (r: Report) => r.findings.filter((f) => f.rule === 'nts-ke-failure');

  it('healthy: KE completes, authdata shows cookies, the probe gets them, no finding', async () => {
    nft(undefined);
    const r = await clientCase('ok', join(lab.dir, 'server.pem'), (a) => (a?.cookies ?? 0) > 0);
    expect(r.auth[0]).toMatchObject({ address: NODE0, name: NAME, mode: 'NTS', type: 15 });
    expect(r.auth[0]!.cookies).toBeGreaterThan(0);
    expect(r.auth[0]!.keyId).toBeGreaterThan(0);
    expect(r.probe).toMatchObject({ outcome: 'ok', stage: 'ok', tlsVersion: 'TLSv1.3', alpn: 'ntske/1', response: { nextProtocols: [0], aead: [15] } });
    expect(r.probe.response!.cookies).toBeGreaterThan(0);
    expect(nts(r.report)).toEqual([]);
  }, 90_000);

  it('TCP 4460 rejected with a TCP reset: refused everywhere, firewall fixes for 4460, explains ^?', async () => {
    nft('reject with tcp reset');
    const r = await clientCase('reset', join(lab.dir, 'server.pem'), (a, log) => (a?.attempts ?? 0) > 0 && log.includes('Could not connect'));
    expect(r.log).toMatch(/Could not connect to 198\.51\.100\.100:4460 \(nts\.example\.test\) : Connection refused/);
    expect(r.auth[0]).toMatchObject({ keyId: 0, cookies: 0, attempts: 1 });
    expect(r.probe).toMatchObject({ outcome: 'refused', stage: 'connect' });
    const [f] = nts(r.report);
    expect(f?.title).toMatch(/nts\.example\.test \(198\.51\.100\.100\) fails: TCP port refused/);
    expect(f?.fixes.flatMap((x) => x.commands)).toContain('firewall-cmd --permanent --add-port=4460/tcp');
    expect(r.report.findings.some((x) => x.rule === 'source-unreachable' && x.subject === NODE0)).toBe(false);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.text).toContain('firewall-cmd --permanent --add-port=4460/tcp');
    expect(r.text).toMatch(/nts-ke-failure/);
  }, 90_000);

  it('TCP 4460 dropped: the probe times out, authdata shows the failed attempt', async () => {
    nft('drop');
    const r = await clientCase('drop', join(lab.dir, 'server.pem'), (a) => (a?.attempts ?? 0) > 0);
    expect(r.auth[0]).toMatchObject({ keyId: 0, cookies: 0 });
    expect(r.probe).toMatchObject({ outcome: 'timeout', stage: 'connect' });
    expect(nts(r.report)[0]?.title).toMatch(/no answer on the TCP port/);
    expect(r.ms).toBeLessThan(10_000);
  }, 90_000);

  it('a certificate the client does not trust: untrusted, self-signed shown, ntstrustedcerts fix', async () => {
    nft(undefined);
    const r = await clientCase('untrusted', join(lab.dir, 'other.pem'), (a, log) => (a?.attempts ?? 0) > 0 && log.includes('TLS handshake'));
    expect(r.log).toMatch(/TLS handshake with 198\.51\.100\.100:4460 \(nts\.example\.test\) failed : .*NOT trusted/);
    expect(r.auth[0]).toMatchObject({ keyId: 0, cookies: 0, attempts: 1 });
    expect(r.probe).toMatchObject({ outcome: 'untrusted', stage: 'certificate', certificate: { subject: NAME, selfSigned: true } });
    const [f] = nts(r.report);
    expect(f?.title).toMatch(/certificate is not trusted here/);
    expect(f?.evidence.map((e) => e.text).join('\n')).toContain('other.pem');
    expect(f?.fixes.flatMap((x) => x.commands).some((c) => c.includes('ntstrustedcerts /etc/chrony/nts-ca.crt'))).toBe(true);
  }, 90_000);
});
