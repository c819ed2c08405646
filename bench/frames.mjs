// The one NTP/ICMP frame builder: NTP headers, UDP (checksummed, RFC 768 / RFC 8200 §8.1), IPv4 (header checksum)
// and IPv6, ICMP/ICMPv6 errors quoting a datagram, Ethernet with optional 802.1Q tags, and classic pcap records.
// Plain JS so that `npm run bench` (bench/gen-capture.mjs) runs it without a build; tests import it too, typed by
// bench/frames.d.ts. Addresses are documentation ranges in the tests and the bench (nothing is sent anywhere).

export const NTP_EPOCH = 2208988800;

/** A 48-octet NTP header (RFC 5905 §7.3). Times are Unix seconds (fractional), or null/undefined for zero. */
export function ntpHeader(o) {
  const b = new Uint8Array(48);
  const v = new DataView(b.buffer);
  b[0] = ((o.leap ?? 0) << 6) | ((o.version ?? 4) << 3) | o.mode;
  b[1] = o.stratum ?? 0;
  b[2] = (o.poll ?? 6) & 0xff;
  b[3] = (o.precision ?? -23) & 0xff;
  v.setUint32(4, o.rootDelayRaw ?? 0);
  v.setUint32(8, o.rootDispersionRaw ?? 0);
  v.setUint32(12, (o.refid ?? 0) >>> 0);
  timestamp(b, 16, o.reference);
  timestamp(b, 24, o.origin);
  timestamp(b, 32, o.receive);
  timestamp(b, 40, o.transmit);
  return b;
}

function timestamp(b, off, unix) {
  if (unix === null || unix === undefined) return;
  const s = Math.floor(unix);
  const v = new DataView(b.buffer, b.byteOffset);
  v.setUint32(off, (s + NTP_EPOCH) >>> 0);
  v.setUint32(off + 4, Math.floor((unix - s) * 4294967296) >>> 0);
}

/** Address text → octets (IPv4 dotted quad, or IPv6 with at most one `::`). */
export function addressBytes(text) {
  if (text.includes(':')) {
    const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const words = [...h, ...Array(tail === undefined ? 0 : 8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16));
    const out = new Uint8Array(16);
    words.forEach((w, i) => {
      out[2 * i] = w >> 8;
      out[2 * i + 1] = w & 0xff;
    });
    return out;
  }
  return Uint8Array.from(text.split('.').map(Number));
}

function sum16(b, start, end, acc) {
  for (let i = start; i + 1 < end; i += 2) acc += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) acc += b[end - 1] << 8;
  return acc;
}

function fold(acc) {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

/** The parts one after another in one new array (the tests' capture builders use it too). */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A UDP datagram; `checksum: false` leaves the field zero (as a quoted request's often is not). */
export function udp(src, dst, sport, dport, payload, { checksum = true } = {}) {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  const b = new Uint8Array(8 + payload.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, b.length);
  b.set(payload, 8);
  if (checksum) {
    let acc = sum16(s, 0, s.length, 0) + sum16(d, 0, d.length, 0) + 17 + b.length;
    acc = sum16(b, 0, b.length, acc);
    const c = fold(acc);
    v.setUint16(6, c === 0 ? 0xffff : c);
  }
  return b;
}

/**
 * A TCP segment (RFC 9293 §3.1: 20-octet header, no options, window 65535) src:sport → dst:dport; `flags` as the
 * header's bits (FIN 1, SYN 2, RST 4, PSH 8, ACK 16), checksum over the pseudo-header. Wrap it with ipv4/ipv6 (6).
 */
export function tcp(src, dst, sport, dport, { seq = 0, ack = 0, flags = 0x10, payload = new Uint8Array(0) } = {}) {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  const b = new Uint8Array(20 + payload.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq >>> 0);
  v.setUint32(8, ack >>> 0);
  b[12] = 5 << 4;
  b[13] = flags;
  v.setUint16(14, 65535);
  b.set(payload, 20);
  const acc = sum16(b, 0, b.length, sum16(s, 0, s.length, 0) + sum16(d, 0, d.length, 0) + 6 + b.length);
  v.setUint16(16, fold(acc));
  return b;
}

/** An IP packet carrying TCP src:sport → dst:dport (IPv6 when the addresses are). */
export function tcpPacket(src, dst, sport, dport, options) {
  const t = tcp(src, dst, sport, dport, options);
  return src.includes(':') ? ipv6(src, dst, 6, t) : ipv4(src, dst, 6, t);
}

/** An IPv4 packet (no options, DF, TTL 64, id 0) with a valid header checksum. */
export function ipv4(src, dst, protocol, payload) {
  const b = new Uint8Array(20 + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, b.length);
  v.setUint32(4, 0x40000000);
  b[8] = 64;
  b[9] = protocol;
  b.set(addressBytes(src), 12);
  b.set(addressBytes(dst), 16);
  v.setUint16(10, fold(sum16(b, 0, 20, 0)));
  b.set(payload, 20);
  return b;
}

/** An IPv6 packet (no extension headers, hop limit 64). */
export function ipv6(src, dst, next, payload) {
  const b = new Uint8Array(40 + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x60;
  v.setUint16(4, payload.length);
  b[6] = next;
  b[7] = 64;
  b.set(addressBytes(src), 8);
  b.set(addressBytes(dst), 24);
  b.set(payload, 40);
  return b;
}

/**
 * An IPv6 packet whose fixed header is followed by extension headers (RFC 8200 §4), then `next` and `payload`:
 * hop-by-hop (0) and destination options (60) as 8 octets holding one PadN option (§4.2), routing (43) as type 4
 * with segments left 0 (§4.4: nothing to do), fragment (44) with `offset` (octets, a multiple of 8), `more` and
 * `id` (§4.5). The upper layer's checksum does not cover extension headers, so `payload` is built as without them.
 */
export function ipv6Ext(src, dst, headers, next, payload) {
  const parts = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const after = i + 1 < headers.length ? headers[i + 1].type : next;
    const b = new Uint8Array(8);
    b[0] = after;
    if (h.type === 44) {
      const v = new DataView(b.buffer);
      v.setUint16(2, ((h.offset ?? 0) & 0xfff8) | (h.more ? 1 : 0));
      v.setUint32(4, (h.id ?? 0) >>> 0);
    } else if (h.type === 43) {
      b[2] = 4;
    } else {
      b[2] = 1; // PadN, 4 octets of padding: the header's 8 octets
      b[3] = 4;
    }
    parts.push(b);
  }
  return ipv6(src, dst, headers.length ? headers[0].type : next, concat(...parts, payload));
}

/** An IP packet carrying UDP src:sport → dst:dport with `payload` (IPv6 when the addresses are). */
export function udpPacket(src, dst, sport, dport, payload) {
  const u = udp(src, dst, sport, dport, payload);
  return src.includes(':') ? ipv6(src, dst, 17, u) : ipv4(src, dst, 17, u);
}

/**
 * An ICMP error from `reporter` to `to` quoting `quoted` (an IP packet): ICMPv4 type 3 (code 10, administratively
 * prohibited, by default), or ICMPv6 type 1 (code 1) when the addresses are IPv6 (checksum over the pseudo-header).
 */
export function icmpError(reporter, to, quoted, { type, code } = {}) {
  const v6 = reporter.includes(':');
  const b = new Uint8Array(8 + quoted.length);
  b[0] = type ?? (v6 ? 1 : 3);
  b[1] = code ?? (v6 ? 1 : 10);
  b.set(quoted, 8);
  let acc = sum16(b, 0, b.length, 0);
  if (v6) {
    const s = addressBytes(reporter);
    const d = addressBytes(to);
    acc += sum16(s, 0, 16, 0) + sum16(d, 0, 16, 0) + 58 + b.length;
  }
  new DataView(b.buffer).setUint16(2, fold(acc));
  return v6 ? ipv6(reporter, to, 58, b) : ipv4(reporter, to, 1, b);
}

/** An Ethernet frame (MACs 02:02:02:02:02:02) around an IP packet, with 802.1Q tags (VLAN ids) outermost first. */
export function ethernet(packet, { vlans = [] } = {}) {
  const b = new Uint8Array(12 + 4 * vlans.length + 2 + packet.length);
  const v = new DataView(b.buffer);
  b.fill(0x02, 0, 12);
  let p = 12;
  for (const id of vlans) {
    v.setUint16(p, 0x8100);
    v.setUint16(p + 2, id & 0x0fff);
    p += 4;
  }
  v.setUint16(p, (packet[0] >> 4) === 6 ? 0x86dd : 0x0800);
  b.set(packet, p + 2);
  return b;
}

/** A classic pcap file header (microsecond, little-endian, snaplen 262144) for `linkType` (1: Ethernet). */
export function pcapHeader(linkType = 1) {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, linkType, true);
  return b;
}

/** A classic pcap record: header (time in Unix seconds, µs resolution) and the frame. */
export function pcapRecord(time, frame) {
  const b = new Uint8Array(16 + frame.length);
  const v = new DataView(b.buffer);
  const s = Math.floor(time);
  v.setUint32(0, s, true);
  v.setUint32(4, Math.floor((time - s) * 1e6), true);
  v.setUint32(8, frame.length, true);
  v.setUint32(12, frame.length, true);
  b.set(frame, 16);
  return b;
}

/** A whole pcap file of Ethernet frames: [time, frame] pairs. */
export function pcapFile(records, linkType = 1) {
  return concat(pcapHeader(linkType), ...records.map(([time, frame]) => pcapRecord(time, frame)));
}
