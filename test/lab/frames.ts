// test/lab/frames.ts — read a capture with tshark (an independent decoder: Wireshark's) into plain rows,
// so the lab test can check what a fixture shows without using ntpdoctor's own decoder.
import { spawnSync } from 'node:child_process';

/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch (1970), RFC 5905 §6. */
const NTP_UNIX_OFFSET = 2_208_988_800;

export interface IcmpError {
  v6: boolean;
  type: number;
  code: number;
}

export interface NtpFields {
  leap: number;
  mode: number;
  stratum: number;
  /** Reference ID as 8 hex digits ("52415445" = "RATE"). */
  refid: string;
  /** Root dispersion in seconds (16.16 fixed point on the wire, RFC 5905 §7.3). */
  rootDispersion: number;
  /** Transmit timestamp as Unix seconds; undefined when zero. */
  transmit: number | undefined;
}

export interface Frame {
  number: number;
  /** Capture time, Unix seconds. */
  time: number;
  /** Outer IPv4/IPv6 source. */
  src: string;
  /** UDP checksum as tshark validates it: true good, false bad, undefined not checked / not UDP. */
  checksumOk: boolean | undefined;
  /** Set for ICMP / ICMPv6 errors; their quoted packet is NOT reported as NTP. */
  icmp: IcmpError | undefined;
  /** Set for NTP packets carried directly (not quoted inside an ICMP error). */
  ntp: NtpFields | undefined;
  /** tshark's frame.protocols, e.g. "sll:ethertype:ip:udp:ntp". */
  protocols: string;
}

const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.protocols',
  'ip.src',
  'ipv6.src',
  'udp.checksum.status',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'ntp.flags.li',
  'ntp.flags.mode',
  'ntp.stratum',
  'ntp.refid',
  'ntp.rootdispersion',
  'udp.payload',
] as const;

function int(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isNaN(value) ? undefined : value;
}

/** NTP short/long timestamps read from the UDP payload hex (transmit timestamp at offset 40, RFC 5905 §7.3). */
function transmitSeconds(payloadHex: string): number | undefined {
  const hex = payloadHex.replaceAll(':', '');
  if (hex.length < 96) return undefined;
  let seconds = Number.parseInt(hex.slice(80, 88), 16);
  const fraction = Number.parseInt(hex.slice(88, 96), 16);
  if (seconds === 0 && fraction === 0) return undefined;
  // Era guess as in RFC 4330 §3: a value with the top bit clear lies in era 1 (after 2036).
  if (seconds < 0x8000_0000) seconds += 2 ** 32;
  return seconds - NTP_UNIX_OFFSET + fraction / 2 ** 32;
}

/** Every frame of FILE, decoded by tshark (UDP checksum validation on). Throws if tshark fails. */
export function readFrames(file: string): Frame[] {
  const args = ['-n', '-r', file, '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=\t'];
  for (const field of FIELDS) args.push('-e', field);
  const run = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`tshark -r ${file} failed (${run.status}): ${run.stderr.trim()}`);
  const frames: Frame[] = [];
  for (const line of run.stdout.split('\n')) {
    if (line === '') continue;
    const cell = line.split('\t');
    const at = (name: (typeof FIELDS)[number]): string => cell[FIELDS.indexOf(name)] ?? '';
    const icmpType = int(at('icmp.type'));
    const icmp6Type = int(at('icmpv6.type'));
    let icmp: IcmpError | undefined;
    // ICMP type 3 (destination unreachable), ICMPv6 type 1: the errors that quote a UDP packet.
    if (icmpType === 3) icmp = { v6: false, type: 3, code: int(at('icmp.code')) ?? -1 };
    if (icmp6Type === 1) icmp = { v6: true, type: 1, code: int(at('icmpv6.code')) ?? -1 };
    const mode = int(at('ntp.flags.mode'));
    const ntp: NtpFields | undefined =
      icmp === undefined && mode !== undefined
        ? {
            leap: int(at('ntp.flags.li')) ?? -1,
            mode,
            stratum: int(at('ntp.stratum')) ?? -1,
            refid: at('ntp.refid').replaceAll(':', ''),
            rootDispersion: (int(at('ntp.rootdispersion')) ?? 0) / 65536,
            transmit: transmitSeconds(at('udp.payload')),
          }
        : undefined;
    const status = int(at('udp.checksum.status'));
    frames.push({
      number: int(at('frame.number')) ?? 0,
      time: Number.parseFloat(at('frame.time_epoch')),
      src: at('ip.src') || at('ipv6.src'),
      // Wireshark's proto_checksum_enum_e: 0 bad, 1 good, 2 unverified, 3 not present.
      checksumOk: icmp === undefined && status === 0 ? false : icmp === undefined && status === 1 ? true : undefined,
      icmp,
      ntp,
      protocols: at('frame.protocols'),
    });
  }
  return frames;
}

/** ASCII kiss code / refid as the 8 hex digits tshark prints ("RATE" → "52415445"). */
export function refidHex(ascii: string): string {
  return Buffer.from(ascii, 'latin1').toString('hex');
}
