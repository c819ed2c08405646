import type { DecodedFrame, IpInfo, UdpInfo } from '../decode/types.js';
import type { NtpMessage } from '../ntp/types.js';
import { addToSample, newSample } from '../observe/accumulate.js';
import type { ControlObservation } from '../model/observation.js';

/** Mode 6 (ntpq) and mode 7 (ntpdc) traffic, per server and client: who answers control queries from the network. */
export class ControlTracker {
  private readonly seen = new Map<string, ControlObservation>();

  add(f: DecodedFrame, msg: Extract<NtpMessage, { kind: 'control' | 'private' }>, ip: IpInfo, udp: UdpInfo): void {
    const fromServer = msg.response;
    const server = fromServer ? ip.src : ip.dst;
    const client = fromServer ? ip.dst : ip.src;
    const key = `${server}|${client}|${msg.mode}`;
    let o = this.seen.get(key);
    if (!o) {
      o = {
        kind: 'ntp-control',
        source: 'capture',
        server,
        client,
        mode: msg.mode,
        requests: newSample(),
        responses: newSample(),
        requestBytes: 0,
        responseBytes: 0,
        codes: [],
      };
      this.seen.set(key, o);
    }
    const bytes = Math.max(0, udp.length - 8);
    if (fromServer) {
      addToSample(o.responses, f.frame);
      o.responseBytes += bytes;
    } else {
      addToSample(o.requests, f.frame);
      o.requestBytes += bytes;
    }
    const code = msg.kind === 'control' ? msg.opcode : msg.requestCode;
    if (!o.codes.includes(code) && o.codes.length < 32) o.codes.push(code);
  }

  observations(): ControlObservation[] {
    return [...this.seen.values()];
  }
}
