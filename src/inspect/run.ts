/**
 * The one place node inspection runs external commands (nft, iptables-save, firewall-cmd, chronyc, ntpq).
 * Every call has a time limit and never throws: a missing tool, a permission error or a timeout comes back as
 * data, so the report can say what it could not see and why. Tests hand the gatherers a fake Runner that
 * replays recorded output.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit status 0. */
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to a clean exit: 'not-found', 'timeout', 'permission', 'failed' (non-zero exit). */
  problem?: 'not-found' | 'timeout' | 'permission' | 'failed';
  /** The command line as run, for notes. */
  command: string;
}

export type Runner = (file: string, args: readonly string[], options?: { timeoutMs?: number }) => Promise<CommandResult>;

/** Tools live in sbin, which an unprivileged user's PATH often lacks. */
const PATH_EXTRA = '/usr/local/sbin:/usr/sbin:/sbin';

export const DEFAULT_COMMAND_TIMEOUT_MS = 3000;

export const runCommand: Runner = (file, args, options = {}) => {
  const timeout = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const command = [file, ...args].join(' ');
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        timeout,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C', PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:${PATH_EXTRA}` },
      },
      (err, stdout, stderr) => {
        const out = String(stdout);
        const errText = String(stderr);
        if (!err) {
          resolve({ ok: true, code: 0, stdout: out, stderr: errText, command });
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
        let problem: CommandResult['problem'] = 'failed';
        // A spawn error (string code) means the program could not be started at all: execvp answers EACCES
        // instead of ENOENT when some PATH directory is unreadable to this user.
        if (e.code === 'ENOENT' || e.code === 'EACCES') problem = 'not-found';
        else if (e.killed) problem = 'timeout';
        else if (/permission denied|operation not permitted|you must be root|not authorized/i.test(errText)) problem = 'permission';
        resolve({ ok: false, code: typeof e.code === 'number' ? e.code : null, stdout: out, stderr: errText, problem, command });
      },
    );
  });
};

/** One line saying why a command gave nothing usable. */
export function whyFailed(r: CommandResult, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): string {
  const first = (r.stderr.trim().split('\n')[0] ?? '').trim();
  switch (r.problem) {
    case 'not-found':
      return `${r.command.split(' ')[0]} is not installed`;
    case 'timeout':
      return `\`${r.command}\` did not answer within ${timeoutMs / 1000} s`;
    case 'permission':
      return `\`${r.command}\` needs privileges${first ? ` (${first})` : ''}: run ntpdoctor as root to see it`;
    default:
      return `\`${r.command}\` failed${r.code !== null ? ` (exit ${r.code})` : ''}${first ? `: ${first}` : ''}`;
  }
}
