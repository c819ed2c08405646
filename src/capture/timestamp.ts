/**
 * pcapng 64-bit timestamps → whole seconds + nanoseconds, exactly and without BigInt on the common paths.
 *
 * An Enhanced Packet Block stores the time as two 32-bit halves counting units of the interface's if_tsresol
 * (draft-ietf-opsawg-pcapng §4.6: 10^-n s, or 2^-n s when the option's high bit is set; default 10^-6).
 * Nanoseconds since 1970 (~1.7e18) do not fit a double's 53 bits, so a plain `hi * 2^32 + lo` would lose them.
 */

/** How one interface's timestamps are split; built once per Interface Description Block. */
export interface TimestampScale {
  /** Units per second (10^n or 2^n), as a number when it is at most 2^32, else 0 (BigInt path). */
  unitsPerSecond: number;
  /** Nanoseconds per unit when that is a whole number (10^n with n ≤ 9), else 0. */
  nsPerUnit: number;
  /** Same as unitsPerSecond for the BigInt path (any resolution the option can express). */
  unitsBig: bigint;
  /** if_tsoffset: seconds to add to every timestamp (§4.2). */
  offsetSeconds: number;
}

const TWO_POW_32 = 4_294_967_296;

/** if_tsresol octet → scale. 0x06 = µs (the default), 0x09 = ns, 0x94 = 2^-20 s, ... */
export function timestampScale(tsresol: number, offsetSeconds: number): TimestampScale {
  const binary = (tsresol & 0x80) !== 0;
  const exponent = tsresol & 0x7f;
  const unitsBig = binary ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
  const fits = unitsBig <= BigInt(TWO_POW_32);
  const unitsPerSecond = fits ? Number(unitsBig) : 0;
  let nsPerUnit = 0;
  if (!binary && exponent <= 9) nsPerUnit = 10 ** (9 - exponent);
  // 2^-n with n ≤ 23: remainder·1e9 < 2^53 stays exact in a double (see setTimestamp); past that, BigInt.
  const exactBinary = binary && exponent <= 23;
  return {
    unitsPerSecond: nsPerUnit > 0 || exactBinary ? unitsPerSecond : 0,
    nsPerUnit,
    unitsBig,
    offsetSeconds,
  };
}

/** Decimal digits a resolution needs (µs → 6, 2^-20 s → 7): CaptureInterface.tsResolutionDigits. */
export function resolutionDigits(tsresol: number): number {
  if ((tsresol & 0x80) === 0) return tsresol;
  return Math.ceil((tsresol & 0x7f) * Math.log10(2));
}

/** Writes seconds and nanoseconds of the 64-bit count hi:lo into `out`. */
export function setTimestamp(out: { tsSec: number; tsNsec: number }, hi: number, lo: number, scale: TimestampScale): void {
  const units = scale.unitsPerSecond;
  if (units === 0) {
    setTimestampBig(out, hi, lo, scale);
    return;
  }
  let sec: number;
  let rem: number;
  if (hi < 0x100000) {
    // hi:lo < 2^52: the count and sec·units are exact doubles. The quotient may round across an integer: fix up.
    const count = hi * TWO_POW_32 + lo;
    sec = Math.floor(count / units);
    rem = count - sec * units;
    if (rem < 0) {
      sec -= 1;
      rem += units;
    } else if (rem >= units) {
      sec += 1;
      rem -= units;
    }
  } else if (units >= 65536 && units <= 1_073_741_824) {
    // ns and the like: the double quotient is within ±1 of the true one (count rounds by ≤ 2^11 units, the
    // quotient by < 2^-5 for sec < 2^48), so the true remainder for it lies in [-units, 2·units), inside int32 for units ≤ 2^30, and
    // equals its low 32 bits, which Math.imul computes exactly.
    sec = Math.floor((hi * TWO_POW_32 + lo) / units);
    rem = (lo - Math.imul(sec, units)) | 0;
    if (rem < 0) {
      sec -= 1;
      rem += units;
    } else if (rem >= units) {
      sec += 1;
      rem -= units;
    }
  } else {
    // Long division in 16-bit limbs: every partial value stays below 2^48 (units ≤ 2^32), so all exact.
    let r = 0;
    let cur = r * 65536 + (hi >>> 16);
    const q3 = Math.floor(cur / units);
    r = cur - q3 * units;
    cur = r * 65536 + (hi & 0xffff);
    const q2 = Math.floor(cur / units);
    r = cur - q2 * units;
    cur = r * 65536 + (lo >>> 16);
    const q1 = Math.floor(cur / units);
    r = cur - q1 * units;
    cur = r * 65536 + (lo & 0xffff);
    const q0 = Math.floor(cur / units);
    r = cur - q0 * units;
    sec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
    rem = r;
  }
  out.tsSec = sec + scale.offsetSeconds;
  // Binary resolutions reach here only for 2^-23 or coarser: rem·1e9 < 2^53, so the floor is exact.
  out.tsNsec = scale.nsPerUnit > 0 ? rem * scale.nsPerUnit : Math.floor((rem * 1e9) / units);
}

function setTimestampBig(out: { tsSec: number; tsNsec: number }, hi: number, lo: number, scale: TimestampScale): void {
  const count = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const sec = count / scale.unitsBig;
  const rem = count - sec * scale.unitsBig;
  out.tsSec = Number(sec) + scale.offsetSeconds;
  out.tsNsec = Number((rem * 1_000_000_000n) / scale.unitsBig);
}
