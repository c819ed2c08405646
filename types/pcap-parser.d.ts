/**
 * Types for pcap-parser 0.2 (CommonJS, ships none): lib/pcap-parser.js. Classic µs pcap only, either byte
 * order; used as the test oracle for src/capture/.
 */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface GlobalHeader {
    magicNumber: number;
    majorVersion: number;
    minorVersion: number;
    gmtOffset: number;
    timestampAccuracy: number;
    snapshotLength: number;
    linkLayerType: number;
  }

  export interface PacketHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }

  export interface Packet {
    header: PacketHeader;
    data: Buffer;
  }

  export interface Parser extends EventEmitter {
    on(event: 'globalHeader', listener: (header: GlobalHeader) => void): this;
    on(event: 'packetHeader', listener: (header: PacketHeader) => void): this;
    on(event: 'packetData', listener: (data: Buffer) => void): this;
    on(event: 'packet', listener: (packet: Packet) => void): this;
    on(event: 'end', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  /** A path (read with fs.createReadStream) or a readable stream of pcap bytes. */
  export function parse(input: string | Readable): Parser;

  const pcapParser: { parse: typeof parse };
  export default pcapParser;
}
