/**
 * Picks the capture backend: `cap` (libpcap in this process) first, `tcpdump -w -` when cap is not built or may
 * not capture. Each fallback is announced in one line that says what to do to get the first choice.
 */
import { InputError } from '../../errors.js';
import { openCapSession } from './cap-source.js';
import { CaptureUnavailable, type CaptureBackend, type LiveSession } from './session.js';
import { openTcpdumpSession } from './tcpdump-source.js';

export type BackendChoice = CaptureBackend | 'auto';

export const HINT_BUILD_CAP = "apt-get install libpcap-dev && npm rebuild cap";
/**
 * Never advise `setcap … $(command -v node)`: file capabilities on the node binary give every Node script on the
 * host, run by any user, raw sockets and network administration. Root for this one run, or tcpdump (which a site
 * may already let some users run: sudo rule, pcap group, its own file capabilities) is the narrow grant.
 */
export const HINT_ROOT = 'run it as root (sudo ntpdoctor capture …)';
export const HINT_PRIVILEGE = `${HINT_ROOT}, or with --backend tcpdump, which captures with tcpdump's own privileges`;

/** One line with what to do about an unavailable backend (`u.message` carries the backend's own words). */
export function adviceFor(u: CaptureUnavailable): string {
  if (u.backend === 'cap') {
    return u.reason === 'not-installed'
      ? `live capture through libpcap is not available: ${u.message}; to build it: ${HINT_BUILD_CAP}`
      : `capturing needs CAP_NET_RAW (${u.message}): ${HINT_PRIVILEGE}`;
  }
  return u.reason === 'not-installed' ? 'tcpdump is not installed (apt-get install tcpdump)' : `capturing needs CAP_NET_RAW (${u.message}): ${HINT_ROOT}`;
}

/** The fallback's failure, said after the first choice's advice (same line). */
function fallbackFailed(u: CaptureUnavailable): string {
  return u.reason === 'not-installed'
    ? 'and the fallback, tcpdump, is not installed (apt-get install tcpdump)'
    : 'and the fallback, tcpdump, may not capture either';
}

/** The first choice failed and tcpdump captures: say why, and how to get libpcap in this process back. */
function fellBack(cap: CaptureUnavailable): string {
  if (cap.reason === 'no-permission') return `capturing needs CAP_NET_RAW (${cap.message}): capturing with tcpdump instead; for libpcap, ${HINT_ROOT}`;
  return `${adviceFor(cap)}; capturing with tcpdump instead`;
}

/** Both backends tried (auto) and the first lacked privileges: tcpdump is no way out then, root is. */
function bothFailed(cap: CaptureUnavailable, tcpdump: CaptureUnavailable): string {
  if (cap.reason === 'no-permission' && tcpdump.reason !== 'not-installed') {
    return `capturing needs CAP_NET_RAW (${cap.message}): ${HINT_ROOT}; the fallback, tcpdump, may not capture either`;
  }
  return `${adviceFor(cap)}; ${fallbackFailed(tcpdump)}`;
}

export interface OpenOptions {
  backend?: BackendChoice;
  /** Told each fallback, one line each (the command prints them on stderr). */
  notice?: (line: string) => void;
  /** tcpdump to run (tests). */
  tcpdumpCommand?: string;
}

export async function openLiveSession(device: string, filter: string, options: OpenOptions = {}): Promise<LiveSession> {
  const choice = options.backend ?? 'auto';
  const notice = options.notice ?? (() => {});
  let capProblem: CaptureUnavailable | undefined;
  if (choice !== 'tcpdump') {
    try {
      return await openCapSession(device, filter);
    } catch (error) {
      if (!(error instanceof CaptureUnavailable)) throw error;
      if (choice === 'cap') throw new InputError(adviceFor(error));
      capProblem = error;
    }
  }
  try {
    const session = await openTcpdumpSession(device, filter, options.tcpdumpCommand);
    if (capProblem) notice(fellBack(capProblem));
    return session;
  } catch (error) {
    if (!(error instanceof CaptureUnavailable)) throw error;
    throw new InputError(capProblem ? bothFailed(capProblem, error) : adviceFor(error));
  }
}
