/**
 * Byte-swaps a little-endian pcap or pcapng file into its big-endian twin, field by field, so the capture
 * fixtures have big-endian versions of real captures (no tool here writes big-endian files: they come from
 * big-endian hosts). Tshark and pcap-parser read the results back as a check (capture-oracle tests).
 *
 * pcap: draft-ietf-opsawg-pcap §4–5. pcapng: draft-ietf-opsawg-pcapng §3–4; option values are swapped by
 * their registered types; packet data and strings never are.
 */

type Kind = 'u8' | 'u16' | 'u32' | 'u64' | 'u32x2' | 'bytes';

const OPTIONS: Record<number, Record<number, Kind>> = {
  // SHB §4.1: shb_hardware 2, shb_os 3, shb_userappl 4 (strings).
  0x0a0d0d0a: {},
  // IDB §4.2: if_speed 8, if_tsresol 9, if_tzone 10, if_fcslen 13, if_tsoffset 14, if_txspeed 16, if_rxspeed 17.
  1: { 8: 'u64', 9: 'u8', 10: 'u32', 13: 'u8', 14: 'u64', 16: 'u64', 17: 'u64' },
  // EPB §4.3: epb_flags 2, epb_dropcount 4, epb_packetid 5, epb_queue 6.
  6: { 2: 'u32', 4: 'u64', 5: 'u64', 6: 'u32' },
  // ISB §4.6: isb_starttime 2, isb_endtime 3 (two 32-bit halves), counters 4..8.
  5: { 2: 'u32x2', 3: 'u32x2', 4: 'u64', 5: 'u64', 6: 'u64', 7: 'u64', 8: 'u64' },
  // DSB §4.7: only comments.
  0x0a: {},
};

function swap(out: Uint8Array, at: number, kind: Kind): void {
  const width = kind === 'u16' ? 2 : kind === 'u32' ? 4 : kind === 'u64' ? 8 : 0;
  if (kind === 'u32x2') {
    swap(out, at, 'u32');
    swap(out, at + 4, 'u32');
    return;
  }
  if (width === 0) return;
  const copy = out.slice(at, at + width);
  for (let i = 0; i < width; i++) out[at + i] = copy[width - 1 - i]!;
}

export function pcapToBigEndian(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input); // a copy (Buffer#slice would share memory)
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a little-endian pcap');
  for (const [at, kind] of [[0, 'u32'], [4, 'u16'], [6, 'u16'], [8, 'u32'], [12, 'u32'], [16, 'u32'], [20, 'u32']] as const) {
    swap(out, at, kind);
  }
  let p = 24;
  while (p + 16 <= input.length) {
    const captured = view.getUint32(p + 8, true);
    for (let i = 0; i < 16; i += 4) swap(out, p + i, 'u32');
    p += 16 + captured;
  }
  if (p !== input.length) throw new Error('pcap does not end on a record boundary');
  return out;
}

export function pcapngToBigEndian(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input); // a copy (Buffer#slice would share memory)
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let p = 0;
  while (p < input.length) {
    const type = view.getUint32(p, true);
    const length = view.getUint32(p + 4, true);
    if (type === 0x0a0d0d0a && view.getUint32(p + 8, true) !== 0x1a2b3c4d) throw new Error('section is not little-endian');
    swap(out, p, 'u32');
    swap(out, p + 4, 'u32');
    swap(out, p + length - 4, 'u32');
    const body = p + 8;
    let options: number;
    switch (type) {
      case 0x0a0d0d0a:
        swap(out, body, 'u32');
        swap(out, body + 4, 'u16');
        swap(out, body + 6, 'u16');
        swap(out, body + 8, 'u64');
        options = body + 16;
        break;
      case 1:
        swap(out, body, 'u16');
        swap(out, body + 2, 'u16');
        swap(out, body + 4, 'u32');
        options = body + 8;
        break;
      case 6: {
        for (let i = 0; i < 20; i += 4) swap(out, body + i, 'u32');
        const captured = view.getUint32(body + 12, true);
        options = body + 20 + ((captured + 3) & ~3);
        break;
      }
      case 5:
        for (let i = 0; i < 12; i += 4) swap(out, body + i, 'u32');
        options = body + 12;
        break;
      case 0x0a: {
        swap(out, body, 'u32');
        swap(out, body + 4, 'u32');
        const secrets = view.getUint32(body + 4, true);
        options = body + 8 + ((secrets + 3) & ~3);
        break;
      }
      default:
        throw new Error(`swap-endian: no field map for block type 0x${type.toString(16)}`);
    }
    const kinds = OPTIONS[type] ?? {};
    const end = p + length - 4;
    while (options + 4 <= end) {
      const code = view.getUint16(options, true);
      const valueLength = view.getUint16(options + 2, true);
      swap(out, options, 'u16');
      swap(out, options + 2, 'u16');
      if (code === 0) break;
      swap(out, options + 4, kinds[code] ?? 'bytes');
      options += 4 + ((valueLength + 3) & ~3);
    }
    p += length;
  }
  return out;
}
