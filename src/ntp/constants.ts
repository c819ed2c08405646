/** Numbers from RFC 5905 and the daemons, named where they are used. */

export const NTP_PORT = 123;

/** RFC 5905 §7.2: MAXSTRAT — stratum 16 means unsynchronized. */
export const MAXSTRAT = 16;

/** RFC 5905 §7.3: leap indicator 3 = clock unsynchronized (alarm). */
export const LEAP_ALARM = 3;

/** Seconds between the NTP era 0 epoch (1900-01-01) and the Unix epoch (1970-01-01). RFC 5905 §6. */
export const NTP_UNIX_EPOCH_DELTA = 2_208_988_800;

/** RFC 5905 §7.2 / ntpd: STEPT, offsets beyond this are stepped, not slewed (seconds). */
export const STEP_THRESHOLD = 0.128;

/** RFC 5905 §7.2 / ntpd: PANICT, offsets beyond this make ntpd exit unless -g (seconds). */
export const PANIC_THRESHOLD = 1000;

/** RFC 5905 §7.2: MAXDIST, the root distance limit of the RFC's reference client (seconds). */
export const RFC_MAXDIST = 1;

/** ntpd/ntpsec `tos maxdist` default (seconds); ntp.conf(5). */
export const NTPD_MAXDIST = 1.5;

/** chrony `maxdistance` default (seconds); chrony.conf(5). */
export const CHRONY_MAXDISTANCE = 3;

/** RFC 5905 §7.2: MAXDISP, dispersion of a clock that lost its source (seconds). */
export const MAXDISP = 16;

/** RFC 5905 §7.3: minimum packet length: the 48-octet header. */
export const NTP_HEADER_LENGTH = 48;
