/**
 * Live capture through the `cap` module (mscdex/cap 0.2: libpcap in this process, an optionalDependency).
 *
 * cap opens the device with pcap_create/pcap_activate (snaplen 65535, immediate mode, nonblocking), sets the
 * filter, and for every packet copies its bytes into ONE buffer we own and emits 'packet' (nbytes, truncated)
 * from the event loop. It hands over no pcap_pkthdr: neither the kernel's timestamp nor the wire length. So
 * each packet is stamped on arrival (ArrivalClock) and the report says so (timestampSource 'arrival').
 */
import type { Cap } from 'cap';
import { InputError } from '../../errors.js';
import { ReusedRecord } from '../record.js';
import type { CaptureSink } from '../types.js';
import { ArrivalClock } from './arrival-clock.js';
import { CaptureUnavailable, type LiveRunResult, type LiveSession } from './session.js';

/** cap's snaplen (binding.cc: pcap_set_snaplen(65535)): the packet buffer need not be larger. */
const CAP_SNAPLEN = 65535;
/** libpcap's kernel ring (pcap_set_buffer_size): NTP is a trickle; 4 MiB rides out a burst of other traffic. */
const CAP_RING_BYTES = 4 * 1024 * 1024;

/** cap's link-type names (binding.cc, after pcap_datalink) → LINKTYPE_* numbers; undefined if unknown. */
export function capLinkType(name: string): number | undefined {
  switch (name) {
    case 'NULL': return 0;
    case 'ETHERNET': return 1;
    case 'IEEE802_11_RADIO': return 127;
    case 'LINKTYPE_LINUX_SLL': return 113;
    // DLT_RAW is 12 or 14 depending on the system; LINKTYPE_RAW (what files and the decoder use) is 101.
    case 'RAW': return 101;
    default: {
      // "Unknown linktype N": N is the DLT, equal to the LINKTYPE for everything this tool decodes
      // (DLT_LINUX_SLL2 276 included) except the raw-IP values handled above.
      const m = /^Unknown linktype (\d+)$/.exec(name);
      if (!m) return undefined;
      const dlt = Number(m[1]);
      return dlt === 12 || dlt === 14 ? 101 : dlt;
    }
  }
}

/** What a failed cap.open() means: no right to capture, no such device, or something to report as is. */
export function classifyCapError(device: string, message: string): CaptureUnavailable | InputError {
  if (/operation not permitted|permission denied|don't have permission/i.test(message)) {
    return new CaptureUnavailable('cap', 'no-permission', `libpcap on ${device}: ${message}`);
  }
  if (/no such device/i.test(message)) return new InputError(`-i ${device}: no such interface`);
  return new InputError(`cannot capture on ${device}: ${message}`);
}

type CapModule = { Cap: typeof Cap };

/** Cap objects whose open() failed: kept reachable on purpose (see openCapSession). */
const failedOpens: Cap[] = [];

async function loadCap(): Promise<CapModule> {
  try {
    const mod = (await import('cap')) as unknown as { default?: CapModule } & Partial<CapModule>;
    const cap = mod.default ?? (mod as CapModule);
    if (typeof cap.Cap !== 'function') throw new Error('no Cap export');
    return cap;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw new CaptureUnavailable('cap', 'not-installed', `the optional module 'cap' is not installed or not built (${first})`);
  }
}

/** A packet as it arrived: its stamp and a copy of its bytes (cap reuses its buffer for the next one). */
interface Arrived {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
}

class CapSession implements LiveSession {
  readonly backend = 'cap' as const;
  readonly snapLength = CAP_SNAPLEN;
  readonly timestampSource = 'arrival' as const;
  private stopped = false;
  private finish: (() => void) | undefined;

  constructor(
    readonly device: string,
    readonly linkType: number,
    private readonly cap: Cap,
    private readonly buffer: Buffer,
    private readonly clock: ArrivalClock,
  ) {}

  /**
   * The 'packet' handler only stamps and copies; decoding runs after cap's dispatch loop has drained the ring
   * (setImmediate). Decoding inline would delay the stamp of every packet queued behind the current one: a
   * reply right behind its request gets the request's decode time added. Measured in the lab (veth, chronyd
   * client, test/live/lab-capture.test.ts): inline, delays came out -0.9..+0.2 ms and one offset -2.9 ms;
   * deferred, delays mostly within ±0.1 ms and offsets -0.15..-0.7 ms (both stamps late by the wakeup latency).
   */
  run(sink: CaptureSink): Promise<LiveRunResult> {
    return new Promise((resolve, reject) => {
      const queue: Arrived[] = [];
      let scheduled = false;
      let frames = 0;
      let bytes = 0;
      let failed = false;
      const drain = () => {
        scheduled = false;
        for (let i = 0; i < queue.length && !failed; i++) {
          const a = queue[i] as Arrived;
          const record = new ReusedRecord(a.data);
          record.linkType = this.linkType;
          record.frame = ++frames;
          record.tsSec = a.tsSec;
          record.tsNsec = a.tsNsec;
          record.capturedLength = a.data.length;
          // The wire length is not passed on by cap; with snaplen 65535 it equals nbytes for any IP packet.
          record.originalLength = a.data.length;
          bytes += a.data.length;
          try {
            sink(record);
          } catch (error) {
            failed = true;
            this.stop();
            reject(error as Error);
          }
        }
        queue.length = 0;
      };
      this.cap.on('packet', (nbytes: number) => {
        if (this.stopped) return;
        const a: Arrived = { tsSec: 0, tsNsec: 0, data: Buffer.from(this.buffer.subarray(0, nbytes)) };
        this.clock.stamp(a);
        queue.push(a);
        if (!scheduled) {
          scheduled = true;
          setImmediate(drain);
        }
      });
      this.finish = () => {
        drain();
        if (!failed) resolve({ frames, bytes, warnings: [] });
      };
      if (this.stopped) this.finish();
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cap.close();
    this.cap.removeAllListeners('packet');
    this.finish?.();
  }
}

/**
 * Opens `device` with `filter` through cap. Throws CaptureUnavailable when cap is not built or the process may
 * not capture (the caller may fall back to tcpdump), InputError for a device that does not exist or a filter
 * libpcap rejects.
 */
export async function openCapSession(device: string, filter: string, clock = new ArrivalClock()): Promise<LiveSession> {
  const { Cap } = await loadCap();
  // pcap_findalldevs needs no privilege; checking first also spares the user cap's "Warning: SIOCGIFADDR ...
  // This may not actually work" that pcap_lookupnet prints for an unknown device.
  let names: string[] = [];
  try {
    names = Cap.deviceList().map((d) => d.name);
  } catch {
    /* listing failed: let open() tell */
  }
  if (names.length > 0 && !names.includes(device)) {
    throw new InputError(`-i ${device}: no such interface (capture devices here: ${names.join(', ')})`);
  }
  const cap = new Cap();
  const buffer = Buffer.alloc(CAP_SNAPLEN);
  let linkName: string;
  try {
    linkName = cap.open(device, filter, CAP_RING_BYTES, buffer);
  } catch (error) {
    // cap 0.2 bug: after a failed open() the object holds a pcap_t and an uninitialised uv_poll_t, and its
    // destructor calls uv_poll_stop on it: the process aborts whenever V8 collects it (measured here: open()
    // without CAP_NET_RAW, then gc() → "uv_poll_stop: Assertion failed", or a segfault during the tcpdump
    // fallback). Never let it be collected: one small pcap_t kept per failed open, for the process's life.
    failedOpens.push(cap);
    throw classifyCapError(device, error instanceof Error ? error.message : String(error));
  }
  const linkType = capLinkType(linkName);
  if (linkType === undefined) {
    cap.close();
    throw new InputError(`cannot capture on ${device}: link type ${linkName} is not one ntpdoctor decodes`);
  }
  return new CapSession(device, linkType, cap, buffer, clock);
}
