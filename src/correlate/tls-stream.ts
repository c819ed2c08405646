/**
 * The TLS record layer of one direction of a TCP connection, followed through the segments in sequence order
 * (RFC 8446 §5.1: every record starts with content type (1), legacy version (2) and length (2), then `length`
 * octets). Only the record headers are read; bodies are skipped by their length, so a direction costs five octets
 * of state whatever it carries. Which records it counts and why: src/model/nts-wire.ts TlsSeen.
 *
 * It follows what the capture holds, not what TCP delivered: a retransmission is skipped by its sequence number,
 * a segment missing from the capture (a gap) or cut by the snaplen ends the walk ('gap' / 'cut'), and a first
 * octet that is no record type ends it as 'not-tls' (a service on port 4460 that is not NTS-KE).
 */
import type { TlsSeen } from '../model/nts-wire.js';

/** RFC 8446 §5.1 ContentType values (24 is heartbeat, RFC 6520: a TLS record, not counted). */
const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const HEARTBEAT = 24;
/** RFC 8446 §5.1: a TLSPlaintext/TLSCiphertext length never exceeds 2^14 + 256 (2^14 + 2048 for TLS 1.2 ciphertext). */
const MAX_RECORD = 16384 + 2048;

export function newTlsSeen(): TlsSeen {
  return { handshake: 0, changeCipherSpec: 0, alert: 0, applicationData: 0 };
}

export class TlsStream {
  readonly seen: TlsSeen = newTlsSeen();
  /** The sequence number the next new octet has (uint32), or -1 until the SYN (or SYN-ACK) set it. */
  private next = -1;
  /** Octets of the current record's body still to come. */
  private skip = 0;
  /** The record header being read (it may straddle segments): octets had so far, type and length. */
  private have = 0;
  private type = 0;
  private length = 0;
  /** An alert record of length 2 in clear: its body octets, read as they come. */
  private alertAt = -1;
  private alertLevel = 0;

  /** The SYN's sequence number: data starts one past it (RFC 9293 §3.4). */
  start(synSeq: number): void {
    if (this.next < 0) this.next = (synSeq + 1) >>> 0;
  }

  /** A segment's payload: `captured` octets at b[at..] of `length` on the wire, starting at sequence `seq`. */
  segment(b: Uint8Array, at: number, captured: number, length: number, seq: number, frame: number): void {
    if (length === 0 || this.next < 0 || this.seen.lost !== undefined) return;
    const ahead = (seq - this.next) | 0;
    if (ahead > 0) {
      this.seen.lost = 'gap';
      return;
    }
    // A retransmission (all before `next`) or an overlap: only the new octets count.
    const old = -ahead;
    if (old >= length) return;
    if (captured < length) {
      // The snaplen cut the payload: what is there is read, then the stream cannot be followed.
      this.walk(b, at + old, Math.max(0, captured - old), frame);
      this.seen.lost ??= 'cut';
      return;
    }
    this.next = (seq + length) >>> 0;
    this.walk(b, at + old, length - old, frame);
  }

  private walk(b: Uint8Array, at: number, n: number, frame: number): void {
    let p = at;
    const end = at + n;
    while (p < end && this.seen.lost === undefined) {
      if (this.skip > 0) {
        if (this.alertAt >= 0) {
          // The two octets of an alert in clear: level, description.
          const v = b[p] as number;
          if (this.alertAt === 0) this.alertLevel = v;
          else this.seen.firstAlert ??= { frame, level: this.alertLevel, description: v };
          this.alertAt = this.alertAt === 0 ? 1 : -1;
          this.skip--;
          p++;
          continue;
        }
        const take = Math.min(this.skip, end - p);
        this.skip -= take;
        p += take;
        continue;
      }
      const v = b[p++] as number;
      if (this.have === 0) this.type = v;
      else if (this.have === 1 && v !== 3) this.seen.lost = 'not-tls';
      else if (this.have === 3) this.length = v << 8;
      else if (this.have === 4) this.length |= v;
      if (++this.have < 5) continue;
      this.have = 0;
      this.record();
    }
  }

  /** A whole record header: count it, then skip its body. */
  private record(): void {
    const s = this.seen;
    if (this.type < CHANGE_CIPHER_SPEC || this.type > HEARTBEAT || this.length > MAX_RECORD) {
      s.lost = 'not-tls';
      return;
    }
    if (this.type === HANDSHAKE) s.handshake++;
    else if (this.type === CHANGE_CIPHER_SPEC) s.changeCipherSpec++;
    else if (this.type === APPLICATION_DATA) s.applicationData++;
    else if (this.type === ALERT) {
      s.alert++;
      // Two octets: a plaintext alert (RFC 8446 §6). Longer: TLS 1.2's encrypted alert, not readable.
      if (this.length === 2 && s.firstAlert === undefined) this.alertAt = 0;
    }
    this.skip = this.length;
  }
}
