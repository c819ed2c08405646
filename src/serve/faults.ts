/**
 * Fault injection: the server misbehaves on purpose, to reproduce each symptom of the seeds client-side
 * (stratum 16 "strata too high", KoD, bogus origin, …) and to check that a client or a rule notices.
 */
import { InputError } from '../errors.js';

export type Fault =
  | { kind: 'unsync' }
  | { kind: 'kod'; code: 'RATE' | 'DENY' | 'RSTR' | 'INIT' }
  | { kind: 'bad-origin' }
  | { kind: 'zero-transmit' }
  | { kind: 'offset'; seconds: number }
  | { kind: 'dispersion'; seconds: number }
  | { kind: 'silence' }
  | { kind: 'drop'; ratio: number };

export const FAULT_HELP = 'unsync, kod-rate, kod-deny, kod-rstr, kod-init, bad-origin, zero-transmit, offset:SECONDS, dispersion:SECONDS, silence, drop:RATIO';

function number(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new InputError(`--fault ${what}: not a number: '${text}'`);
  return n;
}

export function parseFault(text: string): Fault {
  const [name = '', arg] = text.trim().toLowerCase().split(':', 2);
  const needArg = (): string => {
    if (arg === undefined || arg === '') throw new InputError(`--fault ${name} needs a value, e.g. ${name}:1.5`);
    return arg;
  };
  switch (name) {
    case 'unsync':
      return { kind: 'unsync' };
    case 'kod-rate':
    case 'kod-deny':
    case 'kod-rstr':
    case 'kod-init':
      return { kind: 'kod', code: name.slice(4).toUpperCase() as 'RATE' | 'DENY' | 'RSTR' | 'INIT' };
    case 'bad-origin':
      return { kind: 'bad-origin' };
    case 'zero-transmit':
      return { kind: 'zero-transmit' };
    case 'offset':
      return { kind: 'offset', seconds: number(needArg(), name) };
    case 'dispersion': {
      const seconds = number(needArg(), name);
      // 16.16 unsigned root dispersion (RFC 5905 §7.3): 0 to just under 65536 s.
      if (seconds < 0 || seconds >= 65536) throw new InputError('--fault dispersion: must be in [0, 65536) seconds');
      return { kind: 'dispersion', seconds };
    }
    case 'silence':
      return { kind: 'silence' };
    case 'drop': {
      const ratio = number(needArg(), name);
      if (ratio < 0 || ratio > 1) throw new InputError('--fault drop: ratio must be in [0, 1]');
      return { kind: 'drop', ratio };
    }
    default:
      throw new InputError(`unknown fault '${text}' (one of: ${FAULT_HELP})`);
  }
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'kod':
      return `kod-${f.code.toLowerCase()}`;
    case 'offset':
      return `offset:${f.seconds}`;
    case 'dispersion':
      return `dispersion:${f.seconds}`;
    case 'drop':
      return `drop:${f.ratio}`;
    default:
      return f.kind;
  }
}
