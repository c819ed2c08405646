// Server benchmark (issue 3): our `ntpdoctor serve` beside real chronyd (-x, its own port, allow 127.0.0.1) in the
// same run, LOOPBACK ONLY, bounded in count and time. Run after `npx tsup`: `node bench/serve.mjs [--quick]`.
//  1. throughput: a windowed closed-loop load (each reply triggers the next request) of N requests to each server,
//     rate limit off on ours (chronyd has none unless `ratelimit` is set); requests/s, RSS before/after.
//  2. abuse: ≥ 200k requests flooded from 127.0.0.3 at our server with its rate limit ON, while a polite client on
//     127.0.0.2 polls every 250 ms: the polite client must be answered, the flooder cut to its rate plus the leak
//     (1 in 4 over-limit requests answered, chrony's `ratelimit leak 2`: a flood spoofing a client's address must
//     not cut that client off), no reply longer than its request, RSS flat.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 50_000 : 200_000;
const FLOOD = quick ? 50_000 : 200_000;
const TIME_LIMIT_S = 30; // per phase, whatever happens
const LOOPBACK = '127.0.0.1';
const NO_CLOCK = ['setpriv', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--'];

if (!existsSync(cli)) {
  console.error('bench/serve.mjs: dist/cli.js missing: run npx tsup first');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'ndprb-bench-'));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A 48-octet client request (RFC 5905 §7.3: LI 0, VN 4, mode 3); `id` in the transmit timestamp. */
function request(id) {
  const b = Buffer.alloc(48);
  b[0] = 0x23;
  b.writeUInt32BE(0xeeaa0000 + (id >>> 16), 40);
  b.writeUInt32BE(id >>> 0, 44);
  return b;
}

function freePort() {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, LOOPBACK, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Waits (bounded) until the server at port answers one request. */
async function waitAnswer(port, timeoutMs = 10_000) {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, LOOPBACK, r));
  let ok = false;
  s.on('message', () => (ok = true));
  const end = Date.now() + timeoutMs;
  while (!ok && Date.now() < end) {
    s.send(request(1), port, LOOPBACK);
    await sleep(100);
  }
  s.close();
  if (!ok) throw new Error(`server on ${port} never answered`);
}

/**
 * Closed-loop load: `sockets` sockets each keep `window` requests in flight; a reply sends the next. Lost
 * requests are topped up every 20 ms. Stops after `total` requests or TIME_LIMIT_S.
 */
async function load(port, total, { sockets = Number(process.env.BENCH_SOCKETS ?? 4), window = Number(process.env.BENCH_WINDOW ?? 32) } = {}) {
  let sent = 0;
  let received = 0;
  let oversized = 0;
  const socks = [];
  const inflight = [];
  const t0 = process.hrtime.bigint();
  let done;
  const finished = new Promise((r) => (done = r));
  for (let i = 0; i < sockets; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise((r) => s.bind(0, LOOPBACK, r));
    inflight.push(0);
    s.on('message', (m) => {
      received++;
      inflight[i]--;
      if (m.length > 48) oversized++;
      if (sent < total) {
        s.send(request(sent++), port, LOOPBACK);
        inflight[i]++;
      } else if (received >= total || inflight.every((n) => n <= 0)) done();
    });
    socks.push(s);
  }
  let lastReceived = -1;
  const topUp = setInterval(() => {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    if (elapsed > TIME_LIMIT_S || sent >= total) {
      if (elapsed > TIME_LIMIT_S || received === lastReceived) done();
    }
    if (received === lastReceived) {
      // No progress in 20 ms: the window's requests were lost (socket buffer); start them again.
      socks.forEach((s, i) => {
        inflight[i] = 0;
        for (let k = 0; k < window && sent < total; k++, sent++, inflight[i]++) s.send(request(sent), port, LOOPBACK);
      });
    }
    lastReceived = received;
  }, 20);
  socks.forEach((s, i) => {
    for (let k = 0; k < window && sent < total; k++, sent++, inflight[i]++) s.send(request(sent), port, LOOPBACK);
  });
  await finished;
  clearInterval(topUp);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const s of socks) s.close();
  return { sent, received, seconds, perSecond: received / seconds, oversized };
}

async function startOurs(port, extra) {
  const child = spawn('node', [cli, 'serve', '--listen', `${LOOPBACK}:${port}`, '--json', '--duration', '120', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.resume();
  await waitAnswer(port);
  return { child, stats: () => out };
}

function startChronyd(port) {
  const conf = join(dir, 'chrony.conf');
  writeFileSync(
    conf,
    [`port ${port}`, `bindaddress ${LOOPBACK}`, `allow ${LOOPBACK}`, 'local stratum 10', 'cmdport 0', `pidfile ${join(dir, 'chronyd.pid')}`, `driftfile ${join(dir, 'chronyd.drift')}`].join('\n') + '\n',
  );
  // -u root: keep the temp files writable; -x: never touch the clock; setpriv: cannot, even if it tried.
  const child = spawn(NO_CLOCK[0], [...NO_CLOCK.slice(1), 'chronyd', '-x', '-d', '-u', 'root', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  children.push(child);
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

async function abuse(port, pid) {
  const flooder = dgram.createSocket('udp4');
  await new Promise((r) => flooder.bind(0, '127.0.0.3', r));
  let floodOk = 0;
  let floodKod = 0;
  let oversized = 0;
  flooder.on('message', (m) => {
    if (m.length > 48) oversized++;
    if (m[1] === 0) floodKod++;
    else floodOk++;
  });
  const polite = dgram.createSocket('udp4');
  await new Promise((r) => polite.bind(0, '127.0.0.2', r));
  let politeSent = 0;
  let politeOk = 0;
  polite.on('message', (m) => {
    if (m[1] !== 0) politeOk++;
  });
  const rssBefore = rssMiB(pid);
  const t0 = Date.now();
  const politeTimer = setInterval(() => {
    politeSent++;
    polite.send(request(politeSent), port, LOOPBACK);
  }, 250);
  let sent = 0;
  while (sent < FLOOD && Date.now() - t0 < TIME_LIMIT_S * 1000) {
    // Batches with a yield: a flood the kernel can take, not one it drops on our side before it is sent.
    for (let k = 0; k < 200 && sent < FLOOD; k++) flooder.send(request(sent++), port, LOOPBACK);
    await new Promise((r) => setImmediate(r));
  }
  const floodSeconds = (Date.now() - t0) / 1000;
  await sleep(600);
  clearInterval(politeTimer);
  await sleep(300);
  const rssAfter = rssMiB(pid);
  flooder.close();
  polite.close();
  return { sent, floodSeconds, floodOk, floodKod, politeSent, politeOk, oversized, rssBefore, rssAfter };
}

const report = {};
try {
  // Phase 1: throughput, ours then chronyd, same load.
  const ourPort = await freePort();
  const ours = await startOurs(ourPort, ['--rate-limit', 'off']);
  await load(ourPort, 5000); // warm-up (JIT)
  const oursRssBefore = rssMiB(ours.child.pid);
  const oursLoad = await load(ourPort, REQUESTS);
  const oursRssAfter = rssMiB(ours.child.pid);
  await stop(ours.child);
  report.ours = { ...oursLoad, rssBeforeMiB: oursRssBefore, rssAfterMiB: oursRssAfter };

  const hasChronyd = spawnSync('sh', ['-c', 'command -v chronyd']).status === 0;
  if (hasChronyd) {
    const chronyPort = await freePort();
    const chronyd = startChronyd(chronyPort);
    await waitAnswer(chronyPort);
    await load(chronyPort, 5000);
    report.chronyd = await load(chronyPort, REQUESTS);
    await stop(chronyd);
  } else {
    report.chronyd = { skipped: 'chronyd not installed' };
  }

  // Phase 2: abuse with the rate limit on.
  const abusePort = await freePort();
  const limited = await startOurs(abusePort, []);
  report.abuse = await abuse(abusePort, limited.child.pid);
  await stop(limited.child);
  try {
    report.abuse.serverStats = JSON.parse(limited.stats().trim().split('\n').pop());
  } catch {
    /* no stats line */
  }
} finally {
  for (const c of children) await stop(c);
  rmSync(dir, { recursive: true, force: true });
}

const o = report.ours;
const c = report.chronyd;
const a = report.abuse;
const f = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
console.log('serve benchmark (loopback only)');
console.log(`  ours    : ${f(o.received)} replies to ${f(o.sent)} requests in ${f(o.seconds, 2)} s = ${f(o.perSecond)} req/s; RSS ${f(o.rssBeforeMiB, 1)} → ${f(o.rssAfterMiB, 1)} MiB; replies > request: ${o.oversized}`);
if (c.perSecond) {
  console.log(`  chronyd : ${f(c.received)} replies to ${f(c.sent)} requests in ${f(c.seconds, 2)} s = ${f(c.perSecond)} req/s`);
  console.log(`  ratio   : ours / chronyd = ${(o.perSecond / c.perSecond).toFixed(2)} (target ≥ 0.5)`);
} else console.log(`  chronyd : ${c.skipped}`);
console.log(
  `  abuse   : ${f(a.sent)} flood requests in ${f(a.floodSeconds, 1)} s from 127.0.0.3 → ${a.floodOk} answers, ${a.floodKod} KoD RATE; ` +
    `polite client 127.0.0.2: ${a.politeOk}/${a.politeSent} answered; replies > request: ${a.oversized}; RSS ${f(a.rssBefore, 1)} → ${f(a.rssAfter, 1)} MiB`,
);
if (a.serverStats) console.log(`  server  : ${JSON.stringify(a.serverStats.stats)}`);
const ok =
  o.oversized === 0 &&
  a.oversized === 0 &&
  a.politeOk >= a.politeSent - 1 &&
  a.sent >= FLOOD &&
  (!c.perSecond || o.perSecond >= 0.5 * c.perSecond);
console.log(`  verdict : ${ok ? 'PASS' : 'FAIL'}`);
process.exitCode = ok ? 0 : 1;
