// Used by fixtures/capture/make-fixtures.sh: swap-endian-cli IN OUT (pcap or pcapng, little-endian in).
import { readFileSync, writeFileSync } from 'node:fs';
import { pcapngToBigEndian, pcapToBigEndian } from './swap-endian.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: swap-endian-cli IN OUT');
const bytes = new Uint8Array(readFileSync(input));
const isPcapng = bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
writeFileSync(output, isPcapng ? pcapngToBigEndian(bytes) : pcapToBigEndian(bytes));
