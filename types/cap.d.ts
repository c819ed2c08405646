/**
 * Types for cap 0.2 (mscdex/cap: CommonJS, native libpcap binding, ships none): lib/Cap.js, src/binding.cc.
 * Only what ntpdoctor uses. An optionalDependency: import it dynamically and expect it to be missing.
 */
declare module 'cap' {
  import type { EventEmitter } from 'node:events';

  export interface CapDeviceAddress {
    addr: string;
    netmask?: string;
    broadaddr?: string;
  }

  export interface CapDevice {
    name: string;
    description?: string;
    addresses: CapDeviceAddress[];
    flags?: string;
  }

  export class Cap extends EventEmitter {
    constructor();
    /**
     * pcap_create + snaplen 65535, promiscuous, immediate mode, pcap_activate, nonblocking, pcap_setfilter.
     * Returns the link type: 'ETHERNET', 'LINKTYPE_LINUX_SLL', 'RAW', 'NULL', 'IEEE802_11_RADIO', or
     * 'Unknown linktype N' (N the DLT). Throws Error(pcap_geterr) ("socket: Operation not permitted", "No such
     * device exists", a filter syntax error...).
     */
    open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
    close(): void;
    send(buffer: Buffer, nBytes?: number): void;
    /** Each packet is copied into the open() buffer; `nbytes` bytes of it are valid until the handler returns. */
    on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
    static findDevice(ip?: string): string | undefined;
    static deviceList(): CapDevice[];
  }

  const cap: { Cap: typeof Cap; decoders: unknown };
  export default cap;
}
