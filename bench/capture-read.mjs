#!/usr/bin/env node
/**
 * Capture reader throughput: records/s on a warm (page-cached) file of 100-byte packets.
 *
 *   node bench/capture-read.mjs [--records N] [--dir DIR] [--tcpdump]
 *
 * Bundles src/capture/read.ts with esbuild into bench/out/ (gitignored), writes a pcap (µs) and a pcapng
 * (ns, EPB) of N NTP-over-UDP frames padded to 100 bytes into DIR (default /tmp/ndcap-bench, reused across
 * runs), reads each once to warm the page cache, then reports the best and median of 5 timed reads, for a
 * sink that reads only the record fields and for one that also takes `record.data` (a view per record).
 * --tcpdump also times `tcpdump -r F -n udp port 123` (output to /dev/null) on the same pcap, for reference.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const records = Number(option('--records', 5_000_000));
const dir = option('--dir', '/tmp/ndcap-bench');
const PACKET = 100;

const outfile = join(root, 'bench', 'out', 'capture-read.mjs');
await build({
  entryPoints: [join(root, 'src', 'capture', 'read.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  logLevel: 'warning',
});
const { readCapture } = await import(pathToFileURL(outfile).href);

/** Ethernet + IPv4 + UDP 123 + a 48-byte NTP client request, zero-padded to 100 bytes. */
function frame() {
  const f = Buffer.alloc(PACKET);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + 8 + 48, 16);
  f[22] = 64;
  f[23] = 17;
  f.writeUInt32BE(0xc6336401, 26); // 198.51.100.1
  f.writeUInt32BE(0xc6336464, 30); // 198.51.100.100
  f.writeUInt16BE(40123, 34);
  f.writeUInt16BE(123, 36);
  f.writeUInt16BE(8 + 48, 38);
  f[42] = 0x23;
  return f;
}

function writeInBatches(path, header, recordSize, fill) {
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  const batch = 50_000;
  const buf = Buffer.alloc(batch * recordSize);
  for (let done = 0; done < records; done += batch) {
    const n = Math.min(batch, records - done);
    for (let i = 0; i < n; i++) fill(buf, i * recordSize, done + i);
    writeSync(fd, buf, 0, n * recordSize);
  }
  closeSync(fd);
}

function makePcap(path) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const f = frame();
  writeInBatches(path, header, 16 + PACKET, (buf, at, i) => {
    buf.writeUInt32LE(1_795_000_000 + Math.floor(i / 1000), at);
    buf.writeUInt32LE((i % 1000) * 1000, at + 4);
    buf.writeUInt32LE(PACKET, at + 8);
    buf.writeUInt32LE(PACKET, at + 12);
    f.copy(buf, at + 16);
  });
}

function makePcapng(path) {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeBigInt64LE(-1n, 16);
  shb.writeUInt32LE(28, 24);
  const idb = Buffer.alloc(32); // link type 1, snaplen, if_tsresol = 9 (ns)
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(32, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(262144, 12);
  idb.writeUInt16LE(9, 16);
  idb.writeUInt16LE(1, 18);
  idb[20] = 9;
  idb.writeUInt32LE(28, 24 - 4 + 4); // opt_endofopt at 24 (zeros), then trailing length
  idb.writeUInt32LE(32, 28);
  const f = frame();
  const size = 32 + PACKET;
  writeInBatches(path, Buffer.concat([shb, idb]), size, (buf, at, i) => {
    const ns = 1_795_000_000_000_000_000n + BigInt(i) * 1000n;
    buf.writeUInt32LE(6, at);
    buf.writeUInt32LE(size, at + 4);
    buf.writeUInt32LE(0, at + 8);
    buf.writeUInt32LE(Number(ns >> 32n), at + 12);
    buf.writeUInt32LE(Number(ns & 0xffffffffn), at + 16);
    buf.writeUInt32LE(PACKET, at + 20);
    buf.writeUInt32LE(PACKET, at + 24);
    f.copy(buf, at + 28);
    buf.writeUInt32LE(size, at + 28 + PACKET);
  });
}

mkdirSync(dir, { recursive: true });
const files = { pcap: join(dir, `bench-${records}.pcap`), pcapng: join(dir, `bench-${records}.pcapng`) };
if (!existsSync(files.pcap)) makePcap(files.pcap);
if (!existsSync(files.pcapng)) makePcapng(files.pcapng);

let sinkTotal = 0;
const fieldsOnly = (r) => {
  sinkTotal += r.capturedLength + r.tsNsec;
};
const withData = (r) => {
  sinkTotal += r.data[36];
};

async function time(path, sink) {
  const t0 = process.hrtime.bigint();
  const result = await readCapture(path, sink);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (result.frames !== records || result.stop) throw new Error(`read ${result.frames} of ${records}: ${JSON.stringify(result.stop)}`);
  return seconds;
}

console.log(`node ${process.version}, ${records} records of ${PACKET} bytes`);
for (const [format, path] of Object.entries(files)) {
  const mb = statSync(path).size / 1e6;
  await time(path, fieldsOnly); // warm the page cache and the JIT
  for (const [label, sink] of [['fields', fieldsOnly], ['fields+data', withData]]) {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await time(path, sink));
    runs.sort((a, b) => a - b);
    const best = runs[0];
    const median = runs[2];
    console.log(
      `${format.padEnd(6)} ${label.padEnd(11)} best ${(records / best / 1e6).toFixed(1)} M records/s ` +
        `(${(mb / best).toFixed(0)} MB/s), median ${(records / median / 1e6).toFixed(1)} M records/s`,
    );
  }
}
if (args.includes('--tcpdump')) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('tcpdump', ['-r', files.pcap, '-n', 'udp', 'port', '123'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`tcpdump -r F -n udp port 123 >/dev/null: ${seconds.toFixed(2)} s (${(records / seconds / 1e6).toFixed(2)} M records/s, exit ${r.status})`);
}
if (sinkTotal === 0) execFileSync('true');
