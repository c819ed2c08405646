/**
 * Builders for hand-made capture files (tests only), one function per structure of draft-ietf-opsawg-pcapng
 * and draft-ietf-opsawg-pcap, in either byte order, so each test states the fields it cares about.
 */

export class Bytes {
  private readonly parts: number[] = [];
  constructor(readonly littleEndian: boolean) {}

  u8(value: number): this {
    this.parts.push(value & 0xff);
    return this;
  }
  u16(value: number): this {
    const b = [value & 0xff, (value >>> 8) & 0xff];
    this.parts.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u32(value: number): this {
    const b = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
    this.parts.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u64(value: bigint): this {
    const lo = Number(BigInt.asUintN(64, value) & 0xffffffffn);
    const hi = Number(BigInt.asUintN(64, value) >> 32n);
    return this.littleEndian ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i]! & 0xff);
    return this;
  }
  /** Zero bytes up to the next multiple of 4 (§3.1: every block and option value is 32-bit aligned). */
  pad(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** One option (§3.5): code, length, value padded to 32 bits. */
export function option(le: boolean, code: number, value: ArrayLike<number>): Uint8Array {
  return new Bytes(le).u16(code).u16(value.length).raw(value).pad().toBytes();
}

export function endOfOptions(le: boolean): Uint8Array {
  return new Bytes(le).u16(0).u16(0).toBytes();
}

/** A block (§3.1): type, total length, body padded to 32 bits, total length again. */
export function block(le: boolean, type: number, body: ArrayLike<number>, lengthOverride?: { leading?: number; trailing?: number }): Uint8Array {
  const padded = new Bytes(le).raw(body).pad();
  const total = 12 + padded.length;
  return new Bytes(le)
    .u32(type)
    .u32(lengthOverride?.leading ?? total)
    .raw(padded.toBytes())
    .u32(lengthOverride?.trailing ?? total)
    .toBytes();
}

/** Section Header Block (§4.1), version 1.0 unless told, section length -1 (unknown). */
export function shb(le: boolean, options: Uint8Array[] = [], version: [number, number] = [1, 0]): Uint8Array {
  const body = new Bytes(le).u32(0x1a2b3c4d).u16(version[0]).u16(version[1]).u64(-1n);
  for (const o of options) body.raw(o);
  if (options.length) body.raw(endOfOptions(le));
  return block(le, 0x0a0d0d0a, body.toBytes());
}

/** Interface Description Block (§4.2). */
export function idb(le: boolean, linkType: number, snapLength: number, options: Uint8Array[] = []): Uint8Array {
  const body = new Bytes(le).u16(linkType).u16(0).u32(snapLength);
  for (const o of options) body.raw(o);
  if (options.length) body.raw(endOfOptions(le));
  return block(le, 1, body.toBytes());
}

/** Enhanced Packet Block (§4.3): timestamp as a 64-bit count of the interface's units. */
export function epb(le: boolean, interfaceId: number, units: bigint, data: ArrayLike<number>, originalLength = data.length, options: Uint8Array[] = []): Uint8Array {
  const body = new Bytes(le)
    .u32(interfaceId)
    .u32(Number(units >> 32n))
    .u32(Number(units & 0xffffffffn))
    .u32(data.length)
    .u32(originalLength)
    .raw(data)
    .pad();
  for (const o of options) body.raw(o);
  if (options.length) body.raw(endOfOptions(le));
  return block(le, 6, body.toBytes());
}

/** Simple Packet Block (§4.4): original length, then the (snaplen-cut) data. */
export function spb(le: boolean, originalLength: number, data: ArrayLike<number>): Uint8Array {
  return block(le, 3, new Bytes(le).u32(originalLength).raw(data).toBytes());
}

/** Obsolete Packet Block (Appendix A): 16-bit interface id and drops count. */
export function opb(le: boolean, interfaceId: number, units: bigint, data: ArrayLike<number>): Uint8Array {
  return block(
    le,
    2,
    new Bytes(le)
      .u16(interfaceId)
      .u16(0)
      .u32(Number(units >> 32n))
      .u32(Number(units & 0xffffffffn))
      .u32(data.length)
      .u32(data.length)
      .raw(data)
      .toBytes(),
  );
}

/** The one concat of the frame builders (bench/frames.mjs). */
export { concat } from '../../bench/frames.mjs';

/** Classic pcap file header (§4) and records (§5). */
export function pcapHeader(le: boolean, opts: { nanosecond?: boolean; snapLength?: number; linkField?: number } = {}): Uint8Array {
  return new Bytes(le)
    .u32(opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(opts.snapLength ?? 262144)
    .u32(opts.linkField ?? 1)
    .toBytes();
}

export function pcapRecord(le: boolean, sec: number, fraction: number, data: ArrayLike<number>, capturedOverride?: number, originalLength = data.length): Uint8Array {
  return new Bytes(le).u32(sec).u32(fraction).u32(capturedOverride ?? data.length).u32(originalLength).raw(data).toBytes();
}

export const ascii = (text: string): number[] => Array.from(Buffer.from(text, 'utf8'));
