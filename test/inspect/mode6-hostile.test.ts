/**
 * The local-ntpd read (src/inspect/daemon/mode6.ts readNtpdState, what `diagnose` does on a node running ntpd)
 * against a responder on port 123 that never finishes its answer (test/probe/hostile-responder.mjs, on loopback):
 * the one capped mode 6 reader (src/probe/control.ts controlQuery) must stop it at MAXFRAGS fragments, at
 * MAX_DATAGRAMS datagrams, at MAX_DATA_BYTES octets, or at the query's timeout, and readNtpdState must report it as
 * a Mode6Error (a gap in the node's inspection), never hang or gather without end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { MAX_ASSOCIATIONS, Mode6Error, readNtpdState } from '../../src/inspect/daemon/mode6.js';
import { askNtpd } from '../../src/inspect/daemon/gather.js';
import { controlQuery, CTL_OP_READVAR, MAX_DATA_BYTES, MAX_DATAGRAMS, MAX_FRAGMENTS } from '../../src/probe/control.js';
import { createClock } from '../../src/net/clock.js';

const RESPONDER = new URL('../probe/hostile-responder.mjs', import.meta.url).pathname;

let child: ChildProcess | undefined;
let sockets: dgram.Socket[] = [];

afterEach(async () => {
  // Stopped by its own handle (its PID), even when the test failed.
  if (child && child.exitCode === null) {
    const c = child;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGTERM');
    });
  }
  child = undefined;
  for (const s of sockets) s.close();
  sockets = [];
});

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts the hostile responder on 127.0.0.1 and waits (bounded) for its "listening" line. */
async function hostile(server: Record<string, unknown>): Promise<number> {
  const port = await freePort();
  const config = { lifetime: 60, servers: [{ address: '127.0.0.1', port, stratum: 3, refid: '198.51.100.1', srcadr: ['198.51.100.1'], ...server }] };
  const c = spawn(process.execPath, [RESPONDER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = c;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('hostile responder did not start within 20 s')), 20_000);
    c.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('listening')) clearTimeout(t), resolve();
    });
    c.once('exit', (code) => (clearTimeout(t), reject(new Error(`hostile responder exited (${code})`))));
  });
  return port;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the read succeeded');
}

describe('readNtpdState against a responder that never clears the More bit', () => {
  it('a flood of new fragments for the system variables stops at MAXFRAGS (ntpq.c ERR_TOOMUCH)', async () => {
    const port = await hostile({ stall: 'flood', stallSys: true });
    const err = await failure(readNtpdState('127.0.0.1', port, 5000));
    expect(err).toBeInstanceOf(Mode6Error);
    expect(err.message).toContain(`more than ${MAX_FRAGMENTS} fragments`);
  });

  it('the same fragment over and over stops at MAX_DATAGRAMS', async () => {
    const port = await hostile({ stall: 'dup', stallSys: true });
    const err = await failure(readNtpdState('127.0.0.1', port, 5000));
    expect(err).toBeInstanceOf(Mode6Error);
    expect(err.message).toContain(`more than ${MAX_DATAGRAMS} datagrams`);
  });

  it('a slow trickle of fragments stops at the query timeout, incomplete', async () => {
    const port = await hostile({ stall: 'slow', stallSys: true });
    const started = performance.now();
    const err = await failure(readNtpdState('127.0.0.1', port, 1000));
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(Mode6Error);
    expect(err.message).toContain('incomplete answer');
    // One timeout (1 s), not the responder's 10 s stall: bound generous for a loaded machine.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(8000);
  });

  it('associations whose READVAR never finishes: the read fails at the cap instead of gathering them', async () => {
    const port = await hostile({ stall: 'flood' });
    const err = await failure(readNtpdState('127.0.0.1', port, 5000));
    expect(err).toBeInstanceOf(Mode6Error);
    expect(err.message).toContain(`more than ${MAX_FRAGMENTS} fragments`);
  });
});

describe('the one capped controlQuery', () => {
  it('counts at most MAXFRAGS + 1 answers from a flood, and a fragment past MAX_DATA_BYTES ends the answer', async () => {
    const port = await hostile({ stall: 'flood', stallSys: true });
    const a = await controlQuery('127.0.0.1', 4, port, CTL_OP_READVAR, 0, createClock(), 5000);
    expect(a).toMatchObject({ kind: 'none', why: `more than ${MAX_FRAGMENTS} fragments` });
    expect(a.responses).toBe(MAX_FRAGMENTS + 1);

    // One fragment (More set) whose data would land past ntpq's buffer: refused at once, not waited on.
    const s = dgram.createSocket('udp4');
    sockets.push(s);
    s.on('message', (req, rinfo) => {
      const data = Buffer.alloc(8, 0x41);
      const b = Buffer.alloc(12 + data.length);
      b[0] = (2 << 3) | 6;
      b[1] = 0x80 | 0x20 | ((req[1] as number) & 0x1f);
      req.copy(b, 2, 2, 4);
      b.writeUInt16BE(MAX_DATA_BYTES - 4, 8);
      b.writeUInt16BE(data.length, 10);
      data.copy(b, 12);
      s.send(b, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const started = performance.now();
    const past = await controlQuery('127.0.0.1', 4, s.address().port, CTL_OP_READVAR, 0, createClock(), 5000);
    expect(past).toMatchObject({ kind: 'none', why: `data past ${MAX_DATA_BYTES} octets`, responses: 1 });
    expect(performance.now() - started).toBeLessThan(4500);
  });

  it('a budget shorter than the timeout ends the query when it is spent', async () => {
    const port = await hostile({ stall: 'slow', stallSys: true });
    const end = performance.now() + 600;
    const leftMs = (): number => Math.max(0, end - performance.now());
    const budget = { leftMs, get spent() { return leftMs() < 50; } };
    const started = performance.now();
    const a = await controlQuery('127.0.0.1', 4, port, CTL_OP_READVAR, 0, createClock(), 10_000, budget);
    expect(a).toMatchObject({ kind: 'none', why: 'incomplete answer' });
    expect(performance.now() - started).toBeLessThan(8000);
  });
});

describe('readNtpdState against a READSTAT that lists more associations than it reads', () => {
  /** A loopback responder whose READSTAT lists `count` associations; each READVAR answered at once. */
  async function lister(count: number, asked = new Set<number>()): Promise<number> {
    const s = dgram.createSocket('udp4');
    sockets.push(s);
    const reply = (req: Buffer, data: Buffer): Buffer => {
      const b = Buffer.alloc(12 + data.length);
      b[0] = (2 << 3) | 6;
      b[1] = 0x80 | ((req[1] as number) & 0x1f);
      req.copy(b, 2, 2, 4);
      req.copy(b, 6, 6, 8);
      b.writeUInt16BE(data.length, 10);
      data.copy(b, 12);
      return b;
    };
    s.on('message', (req, rinfo) => {
      const opcode = (req[1] as number) & 0x1f;
      const assoc = req.readUInt16BE(6);
      if (opcode === 1) {
        // Up to 116 associations (464 octets, one fragment under CTL_MAX_DATA_LEN).
        const d = Buffer.alloc(count * 4);
        for (let i = 0; i < count; i++) d.writeUInt16BE(i + 1, i * 4), d.writeUInt16BE(0x9614, i * 4 + 2);
        return s.send(reply(req, d), rinfo.port, rinfo.address);
      }
      if (assoc !== 0) asked.add(assoc);
      const text = assoc === 0 ? 'version="ntpd 4.2.8p15", stratum=3, peer=1' : `srcadr=198.51.100.${assoc % 250}, stratum=2`;
      s.send(reply(req, Buffer.from(`${text}\r\n`, 'latin1')), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return s.address().port;
  }

  it('asks for the variables of the first MAX_ASSOCIATIONS only, and counts every one listed', async () => {
    const asked = new Set<number>();
    const state = await readNtpdState('127.0.0.1', await lister(116, asked), 5000);
    expect(state.system.version).toBe('ntpd 4.2.8p15');
    expect(state.peers).toHaveLength(MAX_ASSOCIATIONS);
    expect(state.listed).toBe(116);
    expect(asked.size).toBe(MAX_ASSOCIATIONS);
    expect(state.peers[0]?.vars.srcadr).toBe('198.51.100.1');
  });

  it('askNtpd reports the cut as a gap (inspection-incomplete), not silently', async () => {
    const d = { name: 'ntpd' as const, pid: 4242, argv: ['ntpd'] };
    const cut = await askNtpd({ ...d }, 1_700_000_000, 5000, '127.0.0.1', await lister(116));
    expect(cut.states[0]!.sources).toHaveLength(MAX_ASSOCIATIONS);
    expect(cut.gaps).toEqual([
      {
        what: `ntpd (pid 4242) associations ${MAX_ASSOCIATIONS + 1}–116 of 116`,
        why: `READSTAT listed 116 associations; ntpdoctor reads the first ${MAX_ASSOCIATIONS} only (a bound against a hostile or broken responder), so the sources past them were not judged: \`ntpq -pn\` lists them all`,
      },
    ]);
    const whole = await askNtpd({ ...d }, 1_700_000_000, 5000, '127.0.0.1', await lister(MAX_ASSOCIATIONS));
    expect(whole.states[0]!.sources).toHaveLength(MAX_ASSOCIATIONS);
    expect(whole.gaps).toEqual([]);
  });
});
