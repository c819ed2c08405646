import type { IpInfo } from './types.js';

/** What an IP decoder hands to the next layer (internal to src/decode). Offsets index the frame's bytes. */
export interface IpLayer {
  info: IpInfo;
  /** Where the source and destination addresses are (for the UDP pseudo-header, RFC 768 / RFC 8200 §8.1). */
  srcAt: number;
  dstAt: number;
  /** Upper-layer payload: starts at payloadStart; captured up to payloadEnd; the IP length says wireEnd. */
  payloadStart: number;
  payloadEnd: number;
  wireEnd: number;
  /** A non-first fragment: the payload is not the start of an upper-layer header. */
  laterFragment: boolean;
}

/**
 * A layer record for an IP decoder to fill. Each caller keeps one and reuses it for every frame (the decoders
 * run millions of times; only `info` escapes into the decoded frame, and it is a new object each time).
 */
export function newIpLayer(): IpLayer {
  return {
    info: { version: 4, src: '', dst: '', ttl: 0, protocol: 0, tos: 0 },
    srcAt: 0,
    dstAt: 0,
    payloadStart: 0,
    payloadEnd: 0,
    wireEnd: 0,
    laterFragment: false,
  };
}
